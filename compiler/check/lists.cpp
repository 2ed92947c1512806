// Lists: the operations over a list (`[v for x in l where c]`, `sum(v for x in l)`, `min`, `max`,
// `count(x in l where c)`, `argmax(x in l by k)`, `argmin`, `sort`) and indexing `l[i]`.
#include "compiler/check/checker.h"

namespace edict::check::internal {

namespace {

// How each operation is written: with one value per element (`v for x in l`) or over the elements
// themselves (`x in l where c by k`).
bool TakesValue(ast::ListOp op) {
  switch (op) {
    case ast::ListOp::Map:
    case ast::ListOp::Sum:
    case ast::ListOp::Min:
    case ast::ListOp::Max: return true;
    case ast::ListOp::Count:
    case ast::ListOp::ArgMax:
    case ast::ListOp::ArgMin:
    case ast::ListOp::Sort: return false;
  }
  return false;
}

// The form to write it in, for the diagnostic that finds it written otherwise.
std::string Form(ast::ListOp op) {
  switch (op) {
    case ast::ListOp::Map: return "`[value for x in list where condition]`";
    case ast::ListOp::Sum:
    case ast::ListOp::Min:
    case ast::ListOp::Max:
      return fmt::format("`{}(value for x in list)`, with `where condition` optional", ast::Spelling(op));
    case ast::ListOp::Count: return "`count(x in list where condition)`";
    case ast::ListOp::ArgMax:
    case ast::ListOp::ArgMin:
    case ast::ListOp::Sort:
      return fmt::format("`{}(x in list by key)`, with `where condition` before `by` optional", ast::Spelling(op));
  }
  return "";
}

}  // namespace

// Whether a key of `argmax`, `argmin`, `sort` or a value of `min`, `max` has this type: a number
// or a date, which every engine orders totally and without failing.
bool Checker::IsRankable(TypeId t) const {
  auto k = m_.types.kind(t);
  return k == TypeKind::Integer || k == TypeKind::Decimal || k == TypeKind::Date;
}

ExprId Checker::ListOpExpr(const ast::Expr& e) {
  const ast::Expr* value = nullptr;
  const ast::Expr* cond = nullptr;
  const ast::Expr* key = nullptr;
  for (size_t i = 1; i < e.kids.size(); ++i) {
    if (e.names[i] == "value") value = e.kids[i].get();
    if (e.names[i] == "where") cond = e.kids[i].get();
    if (e.names[i] == "by") key = e.kids[i].get();
  }
  if (!e.list_op) {
    auto& d = diags_.Emit(DiagKind::InvalidListOperation, e.name_ranges.empty() ? e.range : e.range,
                          fmt::format("`{}` is not an operation over a list", e.text));
    d.notes.push_back({{},
                       value ? "one value per element: `[value for x in list]`, `sum(...)`, `min(...)`, `max(...)`"
                             : "over the elements: `count(x in list where ...)`, `argmax(x in list by key)`, "
                               "`argmin(...)`, `sort(...)`"});
    return Poison(e.range);
  }
  const ast::ListOp op = *e.list_op;
  if (TakesValue(op) != (value != nullptr) || (op == ast::ListOp::Count && (key || !cond)) ||
      (!TakesValue(op) && op != ast::ListOp::Count && !key)) {
    diags_.Emit(
        DiagKind::InvalidListOperation, e.range,
        fmt::format("`{}` is written {}",
                    ast::Spelling(op) == std::string("[for]") ? "a list comprehension" : ast::Spelling(op), Form(op)));
    return Poison(e.range);
  }
  ExprId list = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(list)) return Poison(e.range);
  const auto& li = m_.types.info(TypeOf(list));
  if (li.kind != TypeKind::List) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("`{}` ranges over a list, found {}", e.names[0], Name(TypeOf(list))));
    return Poison(e.range);
  }
  const TypeId elem = li.ref;
  size_t mark = scope_.size();
  uint32_t saved_next = next_slot_;
  uint32_t slot = Bind(e.names[0], elem);
  ExprId where = kNoExpr, val = kNoExpr, k = kNoExpr;
  bool bad = false;
  if (cond) {
    where = Coerce(CheckExpr(*cond, m_.types.boolean()), m_.types.boolean(), "the condition after `where`");
    bad |= IsError(where);
  }
  if (value) {
    val = CheckExpr(*value, m_.types.error());
    bad |= IsError(val);
    if (!bad && op != ast::ListOp::Map &&
        (op == ast::ListOp::Sum ? !IsNumeric(TypeOf(val)) : !IsRankable(TypeOf(val)))) {
      diags_.Emit(DiagKind::TypeMismatch, value->range,
                  fmt::format("`{}` needs {} for each element, found {}", ast::Spelling(op),
                              op == ast::ListOp::Sum ? "a number" : "a number or a date", Name(TypeOf(val))));
      bad = true;
    }
  }
  if (key) {
    k = CheckExpr(*key, m_.types.error());
    bad |= IsError(k);
    if (!bad && !IsRankable(TypeOf(k))) {
      auto& d = diags_.Emit(DiagKind::TypeMismatch, key->range,
                            fmt::format("the key after `by` must be a number or a date, found {}", Name(TypeOf(k))));
      if (m_.types.kind(TypeOf(k)) == TypeKind::Duration)
        d.notes.push_back({{}, "durations in months and in days do not compare: use `days_of(...)`"});
      bad = true;
    }
  }
  scope_.resize(mark);
  next_slot_ = saved_next;
  if (bad) return Poison(e.range);
  // The elements the condition keeps, then the operation on them.
  ExprId kept = cond ? Emit(Op::ListFilter, TypeOf(list), e.range, slot, list, where) : list;
  auto mapped = [&] {
    return Emit(Op::ListMap, m_.types.Intern({TypeKind::List, 0, TypeOf(val)}), e.range, slot, kept, val);
  };
  auto builtin = [&](ir::Builtin b, ExprId arg, TypeId t) {
    return Emit(Op::Builtin, t, e.range, uint32_t(b), Extra({arg}), 1);
  };
  switch (op) {
    case ast::ListOp::Map: return mapped();
    case ast::ListOp::Sum: return builtin(ir::Builtin::Sum, mapped(), TypeOf(val));
    case ast::ListOp::Min: return Emit(Op::ListMin, TypeOf(val), e.range, mapped());
    case ast::ListOp::Max: return Emit(Op::ListMax, TypeOf(val), e.range, mapped());
    case ast::ListOp::Count: return builtin(ir::Builtin::Count, kept, m_.types.integer());
    case ast::ListOp::ArgMax: return Emit(Op::ListArgMax, elem, e.range, slot, kept, k);
    case ast::ListOp::ArgMin: return Emit(Op::ListArgMin, elem, e.range, slot, kept, k);
    case ast::ListOp::Sort: return Emit(Op::ListSort, TypeOf(kept), e.range, slot, kept, k);
  }
  return Poison(e.range);  // not reached: the switch lists every operation
}

// A call `sort(...)`, `argmax(...)`, or `count(c in l)` whose `c` names nothing: an operation over
// a list written in a form the grammar does not read as one. Reported once, as the form to write.
std::optional<ExprId> Checker::ListOpCall(const ast::Expr& e) {
  auto op = ast::ListOpSpelled(e.text);
  if (!op || Lookup(e.text) || globals_.count(e.text)) return std::nullopt;
  bool rank = *op == ast::ListOp::ArgMax || *op == ast::ListOp::ArgMin || *op == ast::ListOp::Sort;
  bool binder = e.kids.size() == 1 && e.kids[0]->kind == ast::ExprKind::In &&
                e.kids[0]->kids[0]->kind == ast::ExprKind::Name && !Lookup(e.kids[0]->kids[0]->text) &&
                !globals_.count(e.kids[0]->kids[0]->text);
  if (!rank && !binder) return std::nullopt;
  diags_.Emit(DiagKind::InvalidListOperation, e.range,
              fmt::format("`{}` is written {}", ast::Spelling(*op), Form(*op)));
  return Poison(e.range);
}

ExprId Checker::IndexExpr(const ast::Expr& e) {
  ExprId list = CheckExpr(*e.kids[0], m_.types.error());
  ExprId at = CheckExpr(*e.kids[1], m_.types.integer());
  if (IsError(list) || IsError(at)) return Poison(e.range);
  const auto& li = m_.types.info(TypeOf(list));
  if (li.kind != TypeKind::List) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("only a list has elements at positions, found {}", Name(TypeOf(list))));
    return Poison(e.range);
  }
  const auto& ai = m_.types.info(TypeOf(at));
  if (ai.kind != TypeKind::Integer || ai.unit != 0) {
    diags_.Emit(DiagKind::TypeMismatch, e.kids[1]->range,
                fmt::format("a position in a list is an integer with no unit, found {}", Name(TypeOf(at))));
    return Poison(e.range);
  }
  return Emit(Op::ListIndex, li.ref, e.range, list, at);
}

}  // namespace edict::check::internal
