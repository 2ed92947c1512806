// Lowering: keeping functions small (see kPieceNodes in lowerer.h). Code-size accounting, pieces
// (subexpressions evaluated by functions of their own), helpers that are not inlined, lets
// evaluated once, and how values cross the boundaries of those functions.
#include "compiler/lower/lowerer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace edict::lower {

bool Lowerer::HasList(TypeId t) const {
  const auto& ti = m_.types.info(t);
  if (ti.kind == TypeKind::List) return true;
  if (ti.kind == TypeKind::Record)
    for (const auto& f : m_.types.records[ti.ref].fields)
      if (HasList(f.type)) return true;
  if (ti.kind == TypeKind::Sum)
    for (TypeId p : m_.types.enums[ti.ref].payloads)
      if (p != rt::kNoPayload && HasList(p)) return true;
  return false;
}

// The IR nodes lowered into the function that evaluates `id`: its own, its operands' unless
// they are pieces (one node each), and the bodies of the helpers inlined into it. Lists are
// never cut (a list literal lives in its function's frame), nor are helpers returning them.
uint64_t Lowerer::Cost(ExprId id) {
  if (cost_[id]) return cost_[id];
  const ir::Expr& e = m_.exprs[id];
  uint64_t c = 1;
  ForEachOperand(m_, e, [&](ExprId k) { c += IsCut(k) ? 1 : Cost(k); });
  if (e.op == Op::Call && InlineDef(e.a)) c += Cost(m_.defs[e.a].body);
  return cost_[id] = c;
}

bool Lowerer::InlineDef(uint32_t d) {
  if (!inline_def_[d]) inline_def_[d] = HasList(m_.defs[d].result) || Cost(m_.defs[d].body) < kPieceNodes ? 1 : 2;
  return inline_def_[d] == 1;
}

Lowerer::Params Lowerer::FreeSlots(ExprId root) {
  std::map<uint32_t, TypeId> out;
  std::vector<uint32_t> bound;
  FreeWalk(root, out, bound);
  return Params(out.begin(), out.end());
}

void Lowerer::FreeWalk(ExprId id, std::map<uint32_t, TypeId>& out, std::vector<uint32_t>& bound) {
  const ir::Expr& e = m_.exprs[id];
  // Locals and lets are the free variables; a binder's slot is bound in its body; any other op's
  // operands are walked (the shape of each op is in ops.def).
  if (e.op == Op::Local) {
    if (std::find(bound.begin(), bound.end(), e.a) == bound.end()) out.emplace(e.a, e.type);
    return;
  }
  if (e.op == Op::LetRef) {
    if (spec_) {
      out.emplace(let_slot_base_ + e.a, e.type);
      return;
    }
    auto it = let_free_.find({dec_, e.a});
    if (it == let_free_.end()) it = let_free_.emplace(std::pair{dec_, e.a}, FreeSlots(dec_->lets[e.a].value)).first;
    for (const auto& [slot, type] : it->second) out.emplace(slot, type);
    return;
  }
  if (ir::ShapeOf(e.op) == ir::Shape::Binder) {
    FreeWalk(e.b, out, bound);
    bound.push_back(e.a);
    FreeWalk(e.c, out, bound);
    bound.pop_back();
    return;
  }
  if (ir::ShapeOf(e.op) == ir::Shape::Arms) {  // an arm's slot is bound in its value
    ir::MatchArms arms{m_, e};
    FreeWalk(e.a, out, bound);
    for (uint32_t i = 0; i < arms.count(); ++i) {
      bound.push_back(arms.slot(i));
      FreeWalk(arms.value(i), out, bound);
      bound.pop_back();
    }
    return;
  }
  ForEachOperand(m_, e, [&](ExprId k) { FreeWalk(k, out, bound); });
}

// A value's components, by its type (what CgVal holds), as function parameters and results.
void Lowerer::ComponentTypes(TypeId t, std::vector<llvm::Type*>& out) {
  const auto& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: break;
    case TypeKind::Bool: out.push_back(I1()); break;
    case TypeKind::Integer: out.push_back(I64()); break;
    case TypeKind::Decimal:
      out.push_back(I128());
      out.push_back(I128());
      break;
    case TypeKind::Date:
    case TypeKind::Enum: out.push_back(I32()); break;
    case TypeKind::Duration:
      out.push_back(I64());
      out.push_back(I64());
      break;
    case TypeKind::Text:
    case TypeKind::List:
      out.push_back(Ptr());
      out.push_back(I64());
      break;
    case TypeKind::Set:
      for (uint32_t w = 0; w < L_.of(t).words; ++w) out.push_back(I64());
      break;
    case TypeKind::Record:
      for (const auto& f : m_.types.records[ti.ref].fields) ComponentTypes(f.type, out);
      break;
    case TypeKind::Sum:
      out.push_back(I32());
      for (TypeId p : m_.types.enums[ti.ref].payloads)
        if (p != rt::kNoPayload) ComponentTypes(p, out);
      break;
  }
}

void Lowerer::Flatten(TypeId t, const CgVal& v, std::vector<llvm::Value*>& out) {
  const auto& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: break;
    case TypeKind::Bool:
    case TypeKind::Integer:
    case TypeKind::Date:
    case TypeKind::Enum: out.push_back(v.a); break;
    case TypeKind::Decimal:
    case TypeKind::Duration:
    case TypeKind::Text:
    case TypeKind::List:
      out.push_back(v.a);
      out.push_back(v.b);
      break;
    case TypeKind::Set:
      for (auto* w : v.words) out.push_back(w);
      break;
    case TypeKind::Record: {
      const auto& r = m_.types.records[ti.ref];
      for (size_t i = 0; i < r.fields.size(); ++i) Flatten(r.fields[i].type, v.fields[i], out);
      break;
    }
    case TypeKind::Sum: {
      const auto& en = m_.types.enums[ti.ref];
      out.push_back(v.a);
      for (uint32_t k = 0; k < en.members.size(); ++k)
        if (en.HasPayload(k)) Flatten(en.payloads[k], v.fields[k], out);
      break;
    }
  }
}

template <class Next>
CgVal Lowerer::Unflatten(TypeId t, Next&& next) {
  const auto& ti = m_.types.info(t);
  CgVal v;
  switch (ti.kind) {
    case TypeKind::Error: break;
    case TypeKind::Bool:
    case TypeKind::Integer:
    case TypeKind::Date:
    case TypeKind::Enum: v.a = next(); break;
    case TypeKind::Decimal:
    case TypeKind::Duration:
    case TypeKind::Text:
    case TypeKind::List:
      v.a = next();
      v.b = next();
      break;
    case TypeKind::Set:
      for (uint32_t w = 0; w < L_.of(t).words; ++w) v.words.push_back(next());
      break;
    case TypeKind::Record:
      for (const auto& f : m_.types.records[ti.ref].fields) v.fields.push_back(Unflatten(f.type, next));
      break;
    case TypeKind::Sum: {
      const auto& en = m_.types.enums[ti.ref];
      v.a = next();
      v.fields.resize(en.members.size());
      for (uint32_t k = 0; k < en.members.size(); ++k)
        if (en.HasPayload(k)) v.fields[k] = Unflatten(en.payloads[k], next);
      break;
    }
  }
  return v;
}

CgVal Lowerer::Phi(TypeId t, const std::vector<std::pair<llvm::BasicBlock*, CgVal>>& in) {
  std::vector<std::vector<llvm::Value*>> flat(in.size());
  for (size_t i = 0; i < in.size(); ++i) Flatten(t, in[i].second, flat[i]);
  std::vector<llvm::Value*> phis;
  for (size_t c = 0; !flat.empty() && c < flat[0].size(); ++c) {
    auto* phi = B_.CreatePHI(flat[0][c]->getType(), unsigned(in.size()));
    for (size_t i = 0; i < in.size(); ++i) phi->addIncoming(flat[i][c], in[i].first);
    phis.push_back(phi);
  }
  size_t k = 0;
  return Unflatten(t, [&]() -> llvm::Value* { return phis[k++]; });
}

Lowerer::FnState Lowerer::SaveFn() {
  return FnState{fn_,    spec_,     bail_,    err_,     trace_,       memo_,      scope_,
                 dec_a_, dec_b_,    dec_out_, i32_out_, i64_out_,     ymd_out_,   std::move(slots_),
                 root_,  in_piece_, compact_, fail_bb_, fail_status_, B_.saveIP()};
}

void Lowerer::RestoreFn(FnState& s) {
  fn_ = s.fn;
  spec_ = s.spec;
  bail_ = s.bail;
  err_ = s.err;
  trace_ = s.trace;
  memo_ = s.memo;
  scope_ = s.scope;
  dec_a_ = s.dec_a;
  dec_b_ = s.dec_b;
  dec_out_ = s.dec_out;
  i32_out_ = s.i32_out;
  i64_out_ = s.i64_out;
  ymd_out_ = s.ymd_out;
  slots_ = std::move(s.slots);
  root_ = s.root;
  in_piece_ = s.in_piece;
  compact_ = s.compact;
  fail_bb_ = s.fail_bb;
  fail_status_ = s.fail_status;
  B_.restoreIP(s.ip);
}

// Starts the body of fn_: its entry block and the scratch memory runtime calls use.
void Lowerer::BeginFunction() {
  B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", fn_));
  dec_a_ = EntryAlloca(32, 16);
  dec_b_ = EntryAlloca(32, 16);
  dec_out_ = EntryAlloca(32, 16);
  i32_out_ = EntryAlloca(4, 4);
  i64_out_ = EntryAlloca(8, 8);
  ymd_out_ = EntryAlloca(12, 4);
  bail_ = nullptr;
  if (spec_) {
    bail_ = EntryAlloca(1, 1);
    B_.CreateStore(B_.getFalse(), bail_);
  }
}

uintptr_t Lowerer::Signature(llvm::Value* v) {
  if (auto* c = llvm::dyn_cast<llvm::Constant>(v)) return reinterpret_cast<uintptr_t>(c);
  return Narrow64(v) ? kNarrow : kPlain;
}

llvm::Value* Lowerer::Received(llvm::Value* v, uintptr_t sig) {
  if (sig == kPlain) return v;
  if (sig == kNarrow) return B_.CreateSExt(v, I128());
  return reinterpret_cast<llvm::Constant*>(sig);
}

// Evaluates `root` by its own function (created on first use for these argument signatures):
// a piece or a let's value (in the current decision) or a helper's body; with `atoms`, a part of
// a rule's condition whose atoms it records. `params` are the frame slots it receives, with
// `args` their values, `frame` the size of its frame. A failure is passed on (general code) or
// bails out (speculative code).
CgVal Lowerer::Evaluate(ExprId root, std::vector<ExprId>* atoms, const Params& params, const std::vector<CgVal>& args,
                        size_t frame, TypeId result, const std::string& name) {
  std::vector<llvm::Value*> flat;
  for (size_t i = 0; i < params.size(); ++i) Flatten(params[i].second, args[i], flat);
  std::vector<uintptr_t> sig;
  for (llvm::Value* v : flat) sig.push_back(Signature(v));
  PieceKey key{root, spec_, atoms != nullptr, sig};
  auto it = pieces_.find(key);
  if (it == pieces_.end()) it = pieces_.emplace(key, MakePiece(root, atoms, params, sig, frame, result, name)).first;
  const Piece& piece = it->second;

  auto* null = llvm::ConstantPointerNull::get(B_.getPtrTy());
  std::vector<llvm::Value*> call_args{err_, trace_ ? trace_ : null, memo_ ? memo_ : null, scope_ ? scope_ : null};
  for (size_t i = 0; i < flat.size(); ++i)
    if (sig[i] <= kNarrow) call_args.push_back(Passed(flat[i], sig[i]));
  llvm::Value* r = B_.CreateCall(piece.fn, call_args);
  llvm::Value* status = B_.CreateExtractValue(r, 0);
  if (spec_)
    Bail(status);
  else
    PropagateStatus(status);
  unsigned field = 1;
  size_t k = 0;
  auto next = [&]() -> llvm::Value* {
    uintptr_t s = piece.result[k++];
    return Received(s <= kNarrow ? B_.CreateExtractValue(r, field++) : nullptr, s);
  };
  if (atoms) {
    CgVal c;
    c.a = next();
    return c;
  }
  return Unflatten(result, next);
}

Lowerer::Piece Lowerer::MakePiece(ExprId root, std::vector<ExprId>* atoms, const Params& params,
                                  const std::vector<uintptr_t>& sig, size_t frame, TypeId result,
                                  const std::string& name) {
  std::vector<llvm::Type*> arg_types{Ptr(), Ptr(), Ptr(), Ptr()};  // error, trace, lets, scope frame
  {
    std::vector<llvm::Type*> comps;
    for (const auto& [slot, type] : params) ComponentTypes(type, comps);
    for (size_t i = 0; i < comps.size(); ++i)
      if (sig[i] <= kNarrow) arg_types.push_back(sig[i] == kNarrow ? I64() : comps[i]);
  }
  // The result's type is known once the body is lowered: the body goes into a function that
  // returns nothing, then moves to one with the right type.
  auto* draft = llvm::Function::Create(llvm::FunctionType::get(B_.getVoidTy(), arg_types, false),
                                       llvm::Function::InternalLinkage, "", M_);
  FnState saved = SaveFn();
  fn_ = draft;
  fail_bb_ = nullptr;
  in_piece_ = true;
  compact_ = !spec_ && Cost(root) >= kPieceNodes;
  BeginFunction();
  fail_status_ = spec_ ? nullptr : EntryAlloca(4, 4);
  err_ = draft->getArg(0);
  trace_ = trace_enabled_ && !spec_ ? draft->getArg(1) : nullptr;
  memo_ = draft->getArg(2);
  scope_ = draft->getArg(3);
  root_ = root;
  slots_.assign(frame, CgVal{});
  unsigned arg = 4;
  size_t k = 0;
  auto next = [&]() -> llvm::Value* {
    uintptr_t s = sig[k++];
    return Received(s <= kNarrow ? draft->getArg(arg++) : nullptr, s);
  };
  for (const auto& [slot, type] : params) slots_[slot] = Unflatten(type, next);
  std::vector<llvm::Value*> out;
  if (atoms) {
    out.push_back(Condition(root, atoms));
  } else {
    CgVal v = Expr(root);
    Flatten(result, v, out);
  }
  // Reached only without an error: general code returns at the first one.
  llvm::Value* status = spec_ ? static_cast<llvm::Value*>(B_.CreateLoad(I1(), bail_)) : C32(0);
  Piece piece;
  std::vector<llvm::Type*> rets{status->getType()};
  std::vector<llvm::Value*> returned{status};
  for (llvm::Value* v : out) {
    piece.result.push_back(Signature(v));
    if (piece.result.back() > kNarrow) continue;
    returned.push_back(Passed(v, piece.result.back()));
    rets.push_back(returned.back()->getType());
  }
  auto* ret_ty = llvm::StructType::get(C_, rets);
  auto* f = llvm::Function::Create(llvm::FunctionType::get(ret_ty, arg_types, false), llvm::Function::InternalLinkage,
                                   name + (spec_ ? "_spec" : ""), M_);
  f->setDoesNotThrow();
  // Large pieces stay out of line: LLVM would inline a function called once back into its caller.
  if (Cost(root) >= kPieceNodes) f->addFnAttr(llvm::Attribute::NoInline);
  f->splice(f->end(), draft);
  llvm::Value* ret = llvm::PoisonValue::get(ret_ty);
  for (unsigned i = 0; i < returned.size(); ++i) ret = B_.CreateInsertValue(ret, returned[i], i);
  B_.CreateRet(ret);
  if (fail_bb_) {  // every error of general code: the status, and nothing else that is read
    B_.SetInsertPoint(fail_bb_);
    B_.CreateRet(B_.CreateInsertValue(llvm::PoisonValue::get(ret_ty), B_.CreateLoad(I32(), fail_status_), 0));
  }
  // Only now is every use of the draft's arguments built: a returned value may be one of them
  // (a piece that passes a parameter through), and the return above uses it. Replaced before,
  // that use pointed to an argument freed with the draft (found by the fuzz target symbolic).
  for (unsigned i = 0; i < arg_types.size(); ++i) draft->getArg(i)->replaceAllUsesWith(f->getArg(i));
  draft->eraseFromParent();
  RestoreFn(saved);
  piece.fn = f;
  return piece;
}

// A piece (with atoms: a part of a rule's condition), evaluated by its function.
CgVal Lowerer::CallPiece(ExprId id, std::vector<ExprId>* atoms) {
  Params params = FreeSlots(id);
  std::vector<CgVal> args;
  for (const auto& [slot, type] : params) args.push_back(slots_[slot]);
  return Evaluate(id, atoms, params, args, slots_.size(), m_.exprs[id].type, fmt::format("edict_piece_{}", id));
}

// A helper that is not inlined: one function, called with the arguments' values.
CgVal Lowerer::CallHelper(uint32_t di, const std::vector<CgVal>& args) {
  const ir::Def& d = m_.defs[di];
  Params params;
  for (uint32_t i = 0; i < d.params.size(); ++i) params.emplace_back(i, d.params[i].type);
  llvm::Value* memo = memo_;
  memo_ = nullptr;  // a helper reads no let
  CgVal v = Evaluate(d.body, nullptr, params, args, std::max<size_t>(d.slot_count, d.params.size()), d.result,
                     fmt::format("edict_helper_{}", di));
  memo_ = memo;
  return v;
}

// The lets' frame of the current decision: per let, a flag (general code: computed) and its
// value's components.
llvm::StructType* Lowerer::LetsType(const ir::Decision& d) {
  std::vector<llvm::Type*> lets;
  for (const auto& let : d.lets) {
    std::vector<llvm::Type*> parts{I1()};
    ComponentTypes(let.type, parts);
    lets.push_back(llvm::StructType::get(C_, parts));
  }
  return llvm::StructType::get(C_, lets);
}

void Lowerer::StoreLet(uint32_t i, const CgVal& v) {
  std::vector<llvm::Value*> parts;
  Flatten(dec_->lets[i].type, v, parts);
  llvm::Value* p = LetSlot(i);
  for (unsigned k = 0; k < parts.size(); ++k) B_.CreateStore(parts[k], B_.CreateStructGEP(LetType(i), p, k + 1));
  B_.CreateStore(B_.getTrue(), B_.CreateStructGEP(LetType(i), p, 0));
}

CgVal Lowerer::LoadLet(uint32_t i) {
  llvm::StructType* ty = LetType(i);
  llvm::Value* p = LetSlot(i);
  unsigned k = 1;
  auto next = [&]() -> llvm::Value* {
    llvm::Value* v = B_.CreateLoad(ty->getElementType(k), B_.CreateStructGEP(ty, p, k));
    ++k;
    return v;
  };
  return Unflatten(dec_->lets[i].type, next);
}

// A let's value: computed by its function at the first use (general code), or at the start of
// the speculative function (see HoistLets).
CgVal Lowerer::LetValue(uint32_t i) {
  if (spec_) return slots_[let_slot_base_ + i];
  const ir::Let& let = dec_->lets[i];
  auto* have = NewBlock("let_have");
  auto* compute = NewBlock("let_compute");
  B_.CreateCondBr(B_.CreateLoad(I1(), B_.CreateStructGEP(LetType(i), LetSlot(i), 0)), have, compute);
  B_.SetInsertPoint(compute);
  Params params = FreeSlots(let.value);
  std::vector<CgVal> args;
  for (const auto& [slot, type] : params) args.push_back(slots_[slot]);
  StoreLet(i,
           Evaluate(let.value, nullptr, params, args, slots_.size(), let.type, fmt::format("edict_let_{}", let.value)));
  B_.CreateBr(have);
  B_.SetInsertPoint(have);
  return LoadLet(i);
}

// Speculative code evaluates every let the decision reads once, in order (a let reads only
// earlier ones), before the rules: evaluation is pure and any failure bails out. Each value
// goes to the let's slot (see FreeSlots).
void Lowerer::HoistLets(const ir::Decision& d) {
  std::vector<bool> read(d.lets.size(), false);
  std::vector<ExprId> todo;
  for (const auto& a : d.assertions) todo.push_back(a.condition);
  for (const auto& r : d.rules) {
    if (r.condition != ir::kNoExpr) todo.push_back(r.condition);
    todo.push_back(r.outcome);
  }
  if (d.has_default) todo.push_back(d.default_rule.outcome);
  while (!todo.empty()) {
    const ir::Expr& e = m_.exprs[todo.back()];
    todo.pop_back();
    if (e.op == Op::LetRef) {
      if (!read[e.a]) {
        read[e.a] = true;
        todo.push_back(d.lets[e.a].value);
      }
      continue;
    }
    ForEachOperand(m_, e, [&](ExprId k) { todo.push_back(k); });
  }
  for (uint32_t i = 0; i < d.lets.size(); ++i)
    if (read[i]) slots_[let_slot_base_ + i] = Expr(d.lets[i].value);
}

}  // namespace edict::lower
