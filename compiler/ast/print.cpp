#include <fmt/format.h>

#include "compiler/ast/ast.h"

namespace edict::ast {

const char* ExprKindName(ExprKind k) {
  switch (k) {
#define EDICT_AST_EXPR(Name, Doc) \
  case ExprKind::Name:            \
    return #Name;
#include "compiler/ast/expr_kinds.def"
#undef EDICT_AST_EXPR
  }
  return "?";
}

namespace {

std::string Unit(const std::optional<UnitExpr>& u) {
  if (!u) return "";
  std::string s = "[";
  for (size_t i = 0; i < u->terms.size(); ++i) {
    if (i) s += " ";
    s += u->terms[i].name;
    if (u->terms[i].power != 1) s += "^" + std::to_string(u->terms[i].power);
  }
  return s + "]";
}

std::string Type(const TypeExpr& t) {
  switch (t.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return "bool";
    case TypeKind::Integer: return "integer" + Unit(t.unit);
    case TypeKind::Decimal: return "decimal" + Unit(t.unit);
    case TypeKind::Date: return "date";
    case TypeKind::Duration: return "duration";
    case TypeKind::Text: return "text";
    case TypeKind::Set: return "set of " + Type(*t.elem);
    case TypeKind::List: return "list of " + Type(*t.elem);
    case TypeKind::Optional: return "optional " + Type(*t.elem);
    case TypeKind::Named: return t.name;
  }
  return "?";
}

// What a node's line shows after its kind: the operator of an operator node, else its text.
std::string Shown(const ast::Expr& e) {
  switch (e.kind) {
    case ExprKind::Unary: return Spelling(e.unary_op);
    case ExprKind::Binary: return Spelling(e.binary_op);
    case ExprKind::In: return Spelling(e.membership_op);
    case ExprKind::Quant: return Spelling(e.quantifier);
    case ExprKind::ListOp:
    case ExprKind::Index:
    case ExprKind::Error:
    case ExprKind::Number:
    case ExprKind::DurationLit:
    case ExprKind::DateLit:
    case ExprKind::StringLit:
    case ExprKind::BoolLit:
    case ExprKind::Name:
    case ExprKind::Call:
    case ExprKind::RecordLit:
    case ExprKind::SetLit:
    case ExprKind::ListLit:
    case ExprKind::Field:
    case ExprKind::With:
    case ExprKind::If:
    case ExprKind::Match: return e.text;
  }
  return e.text;
}

class Printer {
 public:
  std::string out;
  void Line(int depth, const std::string& s) { out += std::string(size_t(depth) * 2, ' ') + s + "\n"; }

  void Expr(int d, const ast::Expr* e, const std::string& label = "") {
    std::string pre = label.empty() ? "" : label + ": ";
    if (!e) {
      Line(d, pre + "<none>");
      return;
    }
    std::string s = pre + ExprKindName(e->kind);
    std::string shown = Shown(*e);
    if (!shown.empty()) s += " `" + shown + "`";
    if (e->unit) s += " " + Unit(e->unit);
    Line(d, s);
    for (size_t i = 0; i < e->kids.size(); ++i) {
      std::string name;
      if (e->kind == ExprKind::Match)
        name = i == 0 ? "on" : ArmText(e->arms[i - 1]);
      else if ((e->kind == ExprKind::Quant || e->kind == ExprKind::ListOp) && i == 0)
        name = "over " + e->names[0];
      else if (e->kind == ExprKind::ListOp)
        name = e->names[i];
      else if (e->kind != ExprKind::Quant && !e->names.empty()) {
        size_t ni = e->kind == ExprKind::With ? i - 1 : i;
        if (e->kind != ExprKind::With || i > 0) name = ni < e->names.size() ? e->names[ni] : "";
      }
      Expr(d + 1, e->kids[i].get(), name);
    }
  }

  static std::string ArmText(const MatchArm& arm) {
    if (arm.is_else) return "else";
    std::string s = "when";
    for (size_t i = 0; i < arm.patterns.size(); ++i) {
      const MatchPattern& p = arm.patterns[i];
      s += (i ? " or " : " ") + (p.qualifier.empty() ? "" : p.qualifier + ".") + p.member;
      if (!p.binder.empty()) s += "(" + p.binder + ")";
    }
    return s;
  }

  void Cite(int d, const std::optional<Citation>& c) {
    if (!c) return;
    Line(d, "cite \"" + c->cite + "\"" + (c->assumption.empty() ? "" : " assuming \"" + c->assumption + "\""));
  }
};

}  // namespace

std::string Print(const File& f) {
  Printer p;
  if (f.header) {
    p.Line(0, "instrument " + f.header->name);
    for (const auto& h : f.header->fields) p.Line(1, h.key + " = " + h.value);
  }
  for (const auto& i : f.imports) p.Line(0, "import " + i.module);
  for (const auto& u : f.units) p.Line(0, "unit " + u.name);
  for (const auto& e : f.enums) {
    std::string m;
    for (const auto& mem : e.members)
      m += (m.empty() ? "" : " ") + mem.name + (mem.payload ? "(" + Type(*mem.payload) + ")" : "");
    p.Line(0, "enum " + e.name + " {" + m + "}");
  }
  for (const auto& r : f.records) {
    p.Line(0, "record " + r.name);
    for (const auto& fd : r.fields) {
      p.Line(1, fd.name + ": " + Type(fd.type) + (fd.default_value ? " =" : "") + (fd.where ? " where" : ""));
      if (fd.default_value) p.Expr(2, fd.default_value.get(), "default");
      if (fd.where) p.Expr(2, fd.where.get());
    }
  }
  for (const auto& im : f.impacts) {
    p.Line(0, "impact " + im.type);
    for (const auto& it : im.items) {
      std::string fields, order;
      for (const auto& x : it.fields) fields += (fields.empty() ? " " : ", ") + x;
      for (const auto& x : it.order) order += (order.empty() ? ": " : " < ") + x;
      p.Line(1, it.role + fields + order);
    }
  }
  for (const auto& ds : f.describes) p.Line(0, "describe " + ds.type + ": \"" + ds.text + "\"");
  for (const auto& iv : f.invariants)
    p.Line(0, std::string(iv.assumption ? "assumption " : "invariant ") + iv.name + " (its condition: def " +
                  f.defs[iv.def].name + ")");
  for (const auto& c : f.consts) {
    p.Line(0, "const " + c.name + ": " + Type(c.type));
    p.Cite(1, c.citation);
    p.Expr(1, c.value.get());
  }
  for (const auto& d : f.defs) {
    std::string ps;
    for (const auto& pa : d.params) ps += (ps.empty() ? "" : ", ") + pa.name + ": " + Type(pa.type);
    std::string us;
    for (const auto& u : d.unit_params) us += (us.empty() ? "<" : ", ") + u;
    if (!us.empty()) us += ">";
    p.Line(0, "def " + d.name + us + "(" + ps + "): " + Type(d.result));
    p.Cite(1, d.citation);
    p.Expr(1, d.body.get());
  }
  for (const auto& d : f.decisions) {
    std::string ps;
    for (const auto& pa : d.params) ps += (ps.empty() ? "" : ", ") + pa.name + ": " + Type(pa.type);
    p.Line(0, "decision " + d.name + "(" + ps + ") -> " + Type(d.result) +
                  (d.scope.empty() ? "" : " (from the scope " + d.scope + ")"));
    p.Cite(1, d.citation);
    for (const auto& l : d.lets) p.Expr(1, l.value.get(), "let " + l.name);
    for (const auto& r : d.rules) {
      std::string ex;
      for (const auto& x : r.exception_to) ex += (ex.empty() ? " exception to " : ", ") + x;
      p.Line(1, "rule " + r.name + ex);
      p.Cite(2, r.citation);
      if (r.condition) p.Expr(2, r.condition.get(), "when");
      p.Expr(2, r.outcome.get(), "then");
    }
    for (const auto& df : d.defaults) {
      p.Line(1, "default");
      p.Cite(2, df.citation);
      p.Expr(2, df.outcome.get(), "then");
    }
    for (const auto& as : d.asserts) {
      p.Line(1, "assert" + (as.text.empty() ? std::string() : " \"" + as.text + "\""));
      p.Cite(2, as.citation);
      p.Expr(2, as.condition.get());
    }
  }
  for (const auto& sc : f.scopes) {
    std::string ps;
    for (const auto& pa : sc.params) ps += (ps.empty() ? "" : ", ") + pa.name + ": " + Type(pa.type);
    p.Line(0, "scope " + sc.name + "(" + ps + ")");
    p.Cite(1, sc.citation);
    for (const auto& v : sc.vars)
      p.Line(1, std::string(v.context ? "context " : "") + (v.output ? "output " : "internal ") + v.name + ": " +
                    Type(v.type));
  }
  for (const auto& t : f.tests) {
    p.Line(0, "test " + t.name);
    for (const auto& s : t.stmts) {
      if (s.is_let)
        p.Expr(1, s.let.value.get(), "let " + s.let.name);
      else
        p.Expr(1, s.assertion.get(), s.fails_with.empty() ? "assert" : "assert fails with " + s.fails_with);
    }
  }
  return p.out;
}

TypeExpr CloneType(const TypeExpr& t) {
  TypeExpr c;
  c.kind = t.kind;
  c.range = t.range;
  c.name = t.name;
  if (t.elem) c.elem = std::make_unique<TypeExpr>(CloneType(*t.elem));
  c.unit = t.unit;
  return c;
}

}  // namespace edict::ast
