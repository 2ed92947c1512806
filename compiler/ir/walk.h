// The one walker over IR operands. Where the operands (child expressions) of an ir::Expr are is
// given per op by the Shape column of compiler/ir/ops.def; every pass that only needs "visit the
// children" uses ForEachOperand (or OperandList / SameNode below) rather than its own copy of
// the op list. Passes that give each op its own meaning (evaluation, lowering, encoding,
// printing, type verification) switch over ir::Op exhaustively instead.
//
// A new op with an existing shape needs nothing here. A new shape is a compile error (-Werror=
// switch) at each switch over Shape: this file, and the few passes that treat a shape specially
// (a Binder binds a slot).
#pragma once
#include <set>
#include <vector>

#include "compiler/ir/ir.h"

namespace edict::ir {

// The operand layouts of ops.def (documented there).
enum class Shape : uint8_t {
  None,
  Pool,
  A,
  AI,
  AB,
  ABC,
  List,
  BuiltinArgs,
  CallArgs,
  DecisionArgs,
  RecordFields,
  Pairs,
  Binder,
  Arms,
};

// The slot of a Match arm that binds nothing.
inline constexpr uint32_t kNoSlot = UINT32_MAX;

// The arms of a Match (shape Arms): arm i's bound slot and value, and the arm of each member.
struct MatchArms {
  const Module& m;
  const Expr& e;
  uint32_t count() const { return e.c; }
  uint32_t slot(uint32_t i) const { return m.extra[e.b + 2 * i]; }
  ExprId value(uint32_t i) const { return m.extra[e.b + 2 * i + 1]; }
  uint32_t members() const { return uint32_t(m.types.enums[m.types.info(m.exprs[e.a].type).ref].members.size()); }
  uint32_t arm_of(uint32_t member) const { return m.extra[e.b + 2 * e.c + member]; }
};

constexpr Shape ShapeOf(Op op) {
  switch (op) {
#define EDICT_IR_OP(Name, OperandShape, Doc) \
  case Op::Name:                             \
    return Shape::OperandShape;
#include "compiler/ir/ops.def"
#undef EDICT_IR_OP
  }
  return Shape::None;
}

// The operands of e that are kept in m.extra: `count` entries from `start` (for Pairs, `count`
// (field index, operand) pairs, so 2 * count entries). {0, 0} for a shape without a list.
struct OperandSpan {
  uint32_t start = 0, count = 0;
};
inline OperandSpan OperandList(const Module& m, const Expr& e) {
  switch (ShapeOf(e.op)) {
    case Shape::None:
    case Shape::Pool:
    case Shape::A:
    case Shape::AI:
    case Shape::AB:
    case Shape::ABC:
    case Shape::Binder:
    case Shape::Arms: return {};
    case Shape::List: return {e.a, e.b};
    case Shape::BuiltinArgs:
    case Shape::Pairs: return {e.b, e.c};
    case Shape::CallArgs: return {e.b, uint32_t(m.defs[e.a].params.size())};
    case Shape::DecisionArgs: return {e.b, uint32_t(m.decisions[e.a].params.size())};
    case Shape::RecordFields: return {e.b, uint32_t(m.types.records[e.a].fields.size())};
  }
  return {};
}

// Calls f(ExprId) for each operand of e, in evaluation order. It does not enter what an operand
// field refers to by index: a helper's body (Call), a let's value (LetRef), a const's value.
template <class F>
void ForEachOperand(const Module& m, const Expr& e, F&& f) {
  switch (ShapeOf(e.op)) {
    case Shape::None:
    case Shape::Pool: return;
    case Shape::A:
    case Shape::AI: f(ExprId(e.a)); return;
    case Shape::AB:
      f(ExprId(e.a));
      f(ExprId(e.b));
      return;
    case Shape::ABC:
      f(ExprId(e.a));
      f(ExprId(e.b));
      f(ExprId(e.c));
      return;
    case Shape::Binder:
      f(ExprId(e.b));
      f(ExprId(e.c));
      return;
    case Shape::Arms:
      f(ExprId(e.a));
      for (uint32_t i = 0; i < e.c; ++i) f(ExprId(m.extra[e.b + 2 * i + 1]));
      return;
    case Shape::Pairs:
      f(ExprId(e.a));
      for (uint32_t i = 0; i < e.c; ++i) f(ExprId(m.extra[e.b + 2 * i + 1]));
      return;
    case Shape::List:
    case Shape::BuiltinArgs:
    case Shape::CallArgs:
    case Shape::DecisionArgs:
    case Shape::RecordFields: {
      OperandSpan s = OperandList(m, e);
      for (uint32_t i = 0; i < s.count; ++i) f(ExprId(m.extra[s.start + i]));
      return;
    }
  }
}

// The decisions the expressions `work` call, directly or through the helpers they call (not
// through the decisions they call): which decisions a test exercises (`edict test --coverage`,
// `edict doc`).
inline std::set<uint32_t> DecisionsCalled(const Module& m, std::vector<ExprId> work) {
  std::set<uint32_t> decisions, defs;
  while (!work.empty()) {
    ExprId id = work.back();
    work.pop_back();
    if (id == kNoExpr) continue;
    const Expr& x = m.exprs[id];
    if (x.op == Op::DecisionCall) decisions.insert(x.a);
    if (x.op == Op::Call && defs.insert(x.a).second && m.defs[x.a].body != kNoExpr) work.push_back(m.defs[x.a].body);
    ForEachOperand(m, x, [&](ExprId k) { work.push_back(k); });
  }
  return decisions;
}

// The decisions `roots` call, directly or through helpers and other decisions, and themselves
// (what the JIT must compile for them; what a test exercises, `edict test --coverage`).
inline std::vector<bool> CallClosure(const Module& m, const std::vector<uint32_t>& roots) {
  std::vector<bool> wanted(m.decisions.size(), false);
  std::vector<bool> defs_seen(m.defs.size(), false);
  std::vector<uint32_t> todo(roots.begin(), roots.end());
  std::vector<ExprId> exprs;
  while (!todo.empty()) {
    uint32_t d = todo.back();
    todo.pop_back();
    if (wanted[d]) continue;
    wanted[d] = true;
    const Decision& dec = m.decisions[d];
    ForEachRoot(dec, [&](ExprId id) { exprs.push_back(id); });
    while (!exprs.empty()) {
      ExprId id = exprs.back();
      exprs.pop_back();
      if (id == kNoExpr) continue;
      const Expr& e = m.exprs[id];
      if (e.op == Op::DecisionCall) todo.push_back(e.a);
      if (e.op == Op::Call && !defs_seen[e.a]) {
        defs_seen[e.a] = true;
        exprs.push_back(m.defs[e.a].body);
      }
      ForEachOperand(m, e, [&](ExprId k) { exprs.push_back(k); });
    }
  }
  return wanted;
}

// Whether two nodes are the same apart from their operands: same op and type, same immediates
// (slot, let, const, enum member, field index, builtin, callee, bound slot, the field indexes of
// With), the same literal value, and the same number of operands. Error nodes are never the
// same. Structural equality is this and, pairwise, the same operands (check's SameExpr).
inline bool SameNode(const Module& m, const Expr& x, const Expr& y) {
  if (x.op != y.op || x.type != y.type || x.op == Op::Error) return false;
  switch (ShapeOf(x.op)) {
    case Shape::None: return x.a == y.a && x.b == y.b && x.c == y.c;
    case Shape::Pool:
      switch (m.types.kind(x.type)) {
        case rt::TypeKind::Integer: return m.ints[x.a] == m.ints[y.a];
        case rt::TypeKind::Decimal: return m.decs[x.a] == m.decs[y.a];
        case rt::TypeKind::Duration: return m.durs[x.a] == m.durs[y.a];
        case rt::TypeKind::Text: return m.texts[x.a] == m.texts[y.a];
        case rt::TypeKind::Error:
        case rt::TypeKind::Bool:
        case rt::TypeKind::Date:
        case rt::TypeKind::Enum:
        case rt::TypeKind::Set:
        case rt::TypeKind::List:
        case rt::TypeKind::Record:
        case rt::TypeKind::Sum: return false;  // no pooled literal has these types
      }
      return false;
    case Shape::A:
    case Shape::AB:
    case Shape::ABC: return true;
    case Shape::AI: return x.b == y.b;
    case Shape::List: return x.b == y.b;
    case Shape::BuiltinArgs: return x.a == y.a && x.c == y.c;
    case Shape::CallArgs:
    case Shape::DecisionArgs:
    case Shape::RecordFields:
    case Shape::Binder: return x.a == y.a;
    case Shape::Pairs:
      if (x.c != y.c) return false;
      for (uint32_t i = 0; i < x.c; ++i)
        if (m.extra[x.b + 2 * i] != m.extra[y.b + 2 * i]) return false;
      return true;
    case Shape::Arms: {
      if (x.c != y.c || m.exprs[x.a].type != m.exprs[y.a].type) return false;
      MatchArms ax{m, x}, ay{m, y};
      for (uint32_t i = 0; i < x.c; ++i)
        if (ax.slot(i) != ay.slot(i)) return false;
      for (uint32_t k = 0; k < ax.members(); ++k)
        if (ax.arm_of(k) != ay.arm_of(k)) return false;
      return true;
    }
  }
  return false;
}

}  // namespace edict::ir
