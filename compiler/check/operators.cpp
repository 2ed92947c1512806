// Operators: the typing of unary and binary operators (arithmetic and units, dates and
// durations, sets, comparisons, logic), membership (`in`) and quantifiers (`exists`, `all`).
#include "compiler/check/checker.h"

namespace edict::check::internal {

ExprId Checker::UnaryExpr(const ast::Expr& e) {
  if (e.text == "not") {
    ExprId x = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(), "the operand of `not`");
    if (IsError(x)) return Poison(e.range);
    return Emit(Op::Not, m_.types.boolean(), e.range, x);
  }
  // `-9223372036854775808`, the least integer: its digits alone do not fit in one.
  const ast::Expr& operand = *e.kids[0];
  if (operand.kind == ast::ExprKind::Number && operand.text.find_first_of(".eE") == std::string::npos) {
    auto d = rt::Decimal::Parse(operand.text);
    if (d && d->num() == rt::i128(INT64_MAX) + 1) {
      rt::UnitId u = ResolveUnit(operand.unit);
      if (u == kBadUnit) return Poison(e.range);
      m_.ints.push_back(INT64_MIN);
      return Emit(Op::IntLit, IntegerWithUnit(u), e.range, uint32_t(m_.ints.size() - 1));
    }
  }
  ExprId x = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(x)) return Poison(e.range);
  switch (KindOf(x)) {
    case TypeKind::Integer: return Emit(Op::IntNeg, TypeOf(x), e.range, x);
    case TypeKind::Decimal: return Emit(Op::DecNeg, TypeOf(x), e.range, x);
    case TypeKind::Duration: return Emit(Op::DurNeg, TypeOf(x), e.range, x);
    default:
      diags_.Emit(DiagKind::InvalidOperands, e.range, fmt::format("cannot negate {}", Name(TypeOf(x))));
      return Poison(e.range);
  }
}

ExprId Checker::BinaryExpr(const ast::Expr& e) {
  const std::string& op = e.text;
  if (op == "and" || op == "or") {
    ExprId a = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(),
                      fmt::format("the left operand of `{}`", op));
    ExprId b = Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(),
                      fmt::format("the right operand of `{}`", op));
    if (IsError(a) || IsError(b)) return Poison(e.range);
    return Emit(op == "and" ? Op::And : Op::Or, m_.types.boolean(), e.range, a, b);
  }
  ExprId a = CheckExpr(*e.kids[0], m_.types.error());
  ExprId b = CheckExpr(*e.kids[1], TypeOf(a));
  if (IsError(a) || IsError(b)) return Poison(e.range);
  TypeKind ka = KindOf(a), kb = KindOf(b);
  auto& T = m_.types;
  auto invalid = [&]() {
    diags_.Emit(DiagKind::InvalidOperands, e.range,
                fmt::format("`{}` cannot combine {} and {}", op, Name(TypeOf(a)), Name(TypeOf(b))));
    return Poison(e.range);
  };
  bool na = IsNumeric(TypeOf(a)), nb = IsNumeric(TypeOf(b));
  if (op == "+" || op == "-") {
    bool plus = op == "+";
    if (na && nb) {
      if (!UnifyNumeric(a, b, e, fmt::format("the operands of `{}`", op))) return Poison(e.range);
      bool is_int = KindOf(a) == TypeKind::Integer;
      return Emit(is_int ? (plus ? Op::IntAdd : Op::IntSub) : (plus ? Op::DecAdd : Op::DecSub), TypeOf(a), e.range, a,
                  b);
    }
    if (ka == TypeKind::Date && kb == TypeKind::Duration)
      return Emit(plus ? Op::DateAddDur : Op::DateSubDur, T.date(), e.range, a, b);
    if (plus && ka == TypeKind::Duration && kb == TypeKind::Date) return Emit(Op::DateAddDur, T.date(), e.range, b, a);
    if (!plus && ka == TypeKind::Date && kb == TypeKind::Date) return Emit(Op::DateDiff, T.duration(), e.range, a, b);
    if (ka == TypeKind::Duration && kb == TypeKind::Duration)
      return Emit(plus ? Op::DurAdd : Op::DurSub, T.duration(), e.range, a, b);
    return invalid();
  }
  if (op == "*") {
    if (na && nb) {
      rt::UnitId u = T.MulUnits(T.info(TypeOf(a)).unit, T.info(TypeOf(b)).unit);
      if (ka == TypeKind::Integer && kb == TypeKind::Integer)
        return Emit(Op::IntMul, IntegerWithUnit(u), e.range, a, b);
      return Emit(Op::DecMul, DecimalWithUnit(u), e.range, ToDec(a), ToDec(b));
    }
    if (ka == TypeKind::Duration && kb == TypeKind::Integer && T.info(TypeOf(b)).unit == 0)
      return Emit(Op::DurMul, T.duration(), e.range, a, b);
    if (kb == TypeKind::Duration && ka == TypeKind::Integer && T.info(TypeOf(a)).unit == 0)
      return Emit(Op::DurMul, T.duration(), e.range, b, a);
    return invalid();
  }
  if (op == "/") {
    if (na && nb) {
      rt::UnitId u = T.DivUnits(T.info(TypeOf(a)).unit, T.info(TypeOf(b)).unit);
      return Emit(Op::DecDiv, DecimalWithUnit(u), e.range, ToDec(a), ToDec(b));
    }
    return invalid();
  }
  if (op == "union" || op == "inter" || op == "minus") {
    if (ka != TypeKind::Set || kb != TypeKind::Set) return invalid();
    if (TypeOf(a) != TypeOf(b)) {
      diags_.Emit(
          DiagKind::TypeMismatch, e.range,
          fmt::format("`{}` needs two sets of one enum, found {} and {}", op, Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    }
    Op o = op == "union" ? Op::SetUnion : (op == "inter" ? Op::SetInter : Op::SetMinus);
    return Emit(o, TypeOf(a), e.range, a, b);
  }
  // Comparisons.
  Op o = op == "=="   ? Op::Eq
         : op == "!=" ? Op::Ne
         : op == "<"  ? Op::Lt
         : op == "<=" ? Op::Le
         : op == ">"  ? Op::Gt
                      : Op::Ge;
  bool ordering = o != Op::Eq && o != Op::Ne;
  if (na && nb) {
    if (!UnifyNumeric(a, b, e, "the operands of `" + op + "`")) return Poison(e.range);
    return Emit(o, T.boolean(), e.range, a, b);
  }
  if (TypeOf(a) != TypeOf(b)) {
    diags_.Emit(DiagKind::TypeMismatch, e.range,
                fmt::format("cannot compare {} with {}", Name(TypeOf(a)), Name(TypeOf(b))));
    return Poison(e.range);
  }
  if (ordering && ka != TypeKind::Date && ka != TypeKind::Duration) {
    diags_.Emit(DiagKind::InvalidOperands, e.range,
                fmt::format("`{}` needs numbers, dates or durations, found {}", op, Name(TypeOf(a))));
    return Poison(e.range);
  }
  return Emit(o, T.boolean(), e.range, a, b);
}

ExprId Checker::InExpr(const ast::Expr& e) {
  ExprId coll = CheckExpr(*e.kids[1], m_.types.error());
  TypeId elem_hint = m_.types.error();
  const auto& ci = m_.types.info(TypeOf(coll));
  if (ci.kind == TypeKind::Set) elem_hint = m_.types.Intern({TypeKind::Enum, 0, ci.ref});
  if (ci.kind == TypeKind::List) elem_hint = ci.ref;
  ExprId x = CheckExpr(*e.kids[0], elem_hint);
  if (IsError(x) || IsError(coll)) return Poison(e.range);
  ExprId r;
  if (ci.kind == TypeKind::Set) {
    x = Coerce(x, elem_hint, "the left operand of `in`");
    if (IsError(x)) return Poison(e.range);
    r = Emit(Op::SetHas, m_.types.boolean(), e.range, x, coll);
  } else if (ci.kind == TypeKind::List) {
    x = Coerce(x, elem_hint, "the left operand of `in`");
    if (IsError(x)) return Poison(e.range);
    r = Emit(Op::ListHas, m_.types.boolean(), e.range, x, coll);
  } else {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[1]->range,
                fmt::format("`in` needs a set or a list on its right, found {}", Name(TypeOf(coll))));
    return Poison(e.range);
  }
  if (e.text == "not in") r = Emit(Op::Not, m_.types.boolean(), e.range, r);
  return r;
}

ExprId Checker::QuantExpr(const ast::Expr& e) {
  ExprId list = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(list)) return Poison(e.range);
  const auto& li = m_.types.info(TypeOf(list));
  if (li.kind != TypeKind::List) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("`{}` ranges over a list, found {}", e.text, Name(TypeOf(list))));
    return Poison(e.range);
  }
  size_t mark = scope_.size();
  uint32_t saved_next = next_slot_;
  uint32_t slot = Bind(e.names[0], li.ref);
  ExprId body =
      Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(), fmt::format("the body of `{}`", e.text));
  scope_.resize(mark);
  next_slot_ = saved_next;
  if (IsError(body)) return Poison(e.range);
  return Emit(e.text == "exists" ? Op::Exists : Op::Forall, m_.types.boolean(), e.range, slot, list, body);
}

}  // namespace edict::check::internal
