// Built-in functions (compiler/ir/builtins.def): the typing rule of each.
#include "compiler/check/checker.h"

namespace edict::check::internal {

ExprId Checker::BuiltinCall(const ast::Expr& e, const BuiltinSpec& b) {
  if (int(e.kids.size()) != b.arity || (!e.names.empty() && !e.names[0].empty())) {
    diags_.Emit(DiagKind::WrongArguments, e.range,
                fmt::format("`{}` takes {} positional argument{}, found {}", b.name, b.arity, b.arity == 1 ? "" : "s",
                            e.kids.size()));
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    return Poison(e.range);
  }
  std::vector<uint32_t> args;
  for (const auto& k : e.kids) args.push_back(CheckExpr(*k, m_.types.error()));
  for (uint32_t a : args)
    if (IsError(a)) return Poison(e.range);
  auto& T = m_.types;
  auto need = [&](size_t i, TypeId t) {
    args[i] = Coerce(args[i], t, fmt::format("the argument of `{}`", b.name));
    return !IsError(args[i]);
  };
  auto need_numeric = [&](size_t i) {
    if (IsNumeric(TypeOf(args[i]))) return true;
    diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[i]].range,
                fmt::format("`{}` needs a number, found {}", b.name, Name(TypeOf(args[i]))));
    return false;
  };
  TypeId result = T.error();
  using B = ir::Builtin;
  switch (b.id) {
    case B::YearOf:
    case B::MonthOf:
    case B::DayOf:
      if (!need(0, T.date())) return Poison(e.range);
      result = T.integer();
      break;
    case B::MakeDate:
      for (size_t i = 0; i < 3; ++i)
        if (!need(i, T.integer())) return Poison(e.range);
      result = T.date();
      break;
    case B::AddMonthsStrict:
    case B::AddMonthsUp:
      if (!need(0, T.date()) || !need(1, T.integer())) return Poison(e.range);
      result = T.date();
      break;
    case B::DaysOf:
      if (!need(0, T.duration())) return Poison(e.range);
      result = T.integer();
      break;
    case B::Floor:
    case B::Ceil:
    case B::Truncate:
    case B::RoundHalfUp:
    case B::RoundHalfEven:
    case B::ToInteger:
      if (!need_numeric(0)) return Poison(e.range);
      args[0] = ToDec(args[0]);
      result = IntegerWithUnit(T.info(TypeOf(args[0])).unit);
      break;
    case B::Abs:
      if (!need_numeric(0)) return Poison(e.range);
      result = TypeOf(args[0]);
      break;
    case B::Min:
    case B::Max: {
      if (!need_numeric(0) || !need_numeric(1)) return Poison(e.range);
      if (!UnifyNumeric(args[0], args[1], e, fmt::format("the arguments of `{}`", b.name))) return Poison(e.range);
      result = TypeOf(args[0]);
      break;
    }
    case B::Count: {
      auto k = KindOf(args[0]);
      if (k != TypeKind::List && k != TypeKind::Set) {
        diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[0]].range,
                    fmt::format("`count` needs a list or a set, found {}", Name(TypeOf(args[0]))));
        return Poison(e.range);
      }
      result = T.integer();
      break;
    }
    case B::Sum: {
      const auto& li = T.info(TypeOf(args[0]));
      if (li.kind != TypeKind::List || !IsNumeric(li.ref)) {
        diags_.Emit(DiagKind::TypeMismatch, m_.exprs[args[0]].range,
                    fmt::format("`sum` needs a list of numbers, found {}", Name(TypeOf(args[0]))));
        return Poison(e.range);
      }
      result = li.ref;
      break;
    }
  }
  return Emit(Op::Builtin, result, e.range, uint32_t(b.id), Extra(args), uint32_t(args.size()));
}

}  // namespace edict::check::internal
