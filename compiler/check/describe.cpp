// `describe T: "..."`: how reports name a value of record type T in one sentence. The template's
// placeholders `{field.field}` (or `{field:doc}` for an enum member's doc string) must name fields
// of T whose values print as words: numbers, dates, durations, texts, booleans and enum members.
// The result is an ir::Description. Also `typical const`: one per record type and version.
#include <fmt/format.h>

#include "compiler/check/checker.h"

namespace edict::check::internal {

void Checker::DeclareDescription(const ast::DescribeDecl& decl) {
  TypeId t = ResolveType(ast::TypeExpr{ast::TypeKind::Named, decl.name_range, decl.type, nullptr, std::nullopt});
  if (t == m_.types.error()) return;  // reported by ResolveType
  if (const ir::Description* first = m_.DescriptionOf(t)) {
    auto& d = diags_.Emit(DiagKind::InvalidDescription, decl.name_range,
                          fmt::format("the description of `{}` is declared twice", decl.type));
    d.notes.push_back({first->range, "the first declaration is here"});
    return;
  }
  if (m_.types.kind(t) != TypeKind::Record) {
    diags_.Emit(DiagKind::InvalidDescription, decl.name_range,
                fmt::format("`describe {}` names the values of a record, and `{}` is not one", decl.type, decl.type));
    return;
  }
  ir::Description desc;
  desc.type = t;
  desc.range = decl.name_range;
  auto fail = [&](const std::string& why) { diags_.Emit(DiagKind::InvalidDescription, decl.text_range, why); };
  const std::string& s = decl.text;
  std::string literal;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '}') {
      if (i + 1 < s.size() && s[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      return fail("the description has a `}` without its `{` (write `}}` for a brace)");
    }
    if (s[i] != '{') {
      literal += s[i];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    size_t close = s.find('}', i);
    if (close == std::string::npos) return fail("the description has a `{` without its `}` (write `{{` for a brace)");
    std::string inner = s.substr(i + 1, close - i - 1);
    i = close;
    ir::DescriptionPiece piece;
    if (size_t colon = inner.find(':'); colon != std::string::npos) {
      if (inner.substr(colon + 1) != "doc")
        return fail(fmt::format("`{{{}}}`: the only format is `:doc` (an enum member's doc string)", inner));
      piece.doc = true;
      inner.resize(colon);
    }
    TypeId at = t;
    std::string walked;
    size_t start = 0;
    for (;;) {
      size_t dot = inner.find('.', start);
      std::string name = inner.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (m_.types.kind(at) != TypeKind::Record)
        return fail(fmt::format("`{{{}}}`: `{}` is not a record, so it has no field `{}`", inner, walked, name));
      const rt::RecordInfo& rec = m_.types.records[m_.types.info(at).ref];
      int f = rec.FieldIndex(name);
      if (f < 0) {
        auto& d = diags_.Emit(DiagKind::InvalidDescription, decl.text_range,
                              fmt::format("`{{{}}}`: `{}` has no field `{}`", inner, rec.name, name));
        Suggest(d, name, [&](const auto& each) {
          for (const auto& fl : rec.fields) each(fl.name);
        });
        return;
      }
      piece.path.push_back(uint32_t(f));
      at = rec.fields[size_t(f)].type;
      walked += (walked.empty() ? "" : ".") + name;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    TypeKind k = m_.types.kind(at);
    if (k == TypeKind::Record || k == TypeKind::Set || k == TypeKind::List || k == TypeKind::Sum)
      return fail(
          fmt::format("`{{{}}}` is of type {}: a description names numbers, dates, texts, booleans and enum "
                      "members{}",
                      inner, Name(at), k == TypeKind::Record ? " (name one of its fields)" : ""));
    if (piece.doc && k != TypeKind::Enum)
      return fail(fmt::format("`{{{}:doc}}`: only an enum member has a doc string, and `{}` is of type {}", inner,
                              walked, Name(at)));
    if (!literal.empty()) desc.pieces.push_back({std::move(literal), {}, false});
    literal.clear();
    desc.pieces.push_back(std::move(piece));
  }
  if (!literal.empty()) desc.pieces.push_back({std::move(literal), {}, false});
  m_.descriptions.push_back(std::move(desc));
}

void Checker::CheckTypicals() {
  std::set<std::pair<uint32_t, uint32_t>> reported;  // (const, const) pairs, and (const, const) for a non-record
  for (uint32_t v = 0; v < m_.versions.size(); ++v) {
    std::map<TypeId, uint32_t> first;
    for (const auto& [name, c] : m_.versions[v].consts) {
      const ir::Const& k = m_.consts[c];
      if (!k.typical) continue;
      if (m_.types.kind(k.type) != TypeKind::Record) {
        if (m_.types.kind(k.type) != TypeKind::Error && reported.insert({c, c}).second)
          diags_.Emit(DiagKind::InvalidTypical, k.range,
                      fmt::format("`{}` is typical of {}, which is not a record: a typical value is a whole case "
                                  "(or a record inside one)",
                                  k.name, Name(k.type)));
        continue;
      }
      auto [it, fresh] = first.try_emplace(k.type, c);
      if (fresh || !reported.insert({it->second, c}).second) continue;
      auto& d = diags_.Emit(
          DiagKind::InvalidTypical, k.range,
          fmt::format("{} has two typical values, `{}` and `{}`", Name(k.type), m_.consts[it->second].name, k.name));
      d.notes.push_back({m_.consts[it->second].range, "the other is here"});
    }
  }
}

}  // namespace edict::check::internal
