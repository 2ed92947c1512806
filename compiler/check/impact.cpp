// `impact T { ... }`: how a reader of a verdict diff compares two outcomes of type T. Every field
// of a record gets one role (`verdict`, `detail` or `explanation`); a verdict field of type bool or
// of an enum may give the order of severity of all its values. The result is an ir::Impact.
#include <fmt/format.h>

#include "compiler/check/checker.h"

namespace edict::check::internal {

namespace {

// The role spelled `s`, if it is one.
std::optional<ir::ImpactRole> RoleNamed(const std::string& s) {
  if (s == "verdict") return ir::ImpactRole::Verdict;
  if (s == "detail") return ir::ImpactRole::Detail;
  if (s == "explanation") return ir::ImpactRole::Explanation;
  return std::nullopt;
}

}  // namespace

// The severity ranks of `item`'s order for values of type t (see ir::ImpactField::rank); empty,
// with a diagnostic, when the order is not a complete list of t's values.
std::vector<uint32_t> Checker::ImpactOrder(const ast::ImpactItem& item, TypeId t, const std::string& what) {
  std::vector<std::string> values;
  TypeKind k = m_.types.kind(t);
  if (k == TypeKind::Bool) {
    values = {"false", "true"};
  } else if (k == TypeKind::Enum) {
    values = m_.types.enums[m_.types.info(t).ref].members;
  } else {
    diags_.Emit(
        DiagKind::InvalidImpact, item.order_ranges.front(),
        fmt::format("{} has type {}: only the values of a bool or an enum can be ordered by severity", what, Name(t)));
    return {};
  }
  std::vector<uint32_t> rank(values.size(), UINT32_MAX);
  for (size_t i = 0; i < item.order.size(); ++i) {
    auto it = std::find(values.begin(), values.end(), item.order[i]);
    if (it == values.end()) {
      auto& d = diags_.Emit(DiagKind::InvalidImpact, item.order_ranges[i],
                            fmt::format("`{}` is not a value of {}", item.order[i], Name(t)));
      Suggest(d, item.order[i], [&](const auto& each) {
        for (const auto& v : values) each(v);
      });
      return {};
    }
    size_t v = size_t(it - values.begin());
    if (rank[v] != UINT32_MAX) {
      diags_.Emit(DiagKind::InvalidImpact, item.order_ranges[i],
                  fmt::format("`{}` is listed twice in the order of {}", item.order[i], what));
      return {};
    }
    rank[v] = uint32_t(i);
  }
  std::string missing;
  for (size_t v = 0; v < values.size(); ++v)
    if (rank[v] == UINT32_MAX) missing += (missing.empty() ? "`" : ", `") + values[v] + "`";
  if (!missing.empty()) {
    auto& d =
        diags_.Emit(DiagKind::InvalidImpact, item.range, fmt::format("the order of {} leaves out {}", what, missing));
    d.notes.push_back({{}, "an order of severity lists every value, least severe first"});
    return {};
  }
  return rank;
}

void Checker::DeclareImpact(const ast::ImpactDecl& decl) {
  TypeId t = ResolveType(ast::TypeExpr{ast::TypeKind::Named, decl.name_range, decl.type, nullptr, std::nullopt});
  if (t == m_.types.error()) return;  // reported by ResolveType
  if (const ir::Impact* first = m_.ImpactOf(t)) {
    auto& d = diags_.Emit(DiagKind::InvalidImpact, decl.name_range,
                          fmt::format("the impact of `{}` is declared twice", decl.type));
    d.notes.push_back({first->range, "the first declaration is here"});
    return;
  }
  TypeKind k = m_.types.kind(t);
  ir::Impact impact;
  impact.type = t;
  impact.range = decl.name_range;
  if (decl.whole) {
    if (k != TypeKind::Enum) {
      auto& d = diags_.Emit(
          DiagKind::InvalidImpact, decl.name_range,
          k == TypeKind::Sum
              ? fmt::format("`impact {}: ...;` orders the values of an enum, and members of `{}` carry values",
                            decl.type, decl.type)
              : fmt::format("`impact {}: ...;` orders the values of an enum, and `{}` is a record", decl.type,
                            decl.type));
      if (k == TypeKind::Record)
        d.notes.push_back({{}, "give each field of a record its role: `impact " + decl.type + " { verdict f; ... }`"});
      return;
    }
    auto rank = ImpactOrder(decl.items.front(), t, "`" + decl.type + "`");
    if (rank.empty()) return;
    impact.fields.push_back({ir::ImpactRole::Verdict, std::move(rank)});
    m_.impacts.push_back(std::move(impact));
    return;
  }
  if (k != TypeKind::Record) {
    diags_.Emit(DiagKind::InvalidImpact, decl.name_range,
                fmt::format("`{}` is not a record: write `impact {}: least < ... < most;` to order its values",
                            decl.type, decl.type));
    return;
  }
  const rt::RecordInfo& rec = m_.types.records[m_.types.info(t).ref];
  std::vector<bool> given(rec.fields.size(), false);
  impact.fields.resize(rec.fields.size());
  bool ok = true;
  for (const auto& item : decl.items) {
    auto role = RoleNamed(item.role);
    if (!role) {
      auto& d = diags_.Emit(DiagKind::InvalidImpact, item.role_range,
                            fmt::format("unknown role `{}`: expected `verdict`, `detail` or `explanation`", item.role));
      Suggest(d, item.role, [](const auto& each) {
        for (const char* r : {"verdict", "detail", "explanation"}) each(r);
      });
      ok = false;
      continue;
    }
    if (!item.order.empty() && (*role != ir::ImpactRole::Verdict || item.fields.size() != 1)) {
      diags_.Emit(DiagKind::InvalidImpact, item.order_ranges.front(),
                  *role != ir::ImpactRole::Verdict
                      ? std::string("only a `verdict` field has an order of severity")
                      : std::string("an order of severity belongs to one field: give each field its own line"));
      ok = false;
      continue;
    }
    for (size_t i = 0; i < item.fields.size(); ++i) {
      int fi = rec.FieldIndex(item.fields[i]);
      if (fi < 0) {
        auto& d = diags_.Emit(DiagKind::UnknownField, item.field_ranges[i], decl.type, item.fields[i]);
        Suggest(d, item.fields[i], [&](const auto& each) {
          for (const auto& f : rec.fields) each(f.name);
        });
        ok = false;
        continue;
      }
      if (given[size_t(fi)]) {
        diags_.Emit(DiagKind::InvalidImpact, item.field_ranges[i],
                    fmt::format("the field `{}` is given a role twice", item.fields[i]));
        ok = false;
        continue;
      }
      given[size_t(fi)] = true;
      impact.fields[size_t(fi)].role = *role;
      if (!item.order.empty()) {
        impact.fields[size_t(fi)].rank =
            ImpactOrder(item, rec.fields[size_t(fi)].type, "`" + decl.type + "." + item.fields[i] + "`");
        if (impact.fields[size_t(fi)].rank.empty()) ok = false;
      }
    }
  }
  std::string missing;
  for (size_t i = 0; i < rec.fields.size(); ++i)
    if (!given[i]) missing += (missing.empty() ? "`" : ", `") + rec.fields[i].name + "`";
  if (ok && !missing.empty() && !Incomplete(m_.types.info(t).ref)) {  // not after another mistake in it
    auto& d = diags_.Emit(DiagKind::InvalidImpact, decl.name_range,
                          fmt::format("the impact of `{}` gives no role to {}", decl.type, missing));
    d.notes.push_back({{}, "each field is `verdict`, `detail` or `explanation`, so that a new field is classified"});
    ok = false;
  }
  if (ok) m_.impacts.push_back(std::move(impact));
}

}  // namespace edict::check::internal
