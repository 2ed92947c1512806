// Operators: the typing of unary and binary operators (arithmetic and units, dates and
// durations, sets, comparisons, logic), membership (`in`) and quantifiers (`exists`, `all`).
#include "compiler/check/checker.h"

namespace edict::check::internal {

ExprId Checker::UnaryExpr(const ast::Expr& e) {
  switch (e.unary_op) {
    case ast::UnaryOp::Not: {
      ExprId x = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(), "the operand of `not`");
      if (IsError(x)) return Poison(e.range);
      return Emit(Op::Not, m_.types.boolean(), e.range, x);
    }
    case ast::UnaryOp::Neg: return NegExpr(e);
  }
  return Poison(e.range);  // not reached: the switch lists every operator
}

ExprId Checker::NegExpr(const ast::Expr& e) {
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
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Date:
    case TypeKind::Text:
    case TypeKind::Enum:
    case TypeKind::Set:
    case TypeKind::Record:
    case TypeKind::List:
    case TypeKind::Sum: break;
  }
  diags_.Emit(DiagKind::InvalidOperands, e.range, fmt::format("cannot negate {}", Name(TypeOf(x))));
  return Poison(e.range);
}

ExprId Checker::BinaryExpr(const ast::Expr& e) {
  const ast::BinaryOp op = e.binary_op;
  const std::string spelling = ast::Spelling(op);
  // The operands: booleans for `and` and `or`; otherwise the right one is checked expecting the
  // type of the left one.
  ExprId a = kNoExpr, b = kNoExpr;
  switch (op) {
    case ast::BinaryOp::And:
    case ast::BinaryOp::Or:
      a = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(),
                 fmt::format("the left operand of `{}`", spelling));
      b = Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(),
                 fmt::format("the right operand of `{}`", spelling));
      break;
    case ast::BinaryOp::Mul:
    case ast::BinaryOp::Div:
    case ast::BinaryOp::Mod:
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub:
    case ast::BinaryOp::Union:
    case ast::BinaryOp::Inter:
    case ast::BinaryOp::Minus:
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne:
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge:
      a = CheckExpr(*e.kids[0], m_.types.error());
      b = CheckExpr(*e.kids[1], TypeOf(a));
      break;
  }
  if (IsError(a) || IsError(b)) return Poison(e.range);
  TypeKind ka = KindOf(a), kb = KindOf(b);
  auto& T = m_.types;
  auto invalid = [&]() {
    diags_.Emit(DiagKind::InvalidOperands, e.range,
                fmt::format("`{}` cannot combine {} and {}", spelling, Name(TypeOf(a)), Name(TypeOf(b))));
    return Poison(e.range);
  };
  bool na = IsNumeric(TypeOf(a)), nb = IsNumeric(TypeOf(b));
  auto additive = [&](bool plus) {
    if (na && nb) {
      if (!UnifyNumeric(a, b, e, fmt::format("the operands of `{}`", spelling))) return Poison(e.range);
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
  };
  auto set_op = [&](Op o) {
    if (ka != TypeKind::Set || kb != TypeKind::Set) return invalid();
    if (TypeOf(a) != TypeOf(b)) {
      diags_.Emit(
          DiagKind::TypeMismatch, e.range,
          fmt::format("`{}` needs two sets of one enum, found {} and {}", spelling, Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    }
    return Emit(o, TypeOf(a), e.range, a, b);
  };
  auto comparison = [&](Op o) {
    bool ordering = o != Op::Eq && o != Op::Ne;
    if (na && nb) {
      if (!UnifyNumeric(a, b, e, "the operands of `" + spelling + "`")) return Poison(e.range);
      return Emit(o, T.boolean(), e.range, a, b);
    }
    if (TypeOf(a) != TypeOf(b) && ka == TypeKind::Sum && kb == TypeKind::Sum) {
      // `some(5) == cap` with `cap: optional decimal`: the left side read as the right's type.
      ExprId again = CheckExpr(*e.kids[0], TypeOf(b));
      if (TypeOf(again) == TypeOf(b)) a = again;
    }
    if (TypeOf(a) != TypeOf(b)) {
      diags_.Emit(DiagKind::TypeMismatch, e.range,
                  fmt::format("cannot compare {} with {}", Name(TypeOf(a)), Name(TypeOf(b))));
      return Poison(e.range);
    }
    if (ordering && ka != TypeKind::Date && ka != TypeKind::Duration) {
      diags_.Emit(DiagKind::InvalidOperands, e.range,
                  fmt::format("`{}` needs numbers, dates or durations, found {}", spelling, Name(TypeOf(a))));
      return Poison(e.range);
    }
    return Emit(o, T.boolean(), e.range, a, b);
  };
  switch (op) {
    case ast::BinaryOp::And: return Emit(Op::And, m_.types.boolean(), e.range, a, b);
    case ast::BinaryOp::Or: return Emit(Op::Or, m_.types.boolean(), e.range, a, b);
    case ast::BinaryOp::Add: return additive(true);
    case ast::BinaryOp::Sub: return additive(false);
    case ast::BinaryOp::Mul:
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
    case ast::BinaryOp::Div:
      if (na && nb) {
        rt::UnitId u = T.DivUnits(T.info(TypeOf(a)).unit, T.info(TypeOf(b)).unit);
        return Emit(Op::DecDiv, DecimalWithUnit(u), e.range, ToDec(a), ToDec(b));
      }
      return invalid();
    case ast::BinaryOp::Mod:
      // The remainder of whole numbers, in the dividend's unit; the divisor is dimensionless or
      // in that unit too (`stock mod 12`, `stock mod 12 [chip]`).
      if (!na || !nb) return invalid();
      if (ka != TypeKind::Integer || kb != TypeKind::Integer) {
        auto& d = diags_.Emit(DiagKind::InvalidOperands, e.range,
                              fmt::format("`mod` needs integers, found {} and {}", Name(TypeOf(a)), Name(TypeOf(b))));
        d.notes.push_back({{}, "round a decimal to an integer first, e.g. with `floor`"});
        return Poison(e.range);
      }
      if (T.info(TypeOf(b)).unit != 0 && !UnifyNumeric(a, b, e, "the operands of `mod`")) return Poison(e.range);
      return Emit(Op::IntMod, TypeOf(a), e.range, a, b);
    case ast::BinaryOp::Union: return set_op(Op::SetUnion);
    case ast::BinaryOp::Inter: return set_op(Op::SetInter);
    case ast::BinaryOp::Minus: return set_op(Op::SetMinus);
    case ast::BinaryOp::Eq: return comparison(Op::Eq);
    case ast::BinaryOp::Ne: return comparison(Op::Ne);
    case ast::BinaryOp::Lt: return comparison(Op::Lt);
    case ast::BinaryOp::Le: return comparison(Op::Le);
    case ast::BinaryOp::Gt: return comparison(Op::Gt);
    case ast::BinaryOp::Ge: return comparison(Op::Ge);
  }
  return Poison(e.range);  // not reached: the switch lists every operator
}

ExprId Checker::InExpr(const ast::Expr& e) {
  ExprId coll = CheckExpr(*e.kids[1], m_.types.error());
  TypeId elem_hint = m_.types.error();
  const auto& ci = m_.types.info(TypeOf(coll));
  if (ci.kind == TypeKind::Set) elem_hint = m_.types.EnumType(ci.ref);
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
  switch (e.membership_op) {
    case ast::MembershipOp::In: return r;
    case ast::MembershipOp::NotIn: return Emit(Op::Not, m_.types.boolean(), e.range, r);
  }
  return r;  // not reached: the switch lists every operator
}

ExprId Checker::QuantExpr(const ast::Expr& e) {
  const char* spelling = ast::Spelling(e.quantifier);
  ExprId list = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(list)) return Poison(e.range);
  const auto& li = m_.types.info(TypeOf(list));
  if (li.kind != TypeKind::List) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("`{}` ranges over a list, found {}", spelling, Name(TypeOf(list))));
    return Poison(e.range);
  }
  size_t mark = scope_.size();
  uint32_t saved_next = next_slot_;
  uint32_t slot = Bind(e.names[0], li.ref);
  ExprId body =
      Coerce(CheckExpr(*e.kids[1], m_.types.boolean()), m_.types.boolean(), fmt::format("the body of `{}`", spelling));
  scope_.resize(mark);
  next_slot_ = saved_next;
  if (IsError(body)) return Poison(e.range);
  switch (e.quantifier) {
    case ast::Quantifier::Exists: return Emit(Op::Exists, m_.types.boolean(), e.range, slot, list, body);
    case ast::Quantifier::All: return Emit(Op::Forall, m_.types.boolean(), e.range, slot, list, body);
  }
  return Poison(e.range);  // not reached: the switch lists every quantifier
}

}  // namespace edict::check::internal
