#include "compiler/ir/source_print.h"

#include <algorithm>

#include "compiler/ir/walk.h"

#include "runtime/date.h"
#include "runtime/value.h"

namespace edict::ir {
namespace {

class Printer {
 public:
  explicit Printer(const Module& m) : m_(m) {}
  std::string Print(ExprId id, PrintScope& f);
  std::string Paren(ExprId id, PrintScope& f);

 private:
  std::string Qualify(const std::string& name, SourceRange range, uint32_t index, bool is_const) const;

  const Module& m_;
};

// A name for a value a `match` arm binds, unlike the names in scope: x, y, z, x2, y2 ...
std::string FreshName(const PrintScope& f) {
  for (int round = 1;; ++round)
    for (const char* base : {"x", "y", "z"}) {
      std::string n = round == 1 ? base : base + std::to_string(round);
      if (std::find(f.names.begin(), f.names.end(), n) == f.names.end()) return n;
    }
}

std::string Printer::Paren(ExprId id, PrintScope& f) {
  switch (m_.exprs[id].op) {
    case Op::BoolLit:
    case Op::IntLit:
    case Op::DecLit:
    case Op::DateLit:
    case Op::DurLit:
    case Op::TextLit:
    case Op::EnumLit:
    case Op::SetLit:
    case Op::ListLit:
    case Op::RecordLit:
    case Op::Local:
    case Op::Const:
    case Op::Call:
    case Op::DecisionCall:
    case Op::Builtin:
    case Op::Field:
    case Op::IntToDec:
    case Op::SumLit:
    case Op::SumMake:
    case Op::ListIndex:
    case Op::ListMap:
    case Op::ListFilter:
    case Op::ListMin:
    case Op::ListMax:
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort: return Print(id, f);
    case Op::LetRef: return Paren(f.decision->lets[m_.exprs[id].a].value, f);
    case Op::Error:
    case Op::With:
    case Op::Not:
    case Op::And:
    case Op::Or:
    case Op::If:
    case Op::IntNeg:
    case Op::IntAdd:
    case Op::IntSub:
    case Op::IntMul:
    case Op::IntMod:
    case Op::DecNeg:
    case Op::DecAdd:
    case Op::DecSub:
    case Op::DecMul:
    case Op::DecDiv:
    case Op::DateAddDur:
    case Op::DateSubDur:
    case Op::DateDiff:
    case Op::DurAdd:
    case Op::DurSub:
    case Op::DurNeg:
    case Op::DurMul:
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::SetHas:
    case Op::ListHas:
    case Op::SetUnion:
    case Op::SetInter:
    case Op::SetMinus:
    case Op::Exists:
    case Op::Forall:
    case Op::Match: break;
  }
  return "(" + Print(id, f) + ")";
}

std::string Printer::Print(ExprId id, PrintScope& f) {
  const ir::Expr& e = m_.exprs[id];
  auto lit = [&](const rt::Value& v) { return rt::FormatValue(v, e.type, m_.types); };
  auto list = [&](uint32_t start, uint32_t n) {
    std::string s;
    for (uint32_t i = 0; i < n; ++i) s += (i ? ", " : "") + Print(m_.extra[start + i], f);
    return s;
  };
  auto bin = [&](const char* op) { return Paren(e.a, f) + " " + op + " " + Paren(e.b, f); };
  switch (e.op) {
    case Op::Error: return "<error>";
    case Op::BoolLit: return e.a ? "true" : "false";
    case Op::IntLit: return lit(m_.ints[e.a]);
    case Op::DecLit: return lit(m_.decs[e.a]);
    case Op::DateLit: return lit(rt::Date{int32_t(e.a)});
    case Op::DurLit: return rt::ToString(m_.durs[e.a]);
    case Op::TextLit: return rt::JsonQuote(m_.texts[e.a]);
    case Op::EnumLit: return m_.types.enums[e.a].members[e.b];
    case Op::SetLit: return "{" + list(e.a, e.b) + "}";
    case Op::ListLit: return "[" + list(e.a, e.b) + "]";
    case Op::RecordLit: {
      const auto& r = m_.types.records[e.a];
      std::string s = r.name + " { ";
      for (size_t i = 0; i < r.fields.size(); ++i)
        s += (i ? ", " : "") + r.fields[i].name + ": " + Print(m_.extra[e.b + i], f);
      return s + " }";
    }
    case Op::Local: return e.a < f.names.size() && !f.names[e.a].empty() ? f.names[e.a] : "x";
    case Op::LetRef: return Print(f.decision->lets[e.a].value, f);
    case Op::Const: {
      std::string name = Qualify(m_.consts[e.a].name, m_.consts[e.a].range, e.a, true);
      std::string note = f.const_note ? f.const_note(e.a) : "";
      return note.empty() ? name : name + " (" + note + ")";
    }
    case Op::Call:
      return Qualify(m_.defs[e.a].name, m_.defs[e.a].range, e.a, false) + "(" +
             list(e.b, uint32_t(m_.defs[e.a].params.size())) + ")";
    case Op::DecisionCall: {
      const Decision& d = m_.decisions[e.a];
      std::string prefix;
      int ins = d.file < m_.file_instrument.size() ? m_.file_instrument[d.file] : -1;
      if (ins >= 0 && (!f.decision || f.decision->file != d.file)) prefix = m_.instruments[size_t(ins)].name + ".";
      return prefix + d.name + "(" + list(e.b, uint32_t(d.params.size())) + ")";
    }
    case Op::Builtin: return std::string(BuiltinName(Builtin(e.a))) + "(" + list(e.b, e.c) + ")";
    case Op::Field: {
      const auto& r = m_.types.records[m_.types.info(m_.exprs[e.a].type).ref];
      return Paren(e.a, f) + "." + r.fields[e.b].name;
    }
    case Op::With: {
      const auto& r = m_.types.records[m_.types.info(e.type).ref];
      std::string s = Paren(e.a, f) + " with { ";
      for (uint32_t i = 0; i < e.c; ++i)
        s += (i ? ", " : "") + r.fields[m_.extra[e.b + 2 * i]].name + ": " + Print(m_.extra[e.b + 2 * i + 1], f);
      return s + " }";
    }
    case Op::Not: return "not " + Paren(e.a, f);
    case Op::And: return bin("and");
    case Op::Or: return bin("or");
    case Op::If: return "if " + Print(e.a, f) + " then " + Print(e.b, f) + " else " + Print(e.c, f);
    case Op::IntNeg:
    case Op::DecNeg:
    case Op::DurNeg: return "-" + Paren(e.a, f);
    case Op::IntToDec: return Print(e.a, f);
    case Op::IntAdd:
    case Op::DecAdd:
    case Op::DateAddDur:
    case Op::DurAdd: return bin("+");
    case Op::IntSub:
    case Op::DecSub:
    case Op::DateSubDur:
    case Op::DateDiff:
    case Op::DurSub: return bin("-");
    case Op::IntMul:
    case Op::DecMul:
    case Op::DurMul: return bin("*");
    case Op::DecDiv: return bin("/");
    case Op::IntMod: return bin("mod");
    case Op::Eq: return bin("==");
    case Op::Ne: return bin("!=");
    case Op::Lt: return bin("<");
    case Op::Le: return bin("<=");
    case Op::Gt: return bin(">");
    case Op::Ge: return bin(">=");
    case Op::SetHas:
    case Op::ListHas: return bin("in");
    case Op::SetUnion: return bin("union");
    case Op::SetInter: return bin("inter");
    case Op::SetMinus: return bin("minus");
    case Op::SumLit: return m_.types.enums[e.a].members[e.b];
    case Op::SumMake: return m_.types.enums[m_.types.info(e.type).ref].members[e.b] + "(" + Print(e.a, f) + ")";
    case Op::Match: {
      // `match v { when a or b then ..., when c(x) then ..., else ... }`; the last arm, when it
      // covers several members, is `else`.
      MatchArms arms{m_, e};
      const rt::EnumInfo& en = m_.types.enums[m_.types.info(m_.exprs[e.a].type).ref];
      std::string s = "match " + Print(e.a, f) + " { ";
      for (uint32_t i = 0; i < arms.count(); ++i) {
        std::vector<uint32_t> members;
        for (uint32_t k = 0; k < arms.members(); ++k)
          if (arms.arm_of(k) == i) members.push_back(k);
        uint32_t slot = arms.slot(i);
        if (slot != kNoSlot && slot >= f.names.size()) f.names.resize(slot + 1);
        std::string saved = slot < f.names.size() ? f.names[slot] : "";
        std::string bound = FreshName(f);
        if (slot < f.names.size()) f.names[slot] = bound;
        s += i ? ", " : "";
        if (i + 1 == arms.count() && members.size() > 1 && i > 0) {
          s += "else";
        } else {
          s += "when";
          for (size_t j = 0; j < members.size(); ++j) s += (j ? " or " : " ") + en.members[members[j]];
          if (slot != kNoSlot) s += "(" + bound + ")";
          s += " then";
        }
        s += " " + Print(arms.value(i), f);
        if (slot < f.names.size()) f.names[slot] = saved;
      }
      return s + " }";
    }
    case Op::ListIndex: return Paren(e.a, f) + "[" + Print(e.b, f) + "]";
    case Op::ListMap:
    case Op::ListFilter:
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort: {
      // The forms of the source: `[v for x in l where c]`, `argmax(x in l where c by k)` ...
      std::string saved = e.a < f.names.size() ? f.names[e.a] : "";
      if (e.a < f.names.size()) f.names[e.a] = "x";
      const ir::Expr& over = m_.exprs[e.b];
      bool filtered = e.op != Op::ListFilter && over.op == Op::ListFilter && over.a == e.a;
      std::string range = "x in " + Print(filtered ? over.b : e.b, f);
      if (filtered || e.op == Op::ListFilter) range += " where " + Print(filtered ? over.c : e.c, f);
      std::string s;
      if (e.op == Op::ListMap) s = "[" + Print(e.c, f) + " for " + range + "]";
      if (e.op == Op::ListFilter) s = "[x for " + range + "]";
      if (e.op == Op::ListArgMin || e.op == Op::ListArgMax || e.op == Op::ListSort)
        s = std::string(e.op == Op::ListArgMin   ? "argmin"
                        : e.op == Op::ListArgMax ? "argmax"
                                                 : "sort") +
            "(" + range + " by " + Print(e.c, f) + ")";
      if (e.a < f.names.size()) f.names[e.a] = saved;
      return s;
    }
    case Op::ListMin:
    case Op::ListMax: {
      // `min(v for x in l)` when the operand is a list of values per element, else of the list.
      std::string list = Print(e.a, f);
      const char* op = e.op == Op::ListMin ? "min" : "max";
      if (m_.exprs[e.a].op == Op::ListMap) return std::string(op) + "(" + list.substr(1, list.size() - 2) + ")";
      return std::string(op) + "(x for x in " + list + ")";
    }
    case Op::Exists:
    case Op::Forall: {
      std::string saved = e.a < f.names.size() ? f.names[e.a] : "";
      if (e.a < f.names.size()) f.names[e.a] = "x";
      std::string s =
          std::string(e.op == Op::Exists ? "exists" : "all") + " x in " + Print(e.b, f) + ": " + Print(e.c, f);
      if (e.a < f.names.size()) f.names[e.a] = saved;
      return s;
    }
  }
  return "?";
}

// A constant or helper by name, qualified with its instrument (`base_rule.limit`) when it is not
// the one in force in the module's latest version, so both versions' names stay apart.
std::string Printer::Qualify(const std::string& name, SourceRange range, uint32_t index, bool is_const) const {
  if (m_.versions.size() < 2) return name;
  const auto& table = is_const ? m_.versions.back().consts : m_.versions.back().defs;
  auto it = table.find(name);
  if (it != table.end() && it->second == index) return name;
  int ins = range.file < m_.file_instrument.size() ? m_.file_instrument[range.file] : -1;
  return ins >= 0 ? m_.instruments[size_t(ins)].name + "." + name : name;
}

}  // namespace

std::string PrintSource(const Module& m, ExprId id, PrintScope& scope) { return Printer(m).Print(id, scope); }

std::string PrintOperand(const Module& m, ExprId id, PrintScope& scope) { return Printer(m).Paren(id, scope); }

std::string PrintNegation(const Module& m, ExprId id, PrintScope& scope) {
  Printer p(m);
  const Expr& e = m.exprs[id];
  auto flip = [&](const char* op) { return p.Paren(e.a, scope) + " " + op + " " + p.Paren(e.b, scope); };
  switch (e.op) {
    case Op::Eq: return flip("!=");
    case Op::Ne: return flip("==");
    case Op::Lt: return flip(">=");
    case Op::Le: return flip(">");
    case Op::Gt: return flip("<=");
    case Op::Ge: return flip("<");
    case Op::SetHas:
    case Op::ListHas: return flip("not in");
    case Op::Error:
    case Op::BoolLit:
    case Op::IntLit:
    case Op::DecLit:
    case Op::DateLit:
    case Op::DurLit:
    case Op::TextLit:
    case Op::EnumLit:
    case Op::SetLit:
    case Op::ListLit:
    case Op::RecordLit:
    case Op::Local:
    case Op::LetRef:
    case Op::Const:
    case Op::Call:
    case Op::DecisionCall:
    case Op::Builtin:
    case Op::Field:
    case Op::With:
    case Op::Not:
    case Op::And:
    case Op::Or:
    case Op::If:
    case Op::IntNeg:
    case Op::IntAdd:
    case Op::IntSub:
    case Op::IntMul:
    case Op::IntMod:
    case Op::IntToDec:
    case Op::DecNeg:
    case Op::DecAdd:
    case Op::DecSub:
    case Op::DecMul:
    case Op::DecDiv:
    case Op::DateAddDur:
    case Op::DateSubDur:
    case Op::DateDiff:
    case Op::DurAdd:
    case Op::DurSub:
    case Op::DurNeg:
    case Op::DurMul:
    case Op::SetUnion:
    case Op::SetInter:
    case Op::SetMinus:
    case Op::Exists:
    case Op::Forall:
    case Op::SumLit:
    case Op::SumMake:
    case Op::ListIndex:
    case Op::ListMap:
    case Op::ListFilter:
    case Op::ListMin:
    case Op::ListMax:
    case Op::ListArgMin:
    case Op::ListArgMax:
    case Op::ListSort:
    case Op::Match: break;
  }
  return "not " + p.Paren(id, scope);
}

}  // namespace edict::ir
