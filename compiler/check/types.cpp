// Types and units: types and units as written resolved to the type table, and the implicit
// conversions (integer to decimal of the same unit) with the diagnostics when none applies.
#include "compiler/check/checker.h"

namespace edict::check::internal {

rt::UnitId Checker::ResolveUnit(const std::optional<ast::UnitExpr>& u) {
  if (!u) return 0;
  rt::UnitFactors f;
  for (const auto& t : u->terms) {
    auto it = units_.find(t.name);
    if (it == units_.end()) {
      auto& d = diags_.Emit(DiagKind::UnknownUnit, t.range, t.name);
      Suggest(d, t.name, [&](auto add) {
        for (auto& [n, _] : units_) add(n);
      });
      if (units_.empty()) d.notes.push_back({{}, fmt::format("declare it with `unit {};`", t.name)});
      return kBadUnit;
    }
    f.emplace_back(it->second, t.power);
  }
  return m_.types.InternUnit(std::move(f));
}

TypeId Checker::ResolveType(const ast::TypeExpr& t) {
  auto& T = m_.types;
  switch (t.kind) {
    case ast::TypeKind::Error: return T.error();
    case ast::TypeKind::Bool: return T.boolean();
    case ast::TypeKind::Integer:
    case ast::TypeKind::Decimal: {
      rt::UnitId u = ResolveUnit(t.unit);
      if (u == kBadUnit) return T.error();
      return T.Intern({t.kind == ast::TypeKind::Integer ? TypeKind::Integer : TypeKind::Decimal, u, 0});
    }
    case ast::TypeKind::Date: return T.date();
    case ast::TypeKind::Duration: return T.duration();
    case ast::TypeKind::Text: return T.text();
    case ast::TypeKind::Set: {
      TypeId e = ResolveType(*t.elem);
      if (T.kind(e) == TypeKind::Error) return e;
      if (T.kind(e) == TypeKind::Sum) {
        auto& d = diags_.Emit(
            DiagKind::TypeMismatch, t.elem->range,
            fmt::format("a set holds members of an enum, and `{}` has members that carry a value", T.Name(e)));
        d.notes.push_back({{}, "use a list of them instead (`list of ...`)"});
        return T.error();
      }
      if (T.kind(e) != TypeKind::Enum) {
        diags_.Emit(DiagKind::TypeMismatch, t.elem->range,
                    fmt::format("a set holds members of an enum, not `{}`", T.Name(e)));
        return T.error();
      }
      return T.Intern({TypeKind::Set, 0, T.info(e).ref});
    }
    case ast::TypeKind::List: {
      TypeId e = ResolveType(*t.elem);
      if (T.kind(e) == TypeKind::Error) return e;
      return T.Intern({TypeKind::List, 0, e});
    }
    case ast::TypeKind::Optional: {
      TypeId e = ResolveType(*t.elem);
      if (T.kind(e) == TypeKind::Error) return e;
      if (IsOptional(e)) {
        diags_.Emit(DiagKind::TypeMismatch, t.range,
                    fmt::format("`optional` of `{}`: a value that may be absent cannot be optional again", T.Name(e)));
        return T.error();
      }
      return T.Optional(e);
    }
    case ast::TypeKind::Named: {
      auto it = globals_.find(t.name);
      if (it != globals_.end() && it->second.kind == SymKind::Enum) return T.EnumType(it->second.index);
      if (it != globals_.end() && it->second.kind == SymKind::Record)
        return T.Intern({TypeKind::Record, 0, it->second.index});
      auto& d = diags_.Emit(DiagKind::UnknownType, t.range, t.name);
      if (it != globals_.end())
        d.notes.push_back({it->second.range, fmt::format("`{}` is declared here, but not as a type", t.name)});
      else
        Suggest(d, t.name, [&](auto add) {
          for (auto& [n, s] : globals_)
            if (s.kind == SymKind::Enum || s.kind == SymKind::Record) add(n);
          for (const char* b : {"bool", "integer", "decimal", "date", "duration", "text"}) add(b);
        });
      return T.error();
    }
  }
  return T.error();
}

ExprId Checker::ToDec(ExprId e) {
  if (KindOf(e) != TypeKind::Integer) return e;
  return Emit(Op::IntToDec, DecimalWithUnit(m_.types.info(TypeOf(e)).unit), m_.exprs[e].range, e);
}

// Converts e to type `want` where the language allows it (integer -> decimal of the same
// unit), or reports why not. `what` names the place: "the argument `x`".
ExprId Checker::Coerce(ExprId e, TypeId want, const std::string& what) {
  TypeId have = TypeOf(e);
  if (have == want || IsError(e) || m_.types.kind(want) == TypeKind::Error) return e;
  const auto& hi = m_.types.info(have);
  const auto& wi = m_.types.info(want);
  if (IsNumeric(have) && IsNumeric(want)) {
    if (hi.unit != wi.unit) {
      auto& d = diags_.Emit(DiagKind::UnitMismatch, m_.exprs[e].range,
                            fmt::format("{} must be in {}, found {}", what, UnitDesc(wi.unit), UnitDesc(hi.unit)));
      std::string_view source = sm_.Text(m_.exprs[e].range);
      if (IsUnitlessLiteral(e) && wi.unit != 0 && !source.empty() && source.back() == '%') {
        d.notes.push_back(
            {{},
             fmt::format("a percentage has no unit: multiply an amount in `{}` by it", m_.types.UnitName(wi.unit))});
      } else if (IsUnitlessLiteral(e) && wi.unit != 0) {
        // `250,000 [usd]` reaches here as `250`: the hint gives the number that was meant.
        SourceRange r = m_.exprs[e].range;
        std::string number = CommaGroupedNumber(sm_.file(r.file).text, r.begin, r.end);
        if (number.empty()) number = std::string(sm_.Text(r));
        d.notes.push_back(
            {{}, fmt::format("write the unit after the number: `{} [{}]`", number, m_.types.UnitName(wi.unit))});
      }
      return Poison(m_.exprs[e].range);
    }
    if (hi.kind == TypeKind::Integer && wi.kind == TypeKind::Decimal) return ToDec(e);
    auto& d = diags_.Emit(DiagKind::TypeMismatch, m_.exprs[e].range,
                          fmt::format("{} must be {}, found {}", what, Name(want), Name(have)));
    d.notes.push_back({{}, "round it explicitly, e.g. with `floor`, `round_half_even` or `to_integer`"});
    return Poison(m_.exprs[e].range);
  }
  diags_.Emit(DiagKind::TypeMismatch, m_.exprs[e].range,
              fmt::format("{} must be {}, found {}", what, Name(want), Name(have)));
  return Poison(m_.exprs[e].range);
}

// Brings two numeric operands to one type (integer -> decimal); reports a unit mismatch.
bool Checker::UnifyNumeric(uint32_t& a, uint32_t& b, const ast::Expr& e, const std::string& what) {
  const auto& ai = m_.types.info(TypeOf(a));
  const auto& bi = m_.types.info(TypeOf(b));
  if (ai.unit != bi.unit) {
    auto& d =
        diags_.Emit(DiagKind::UnitMismatch, e.range,
                    fmt::format("{} have different units: {} and {}", what, UnitDesc(ai.unit), UnitDesc(bi.unit)));
    d.notes.push_back({m_.exprs[a].range, fmt::format("this is {}", Name(TypeOf(a)))});
    d.notes.push_back({m_.exprs[b].range, fmt::format("this is {}", Name(TypeOf(b)))});
    return false;
  }
  if (ai.kind != bi.kind) {
    a = ToDec(a);
    b = ToDec(b);
  }
  return true;
}

}  // namespace edict::check::internal
