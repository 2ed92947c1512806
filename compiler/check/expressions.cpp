// Expressions: local scopes, and the typing of literals, names, calls (of helpers, decisions and
// other versions' declarations), records, sets, lists, field access, `with` and `if`. Operators
// are in operators.cpp, built-in functions in builtins.cpp.
#include <algorithm>
#include <set>

#include "compiler/check/checker.h"

namespace edict::check::internal {

void Checker::ResetScope() {
  scope_.clear();
  next_slot_ = 0;
  max_slots_ = 0;
}

uint32_t Checker::Bind(const std::string& name, TypeId t) {
  uint32_t slot = next_slot_++;
  max_slots_ = std::max(max_slots_, next_slot_);
  scope_.push_back({name, t, false, slot});
  return slot;
}

const LocalVar* Checker::Lookup(const std::string& name) const {
  for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

// `expected` guides enum members and empty literals; it is not enforced here (callers Coerce).
// Checks an expression, keeping the depth of the current one (the parser bounds it) and the
// deepest of each definition, for the limit on nesting through calls (CheckCycles).
ExprId Checker::CheckExpr(const ast::Expr& e, TypeId expected) {
  ++depth_;
  if (current_owner_.index != UINT32_MAX) {
    uint32_t& deepest = owner_depth_[OwnerNode(current_owner_.kind, current_owner_.index)];
    deepest = std::max(deepest, depth_);
  }
  ExprId id = CheckExprAt(e, expected);
  --depth_;
  return id;
}

ExprId Checker::CheckExprAt(const ast::Expr& e, TypeId expected) {
  switch (e.kind) {
    case ast::ExprKind::Error: return Poison(e.range);
    case ast::ExprKind::Number: return Number(e);
    case ast::ExprKind::DurationLit: return DurationLit(e);
    case ast::ExprKind::DateLit: {
      auto d = rt::ParseDate(e.text);
      if (!d) {
        diags_.Emit(DiagKind::InvalidLiteral, e.range, fmt::format("`{}` is not a calendar date", e.text));
        return Poison(e.range);
      }
      return Emit(Op::DateLit, m_.types.date(), e.range, uint32_t(d->days));
    }
    case ast::ExprKind::StringLit:
      m_.texts.push_back(e.text);
      return Emit(Op::TextLit, m_.types.text(), e.range, uint32_t(m_.texts.size() - 1));
    case ast::ExprKind::BoolLit: return Emit(Op::BoolLit, m_.types.boolean(), e.range, e.text == "true");
    case ast::ExprKind::Name: return NameExpr(e, expected);
    case ast::ExprKind::Call: return CallExpr(e, expected);
    case ast::ExprKind::RecordLit: return RecordLit(e);
    case ast::ExprKind::SetLit: return SetLit(e, expected);
    case ast::ExprKind::ListLit: return ListLit(e, expected);
    case ast::ExprKind::Field: return FieldExpr(e);
    case ast::ExprKind::With: return WithExpr(e);
    case ast::ExprKind::Unary: return UnaryExpr(e);
    case ast::ExprKind::Binary: return BinaryExpr(e);
    case ast::ExprKind::In: return InExpr(e);
    case ast::ExprKind::If: return IfExpr(e, expected);
    case ast::ExprKind::Quant: return QuantExpr(e);
    case ast::ExprKind::ListOp: return ListOpExpr(e);
    case ast::ExprKind::Index: return IndexExpr(e);
    case ast::ExprKind::Match: return MatchExpr(e, expected);
  }
  return Poison(e.range);
}

ExprId Checker::Number(const ast::Expr& e) {
  rt::UnitId u = ResolveUnit(e.unit);
  if (u == kBadUnit) return Poison(e.range);
  if (!e.text.empty() && e.text.back() == '%') return Percent(e);
  bool is_dec = e.text.find_first_of(".eE") != std::string::npos;
  rt::Decimal::ParseProblem problem;
  auto d = rt::Decimal::Parse(e.text, &problem);
  if (!d) {
    diags_.Emit(DiagKind::InvalidLiteral, e.range, fmt::format("`{}` is {}", e.text, rt::Decimal::Describe(problem)));
    return Poison(e.range);
  }
  if (!is_dec) {
    if (d->num() > INT64_MAX) {
      auto& diag = diags_.Emit(DiagKind::InvalidLiteral, e.range,
                               fmt::format("`{}` does not fit in an integer (64-bit)", e.text));
      diag.notes.push_back({{}, "write a decimal literal instead, such as `1e26` or `100000000000000000000.0`"});
      return Poison(e.range);
    }
    m_.ints.push_back(int64_t(d->num()));
    return Emit(Op::IntLit, IntegerWithUnit(u), e.range, uint32_t(m_.ints.size() - 1));
  }
  m_.decs.push_back(*d);
  return Emit(Op::DecLit, DecimalWithUnit(u), e.range, uint32_t(m_.decs.size() - 1));
}

// The value of a number literal's text: `15831.2`, or a percentage `40%` (the number divided by
// 100, exactly); nothing when it has no exact value (*problem says why).
std::optional<rt::Decimal> Checker::NumberValue(const std::string& text, rt::Decimal::ParseProblem* problem) {
  bool percent = !text.empty() && text.back() == '%';
  auto d = rt::Decimal::Parse(percent ? std::string_view(text).substr(0, text.size() - 1) : text, problem);
  rt::Decimal value;
  if (d && percent && !rt::Decimal::Div(*d, rt::Decimal::FromInt(100), &value)) {
    if (problem) *problem = rt::Decimal::ParseProblem::kTooPrecise;
    return std::nullopt;
  }
  return d && percent ? std::optional<rt::Decimal>(value) : d;
}

// `40%`: always a dimensionless decimal (`100%` is 1.0, not an integer).
ExprId Checker::Percent(const ast::Expr& e) {
  rt::Decimal::ParseProblem problem;
  auto d = NumberValue(e.text, &problem);
  if (!d) {
    diags_.Emit(DiagKind::InvalidLiteral, e.range, fmt::format("`{}` is {}", e.text, rt::Decimal::Describe(problem)));
    return Poison(e.range);
  }
  m_.decs.push_back(*d);
  return Emit(Op::DecLit, m_.types.decimal(), e.range, uint32_t(m_.decs.size() - 1));
}

ExprId Checker::DurationLit(const ast::Expr& e) {
  const std::string& num = e.kids[0]->text;
  auto d = rt::Decimal::Parse(num);
  if (!d || !d->IsInteger() || d->num() > 1000000) {
    diags_.Emit(DiagKind::InvalidLiteral, e.range,
                fmt::format("a duration needs a whole number of at most 1000000, found `{}`", num));
    return Poison(e.range);
  }
  int64_t n = int64_t(d->num());
  rt::Duration dur;
  if (e.text.rfind("day", 0) == 0)
    dur.days = n;
  else if (e.text.rfind("month", 0) == 0)
    dur.months = n;
  else
    dur.months = n * 12;
  m_.durs.push_back(dur);
  return Emit(Op::DurLit, m_.types.duration(), e.range, uint32_t(m_.durs.size() - 1));
}

ExprId Checker::NameExpr(const ast::Expr& e, TypeId expected) {
  if (const LocalVar* l = Lookup(e.text))
    return l->is_let ? Emit(Op::LetRef, l->type, e.range, l->index) : Emit(Op::Local, l->type, e.range, l->index);
  if (auto val = LookupValue(e.text)) {
    if (val->kind == SymKind::Const) {
      AddDep(SymKind::Const, val->index);
      return Emit(Op::Const, m_.consts[val->index].type, e.range, val->index);
    }
    auto& d =
        diags_.Emit(DiagKind::TypeMismatch, e.range, fmt::format("`{}` is a function; call it with arguments", e.text));
    d.notes.push_back({val->range, "declared here"});
    return Poison(e.range);
  }
  auto g = globals_.find(e.text);
  if (g != globals_.end()) {
    switch (g->second.kind) {
      case SymKind::Const:
      case SymKind::Def:
      case SymKind::Decision: return Poison(e.range);  // values live in the version tables
      case SymKind::Enum:
      case SymKind::Record: {
        auto& d = diags_.Emit(DiagKind::TypeMismatch, e.range, fmt::format("`{}` is a type, not a value", e.text));
        if (g->second.kind == SymKind::Enum)
          d.notes.push_back({{},
                             fmt::format("name a member, such as `{}.{}`", e.text,
                                         m_.types.enums[g->second.index].members.empty()
                                             ? "x"
                                             : m_.types.enums[g->second.index].members[0])});
        return Poison(e.range);
      }
    }
  }
  if ((e.text == "none" || e.text == "some") && (IsOptional(expected) || !members_.count(e.text)))
    return OptionalNone(e, expected);
  auto mem = members_.find(e.text);
  if (mem != members_.end()) {
    const auto& cands = mem->second;
    if (cands.size() == 1) return EnumMember(cands[0].first, cands[0].second, e.range);
    // Several enums have this member: the expected type decides.
    const auto& ei = m_.types.info(expected);
    uint32_t want_enum =
        ei.kind == TypeKind::Enum || ei.kind == TypeKind::Set || ei.kind == TypeKind::Sum ? ei.ref : UINT32_MAX;
    for (auto [en, idx] : cands)
      if (en == want_enum) return EnumMember(en, idx, e.range);
    auto& d = diags_.Emit(DiagKind::AmbiguousName, e.range, e.text);
    for (auto [en, idx] : cands)
      d.notes.push_back(
          {m_.types.enums[en].range, fmt::format("write `{}.{}` for the member of `{}`", m_.types.enums[en].name,
                                                 e.text, m_.types.enums[en].name)});
    return Poison(e.range);
  }
  if (e.text == "default" || e.text.empty()) return Poison(e.range);
  auto& d = diags_.Emit(DiagKind::UnknownName, e.range, e.text);
  Suggest(d, e.text, [&](auto add) {
    for (const auto& l : scope_) add(l.name);
    for (const auto& [n, s] : tables_[current_version_])
      if (s.kind == SymKind::Const) add(n);
    for (const auto& [n, _] : members_) add(n);
  });
  return Poison(e.range);
}

ExprId Checker::EnumMember(uint32_t en, uint32_t idx, SourceRange r) {
  const rt::EnumInfo& info = m_.types.enums[en];
  if (!info.sum) return Emit(Op::EnumLit, m_.types.EnumType(en), r, en, idx);
  if (info.HasPayload(idx)) {
    auto& d = diags_.Emit(DiagKind::TypeMismatch, r,
                          fmt::format("`{}` carries a value ({}): give it, as in `{}(...)`", info.members[idx],
                                      Name(info.payloads[idx]), info.members[idx]));
    (void)d;
    return Poison(r);
  }
  return Emit(Op::SumLit, m_.types.EnumType(en), r, en, idx);
}

// Matches call arguments (all positional or all named) to parameters. For a helper generic over
// units (`generic`), the arguments are checked first, the units inferred from them, and then each
// argument is converted to its parameter's type with those units, as is `*result`.
std::vector<uint32_t> Checker::Args(const ast::Expr& e, const std::vector<ir::Param>& params, const std::string& callee,
                                    const ir::Def* generic, TypeId* result) {
  std::vector<uint32_t> out(params.size(), kNoExpr);
  bool named = !e.names.empty() && !e.names[0].empty();
  bool bad = false;
  std::vector<std::string> what(params.size());
  std::vector<const ast::Expr*> given(params.size(), nullptr);
  auto take = [&](size_t pi, const ast::Expr& arg, std::string place) {
    given[pi] = &arg;
    // A type with a unit parameter guides nothing (a list literal's elements keep their units).
    bool open = false;
    if (generic)
      for (uint32_t u : generic->unit_params) open = open || MentionsUnit(params[pi].type, u);
    ExprId x = CheckExpr(arg, open ? m_.types.error() : params[pi].type);
    if (generic) {
      what[pi] = std::move(place);
      return x;
    }
    return Coerce(x, params[pi].type, place);
  };
  auto finish = [&]() {
    if (!generic) return;
    std::optional<std::map<uint32_t, rt::UnitId>> sub;
    if (!bad) sub = InferUnits(*generic, out, e);
    if (!sub) {
      for (auto& o : out) o = Poison(e.range);
      *result = m_.types.error();
      return;
    }
    for (size_t pi = 0; pi < params.size(); ++pi) {
      TypeId want = SubstituteUnits(params[pi].type, *sub);
      // A list literal is typed again now that its element type is known (`[1 [chip], 2.5 [chip]]`
      // for a `list of decimal[u]`), as it would be for a helper that is not generic.
      if (given[pi] && TypeOf(out[pi]) != want && KindOf(out[pi]) == TypeKind::List &&
          m_.types.kind(want) == TypeKind::List)
        out[pi] = CheckExpr(*given[pi], want);
      out[pi] = Coerce(out[pi], want, what[pi]);
    }
    *result = SubstituteUnits(generic->result, *sub);
  };
  if (named) {
    for (size_t i = 0; i < e.kids.size(); ++i) {
      const std::string& n = i < e.names.size() ? e.names[i] : "";
      auto it = std::find_if(params.begin(), params.end(), [&](const ir::Param& p) { return p.name == n; });
      if (n.empty() || it == params.end()) {
        auto& d =
            diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range,
                        n.empty() ? fmt::format("mix of named and positional arguments in the call of `{}`", callee)
                                  : fmt::format("`{}` has no parameter `{}`", callee, n));
        (void)d;
        CheckExpr(*e.kids[i], m_.types.error());
        bad = true;
        continue;
      }
      size_t pi = size_t(it - params.begin());
      if (out[pi] != kNoExpr) {
        diags_.Emit(DiagKind::WrongArguments, e.kids[i]->range, fmt::format("the parameter `{}` is given twice", n));
        bad = true;
        continue;
      }
      out[pi] = take(pi, *e.kids[i], fmt::format("the argument `{}`", n));
    }
    for (size_t pi = 0; pi < params.size(); ++pi) {
      if (out[pi] == kNoExpr && !bad) {
        diags_.Emit(DiagKind::WrongArguments, e.range,
                    fmt::format("the call of `{}` is missing the argument `{}`", callee, params[pi].name));
        bad = true;
      }
      if (out[pi] == kNoExpr) out[pi] = Poison(e.range);
    }
    finish();
    return out;
  }
  if (e.kids.size() != params.size()) {
    diags_.Emit(DiagKind::WrongArguments, e.range,
                fmt::format("`{}` takes {} argument{}, found {}", callee, params.size(), params.size() == 1 ? "" : "s",
                            e.kids.size()));
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    for (auto& o : out) o = Poison(e.range);
    if (generic) *result = m_.types.error();
    return out;
  }
  for (size_t i = 0; i < params.size(); ++i)
    out[i] = take(i, *e.kids[i], fmt::format("the argument `{}`", params[i].name));
  finish();
  return out;
}

ExprId Checker::CallExpr(const ast::Expr& e, TypeId expected) {
  SourceRange callee_range = e.name_ranges.empty() ? e.range : e.name_ranges[0];
  // `r0.licence(args)`: a declaration of another version of the law.
  std::optional<Symbol> val;
  std::string callee = e.text;
  // `S.v(...)`: the decision of a scope's variable (named so by the expansion of the scope).
  std::optional<Symbol> whole = e.text.find('.') != std::string::npos ? LookupValue(e.text) : std::nullopt;
  if (whole) {
    val = whole;
  } else if (size_t dot = e.text.find('.'); dot != std::string::npos) {
    std::string vname = e.text.substr(0, dot);
    callee = e.text.substr(dot + 1);
    // `Sale.most_recent(p)`: a member of an enum that carries a value.
    if (auto g = globals_.find(vname); g != globals_.end() && g->second.kind == SymKind::Enum && !Lookup(vname)) {
      const rt::EnumInfo& en = m_.types.enums[g->second.index];
      for (size_t i = 0; i < en.members.size(); ++i)
        if (en.members[i] == callee) return Construct(e, g->second.index, uint32_t(i));
      auto& d = diags_.Emit(DiagKind::UnknownMember, callee_range, en.name, callee);
      Suggest(d, callee, [&](auto add) {
        for (const auto& m : en.members) add(m);
      });
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    auto v = VersionNamed(vname);
    if (!v) {
      auto& d = diags_.Emit(DiagKind::UnknownName, callee_range, vname);
      std::string names;
      for (const auto& ver : m_.versions)
        if (!ver.name.empty()) names += (names.empty() ? "`" : ", `") + ver.name + "`";
      d.notes.push_back({{},
                         names.empty() ? "this program has no versions to qualify a name with"
                                       : "the versions of this program are " + names});
      for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
      return Poison(e.range);
    }
    val = LookupValue(callee, *v);
  } else {
    val = LookupValue(callee);
  }
  if (val && val->kind == SymKind::Def) {
    const ir::Def& d = m_.defs[val->index];
    AddDep(SymKind::Def, val->index);
    TypeId result = d.result;
    auto args = Args(e, d.params, e.text, d.unit_params.empty() ? nullptr : &d, &result);
    if (m_.types.kind(result) == TypeKind::Error && !d.unit_params.empty()) return Poison(e.range);
    return Emit(Op::Call, result, e.range, val->index, Extra(args));
  }
  if (val && val->kind == SymKind::Decision) {
    const ir::Decision& d = m_.decisions[val->index];
    AddDep(SymKind::Decision, val->index);
    auto scope = scope_entries_.find(val->index);
    auto args = scope != scope_entries_.end() ? ScopeArgs(e, d, *scope->second) : Args(e, d.params, e.text);
    ExprId call = Emit(Op::DecisionCall, d.result, e.range, val->index, Extra(args));
    // A call of a variable of the caller's scope with the caller's own arguments (those the
    // expansion of a scope writes) shares the caller's scope frame (ir::Decision::scope).
    if (current_owner_.kind == SymKind::Decision && current_owner_.index < m_.decisions.size()) {
      const ir::Decision& caller = m_.decisions[current_owner_.index];
      if (ir::SharesScopeFrame(m_, m_.exprs[call], caller.scope, caller.params.size())) m_.exprs[call].c = 1;
    }
    return call;
  }
  if (callee == e.text && !val && !Lookup(e.text))
    if (auto made = MemberCall(e, expected)) return *made;
  if (callee == e.text && !val)
    if (auto made = ListOpCall(e)) return *made;
  if (callee == e.text)
    for (const auto& b : kBuiltins)
      if (e.text == b.name) return BuiltinCall(e, b);
  if (val || globals_.count(callee) || Lookup(e.text)) {
    diags_.Emit(DiagKind::NotCallable, callee_range, e.text);
  } else {
    auto& d = diags_.Emit(DiagKind::UnknownName, callee_range, e.text);
    Suggest(d, callee, [&](auto add) {
      for (const auto& [n, s] : tables_[current_version_])
        if (s.kind == SymKind::Def || s.kind == SymKind::Decision) add(n);
      for (const auto& b : kBuiltins) add(b.name);
    });
  }
  for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
  return Poison(e.range);
}

ExprId Checker::RecordLit(const ast::Expr& e) {
  SourceRange type_range = e.name_ranges.empty() ? e.range : e.name_ranges[0];
  auto g = globals_.find(e.text);
  if (g == globals_.end() || g->second.kind != SymKind::Record) {
    auto& d = diags_.Emit(DiagKind::UnknownType, type_range, e.text);
    if (g == globals_.end())
      Suggest(d, e.text, [&](auto add) {
        for (auto& [n, s] : globals_)
          if (s.kind == SymKind::Record) add(n);
      });
    else
      d.notes.push_back({g->second.range, fmt::format("`{}` is declared here, but not as a record", e.text)});
    for (const auto& k : e.kids) CheckExpr(*k, m_.types.error());
    return Poison(e.range);
  }
  uint32_t rid = g->second.index;
  const rt::RecordInfo& rec = m_.types.records[rid];
  std::vector<uint32_t> vals(rec.fields.size(), kNoExpr);
  bool bad = false;
  for (size_t i = 0; i < e.kids.size(); ++i) {
    const std::string& fname = e.names[i];
    SourceRange fr = i + 1 < e.name_ranges.size() ? e.name_ranges[i + 1] : e.range;
    int fi = rec.FieldIndex(fname);
    if (fi < 0) {
      if (!Incomplete(rid)) {
        auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, fname);
        Suggest(d, fname, [&](auto add) {
          for (const auto& f : rec.fields) add(f.name);
        });
      }
      CheckExpr(*e.kids[i], m_.types.error());
      bad = true;
      continue;
    }
    if (vals[size_t(fi)] != kNoExpr) {
      diags_.Emit(DiagKind::DuplicateField, fr, fname);
      bad = true;
      continue;
    }
    TypeId ft = rec.fields[size_t(fi)].type;
    vals[size_t(fi)] = Coerce(CheckExpr(*e.kids[i], ft), ft, fmt::format("the field `{}`", fname));
  }
  // A field with a default may be left out: it takes its default (checked again here, a literal).
  for (size_t fi = 0; fi < rec.fields.size(); ++fi) {
    auto d = field_defaults_.find({rid, uint32_t(fi)});
    if (vals[fi] != kNoExpr || d == field_defaults_.end() || rec.fields[fi].default_json.empty()) continue;
    TypeId ft = rec.fields[fi].type;
    vals[fi] = Coerce(CheckExpr(*d->second, ft), ft, fmt::format("the default of `{}`", rec.fields[fi].name));
  }
  for (size_t fi = 0; fi < vals.size(); ++fi) {
    if (vals[fi] == kNoExpr) {
      if (!bad && !Incomplete(rid) && !field_defaults_.count({rid, uint32_t(fi)})) {  // a bad default: reported
        auto& d = diags_.Emit(DiagKind::MissingField, e.range, rec.name, rec.fields[fi].name);
        d.notes.push_back({rec.fields[fi].range, "the field is declared here"});
      }
      bad = true;
      vals[fi] = Poison(e.range);
    }
  }
  if (bad) return Poison(e.range);
  return Emit(Op::RecordLit, m_.types.Intern({TypeKind::Record, 0, rid}), e.range, rid, Extra(vals));
}

ExprId Checker::SetLit(const ast::Expr& e, TypeId expected) {
  const auto& ei = m_.types.info(expected);
  uint32_t en = ei.kind == TypeKind::Set ? ei.ref : UINT32_MAX;
  std::vector<uint32_t> elems;
  TypeId hint = en != UINT32_MAX ? m_.types.Intern({TypeKind::Enum, 0, en}) : m_.types.error();
  bool bad = false;
  for (const auto& k : e.kids) {
    ExprId x = CheckExpr(*k, hint);
    if (IsError(x)) {
      bad = true;
      continue;
    }
    if (KindOf(x) != TypeKind::Enum) {
      diags_.Emit(DiagKind::TypeMismatch, k->range,
                  fmt::format("a set holds members of an enum, found {}", Name(TypeOf(x))));
      bad = true;
      continue;
    }
    if (en == UINT32_MAX) {
      en = m_.types.info(TypeOf(x)).ref;
      hint = TypeOf(x);
    }
    if (m_.types.info(TypeOf(x)).ref != en) {
      diags_.Emit(DiagKind::TypeMismatch, k->range,
                  fmt::format("this set holds `{}` members, found {}", m_.types.enums[en].name, Name(TypeOf(x))));
      bad = true;
      continue;
    }
    elems.push_back(x);
  }
  if (bad) return Poison(e.range);
  if (en == UINT32_MAX) {
    diags_.Emit(DiagKind::CannotInferType, e.range, "cannot tell which enum this empty set is of");
    return Poison(e.range);
  }
  return Emit(Op::SetLit, m_.types.Intern({TypeKind::Set, 0, en}), e.range, Extra(elems), uint32_t(elems.size()));
}

ExprId Checker::ListLit(const ast::Expr& e, TypeId expected) {
  const auto& ei = m_.types.info(expected);
  TypeId elem = ei.kind == TypeKind::List ? ei.ref : TypeId(-1);
  std::vector<uint32_t> xs;
  for (const auto& k : e.kids) xs.push_back(CheckExpr(*k, elem == TypeId(-1) ? m_.types.error() : elem));
  for (uint32_t x : xs)
    if (IsError(x)) return Poison(e.range);
  if (elem == TypeId(-1)) {
    if (xs.empty()) {
      diags_.Emit(DiagKind::CannotInferType, e.range, "cannot tell the element type of this empty list");
      return Poison(e.range);
    }
    elem = TypeOf(xs[0]);
    for (uint32_t x : xs)
      if (KindOf(x) == TypeKind::Decimal && IsNumeric(elem)) elem = DecimalWithUnit(m_.types.info(TypeOf(x)).unit);
  }
  for (auto& x : xs) {
    x = Coerce(x, elem, "a list element");
    if (IsError(x)) return Poison(e.range);
  }
  return Emit(Op::ListLit, m_.types.Intern({TypeKind::List, 0, elem}), e.range, Extra(xs), uint32_t(xs.size()));
}

ExprId Checker::FieldExpr(const ast::Expr& e) {
  const ast::Expr& base = *e.kids[0];
  SourceRange fr = e.name_ranges.empty() ? e.range : e.name_ranges[0];
  // `r3.d5`: a constant of another version, when the base names a version.
  if (base.kind == ast::ExprKind::Name && !Lookup(base.text) && !LookupValue(base.text) && !globals_.count(base.text)) {
    if (auto v = VersionNamed(base.text)) {
      auto val = LookupValue(e.text, *v);
      if (val && val->kind == SymKind::Const) {
        AddDep(SymKind::Const, val->index);
        return Emit(Op::Const, m_.consts[val->index].type, e.range, val->index);
      }
      auto& d = diags_.Emit(DiagKind::UnknownName, fr, fmt::format("{}.{}", base.text, e.text));
      d.notes.push_back({{}, fmt::format("the version `{}` has no constant `{}`", base.text, e.text)});
      return Poison(e.range);
    }
  }
  // `Enum.member` when the base names an enum (and nothing closer shadows it).
  if (base.kind == ast::ExprKind::Name && !Lookup(base.text)) {
    auto g = globals_.find(base.text);
    if (g != globals_.end() && g->second.kind == SymKind::Enum) {
      const rt::EnumInfo& en = m_.types.enums[g->second.index];
      for (size_t i = 0; i < en.members.size(); ++i)
        if (en.members[i] == e.text) return EnumMember(g->second.index, uint32_t(i), e.range);
      auto& d = diags_.Emit(DiagKind::UnknownMember, fr, en.name, e.text);
      Suggest(d, e.text, [&](auto add) {
        for (const auto& m : en.members) add(m);
      });
      return Poison(e.range);
    }
  }
  ExprId b = CheckExpr(base, m_.types.error());
  if (IsError(b)) return Poison(e.range);
  const auto& bi = m_.types.info(TypeOf(b));
  if (bi.kind != TypeKind::Record) {
    auto& d = diags_.Emit(DiagKind::InvalidOperands, fr,
                          fmt::format("`.{}` needs a record, found {}", e.text, Name(TypeOf(b))));
    if (KindOf(b) == TypeKind::List)
      d.notes.push_back(
          {{},
           fmt::format("the `{0}` of each element is `[x.{0} for x in ...]`; one element is `...[0].{0}`", e.text)});
    return Poison(e.range);
  }
  const rt::RecordInfo& rec = m_.types.records[bi.ref];
  int fi = rec.FieldIndex(e.text);
  if (fi < 0 && Incomplete(bi.ref)) return Poison(e.range);
  if (fi < 0) {
    auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, e.text);
    Suggest(d, e.text, [&](auto add) {
      for (const auto& f : rec.fields) add(f.name);
    });
    return Poison(e.range);
  }
  return Emit(Op::Field, rec.fields[size_t(fi)].type, e.range, b, uint32_t(fi));
}

ExprId Checker::WithExpr(const ast::Expr& e) {
  ExprId b = CheckExpr(*e.kids[0], m_.types.error());
  if (IsError(b)) {
    for (size_t i = 1; i < e.kids.size(); ++i) CheckExpr(*e.kids[i], m_.types.error());
    return Poison(e.range);
  }
  const auto& bi = m_.types.info(TypeOf(b));
  if (bi.kind != TypeKind::Record) {
    diags_.Emit(DiagKind::InvalidOperands, e.kids[0]->range,
                fmt::format("`with` needs a record, found {}", Name(TypeOf(b))));
    return Poison(e.range);
  }
  const rt::RecordInfo& rec = m_.types.records[bi.ref];
  std::vector<uint32_t> pairs;
  std::set<int> seen;
  bool bad = false;
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const std::string& fname = e.names[i - 1];
    SourceRange fr = i - 1 < e.name_ranges.size() ? e.name_ranges[i - 1] : e.range;
    int fi = rec.FieldIndex(fname);
    if (fi < 0) {
      auto& d = diags_.Emit(DiagKind::UnknownField, fr, rec.name, fname);
      Suggest(d, fname, [&](auto add) {
        for (const auto& f : rec.fields) add(f.name);
      });
      bad = true;
      continue;
    }
    if (!seen.insert(fi).second) {
      diags_.Emit(DiagKind::DuplicateField, fr, fname);
      bad = true;
      continue;
    }
    TypeId ft = rec.fields[size_t(fi)].type;
    ExprId v = Coerce(CheckExpr(*e.kids[i], ft), ft, fmt::format("the field `{}`", fname));
    if (IsError(v)) bad = true;
    pairs.push_back(uint32_t(fi));
    pairs.push_back(v);
  }
  if (bad) return Poison(e.range);
  return Emit(Op::With, TypeOf(b), e.range, b, Extra(pairs), uint32_t(pairs.size() / 2));
}

ExprId Checker::IfExpr(const ast::Expr& e, TypeId expected) {
  ExprId c = Coerce(CheckExpr(*e.kids[0], m_.types.boolean()), m_.types.boolean(), "the condition of `if`");
  ExprId a = CheckExpr(*e.kids[1], expected);
  ExprId b = CheckExpr(*e.kids[2], IsError(a) ? expected : TypeOf(a));
  if (IsError(c) || IsError(a) || IsError(b)) return Poison(e.range);
  if (IsNumeric(TypeOf(a)) && IsNumeric(TypeOf(b))) {
    if (!UnifyNumeric(a, b, e, "the branches of `if`")) return Poison(e.range);
  } else if (TypeOf(a) != TypeOf(b)) {
    diags_.Emit(DiagKind::TypeMismatch, e.range,
                fmt::format("the branches of `if` have different types: {} and {}", Name(TypeOf(a)), Name(TypeOf(b))));
    return Poison(e.range);
  }
  return Emit(Op::If, TypeOf(a), e.range, c, a, b);
}

}  // namespace edict::check::internal
