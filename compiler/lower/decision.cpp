// Lowering: decisions. Each decision's general function (rules in order, winners, the default,
// conflicts), its speculative outcome, and its batch entry point.
#include "compiler/lower/lowerer.h"

#include <algorithm>
#include <string>
#include <vector>

namespace edict::lower {

void Lowerer::DefineDecision(uint32_t di, llvm::Function* fn, bool spec) {
  const ir::Decision& d = m_.decisions[di];
  dec_ = &d;
  fn_ = fn;
  spec_ = spec;
  root_ = ir::kNoExpr;
  in_piece_ = false;
  compact_ = false;
  fail_bb_ = nullptr;
  BeginFunction();
  llvm::Value* in = fn_->getArg(0);
  llvm::Value* out = fn_->getArg(1);
  err_ = fn_->getArg(2);
  trace_ = trace_enabled_ ? fn_->getArg(3) : nullptr;
  scope_ = Framed(di) ? fn_->getArg(4) : nullptr;
  // The lets' values and (general code) whether each was computed yet.
  lets_ty_ = LetsType(d);
  memo_ = nullptr;
  if (!d.lets.empty() && !spec_) {
    llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    memo_ = eb.CreateAlloca(lets_ty_);
    for (uint32_t i = 0; i < d.lets.size(); ++i)
      B_.CreateStore(B_.getFalse(), B_.CreateStructGEP(LetType(i), LetSlot(i), 0));
  }

  DecisionInfo& info = result_.decisions[di];
  std::vector<ExprId>* atoms = &info.atoms;
  std::vector<ExprId> scratch_atoms;
  if (spec_) atoms = &scratch_atoms;  // the trace layout comes from the general function
  std::vector<TypeId> ptypes;
  for (const auto& p : d.params) ptypes.push_back(p.type);
  info.input = L_.Struct(ptypes);
  info.output_size = L_.of(d.result).size;
  info.output_align = L_.of(d.result).align;

  let_slot_base_ = std::max<size_t>(d.slot_count, d.params.size());
  slots_.assign(let_slot_base_ + (spec_ ? d.lets.size() : 0), CgVal{});
  for (size_t i = 0; i < d.params.size(); ++i)
    slots_[i] = LoadFlat(ptypes[i], At(in, info.input.field_offsets[i]), true);
  // A framed decision's speculative code stops at once when its inputs are not as it assumes
  // (canonical decimals): the calls that share its scope frame take its inputs as their own,
  // and what they store there must be exact, for the general function to reuse.
  if (spec_ && scope_) ReturnIfBailed();
  // 0. The invariants of the inputs, in order: the first that is false is `invalid_case`.
  for (const auto& g : d.guards)
    FailIf(B_.CreateNot(Expr(g.check).a), rt::RtErrorKind::InvalidCase, m_.invariants[g.invariant].range);
  if (spec_) HoistLets(d);
  // 0'. Its assertions, in order: the first that is false is `assertion_failed` (the speculative
  // function, whose lets are hoisted, bails out to the general one on any failure).
  for (const auto& a : d.assertions)
    FailIf(B_.CreateNot(Expr(a.condition).a), rt::RtErrorKind::AssertionFailed, a.range);

  // 1. Every rule's condition, in order.
  size_t n = d.rules.size();
  std::vector<llvm::Value*> applies(n);
  for (size_t r = 0; r < n; ++r) {
    const ir::Rule& rule = d.rules[r];
    applies[r] = rule.condition == ir::kNoExpr ? B_.getTrue() : Condition(rule.condition, atoms);
    if (trace_) TraceStore(uint32_t(r), B_.CreateAdd(B_.CreateZExt(applies[r], I8()), B_.getInt8(1)));
    if (!spec_) info.atom_rule.resize(info.atoms.size(), uint32_t(r));
  }
  if (!spec_) info.trace_size = uint32_t(n + info.atoms.size());

  // 2. Winners: applicable rules that no applicable rule overrides.
  std::vector<llvm::Value*> wins(n);
  llvm::Value* any = B_.getFalse();
  for (size_t r = 0; r < n; ++r) {
    llvm::Value* overridden = B_.getFalse();
    for (size_t s = 0; s < n; ++s) {
      const auto& ov = d.rules[s].overrides;
      if (std::binary_search(ov.begin(), ov.end(), uint32_t(r))) overridden = B_.CreateOr(overridden, applies[s]);
    }
    wins[r] = B_.CreateAnd(applies[r], B_.CreateNot(overridden));
    any = B_.CreateOr(any, wins[r]);
  }
  if (spec_) {
    DefineSpeculativeOutcome(d, applies, wins, out);
    return;
  }

  // 3. No winner: the default, or `no_applicable_rule`.
  auto* none_bb = NewBlock("no_winner");
  auto* some_bb = NewBlock("winners");
  B_.CreateCondBr(any, some_bb, none_bb);
  B_.SetInsertPoint(none_bb);
  if (d.has_default) {
    StoreFlat(d.result, Expr(d.default_rule.outcome), out);
    B_.CreateRet(C32(0));
  } else {
    EmitErrorReturn(C32(int32_t(rt::RtErrorKind::NoApplicableRule)), Site(d.range));
  }

  // 4. The first winner gives the outcome (computed once, into `out`); every later winner
  //    must agree. Code size is linear in the number of rules.
  B_.SetInsertPoint(some_bb);
  llvm::Value* first_idx = C32(0);
  for (size_t r = n; r-- > 0;) first_idx = B_.CreateSelect(wins[r], C32(int64_t(r)), first_idx);
  auto* stored = NewBlock("first_stored");
  auto* sw = B_.CreateSwitch(first_idx, stored, uint32_t(n));
  auto* after_switch = B_.GetInsertBlock();
  (void)after_switch;
  for (size_t r = 0; r < n; ++r) {
    auto* bb = NewBlock("first");
    sw->addCase(B_.getInt32(uint32_t(r)), bb);
    B_.SetInsertPoint(bb);
    StoreFlat(d.result, Expr(d.rules[r].outcome), out);
    B_.CreateBr(stored);
  }
  B_.SetInsertPoint(stored);
  for (size_t s = 1; s < n; ++s) {
    auto* check = NewBlock("check_winner");
    auto* after = NewBlock("checked");
    // A later winner than the first: rule s wins and the first winner's index is below s.
    B_.CreateCondBr(B_.CreateAnd(wins[s], B_.CreateICmpULT(first_idx, C32(int64_t(s)))), check, after);
    B_.SetInsertPoint(check);
    CgVal other = Expr(d.rules[s].outcome);
    CgVal first = LoadFlat(d.result, out);
    auto* conflict = NewBlock("conflict");
    auto* agree = NewBlock("agree");
    B_.CreateCondBr(Eq(d.result, first, other), agree, conflict);
    B_.SetInsertPoint(conflict);
    EmitErrorReturn(C32(int32_t(rt::RtErrorKind::Conflict)), Site(d.rules[s].name_range), first_idx, int32_t(s));
    B_.SetInsertPoint(agree);
    B_.CreateBr(after);
    B_.SetInsertPoint(after);
  }
  B_.CreateRet(C32(0));
}

void Lowerer::DefineBatch(uint32_t d) {
  auto* ft = llvm::FunctionType::get(B_.getVoidTy(), {Ptr(), I64(), Ptr(), Ptr(), Ptr()}, false);
  auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, DecisionSymbol(d) + "_batch", M_);
  f->setDoesNotThrow();
  fn_ = f;
  auto* null = llvm::ConstantPointerNull::get(B_.getPtrTy());
  std::vector<TypeId> ptypes;
  for (const auto& p : m_.decisions[d].params) ptypes.push_back(p.type);
  int64_t in_stride = L_.Struct(ptypes).size, out_stride = L_.of(m_.decisions[d].result).size;
  B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", f));
  // A fresh scope frame for each call (of the speculative function, then of the general one).
  llvm::Value* frame = NewScopeFrame(d);
  // for (i = begin; i < end; i += step) body(i, carried): `carried` is threaded through.
  auto loop = [&](const char* name, llvm::Value* begin, llvm::Value* end, int64_t step, llvm::Value* carried0,
                  auto body) {
    auto* pre = B_.GetInsertBlock();
    auto* head = llvm::BasicBlock::Create(C_, std::string(name) + "_head", f);
    auto* bb = llvm::BasicBlock::Create(C_, name, f);
    auto* exit = llvm::BasicBlock::Create(C_, std::string(name) + "_exit", f);
    B_.CreateBr(head);
    B_.SetInsertPoint(head);
    auto* i = B_.CreatePHI(I64(), 2);
    i->addIncoming(begin, pre);
    auto* carried = B_.CreatePHI(carried0->getType(), 2);
    carried->addIncoming(carried0, pre);
    B_.CreateCondBr(B_.CreateICmpULT(i, end), bb, exit);
    B_.SetInsertPoint(bb);
    llvm::Value* next_carried = body(i, carried);
    i->addIncoming(B_.CreateAdd(i, C64(step)), B_.GetInsertBlock());
    carried->addIncoming(next_carried, B_.GetInsertBlock());
    auto* back = B_.CreateBr(head);
    // Nothing to vectorise: each case is a chain of loads, compares and selects.
    llvm::LLVMContext& ctx = C_;
    auto* off = llvm::MDNode::get(
        ctx, {llvm::MDString::get(ctx, "llvm.loop.vectorize.enable"), llvm::ConstantAsMetadata::get(B_.getFalse())});
    auto* self = llvm::MDNode::getDistinct(ctx, {nullptr, off});
    self->replaceOperandWith(0, self);
    back->setMetadata(llvm::LLVMContext::MD_loop, self);
    B_.SetInsertPoint(exit);
    return carried;
  };
  struct Case {
    llvm::Value *in, *out, *err, *status;
  };
  auto at = [&](llvm::Value* i) {
    return Case{B_.CreateInBoundsGEP(I8(), f->getArg(0), B_.CreateMul(i, C64(in_stride))),
                B_.CreateInBoundsGEP(I8(), f->getArg(2), B_.CreateMul(i, C64(out_stride))),
                B_.CreateInBoundsGEP(I8(), f->getArg(4), B_.CreateMul(i, C64(sizeof(NativeError)))),
                B_.CreateInBoundsGEP(I32(), f->getArg(3), i)};
  };
  llvm::Value* n = f->getArg(1);
  loop("block", C64(0), n, kBlock, B_.getFalse(), [&](llvm::Value* b, llvm::Value* unused) {
    auto* block_end = B_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, B_.CreateAdd(b, C64(kBlock)), n);
    llvm::Value* bailed = loop("fast", b, block_end, 1, B_.getFalse(), [&](llvm::Value* i, llvm::Value* any) {
      Case c = at(i);
      ClearScopeFrame(d, frame);
      auto* status = B_.CreateCall(spec_fns_[d], DecisionArgs(d, {c.in, c.out, c.err, null}, frame));
      B_.CreateStore(status, c.status);
      return B_.CreateOr(any, B_.CreateICmpEQ(status, C32(kBailed)));
    });
    auto* exact = llvm::BasicBlock::Create(C_, "exact", f);
    auto* done = llvm::BasicBlock::Create(C_, "block_done", f);
    B_.CreateCondBr(bailed, exact, done, Unlikely());
    B_.SetInsertPoint(exact);
    loop("exact", b, block_end, 1, B_.getFalse(), [&](llvm::Value* i, llvm::Value* none) {
      Case c = at(i);
      auto* redo = llvm::BasicBlock::Create(C_, "redo", f);
      auto* next = llvm::BasicBlock::Create(C_, "next", f);
      B_.CreateCondBr(B_.CreateICmpEQ(B_.CreateLoad(I32(), c.status), C32(kBailed)), redo, next);
      B_.SetInsertPoint(redo);
      ClearScopeFrame(d, frame);
      B_.CreateStore(B_.CreateCall(fns_[d], DecisionArgs(d, {c.in, c.out, c.err, null}, frame)), c.status);
      B_.CreateBr(next);
      B_.SetInsertPoint(next);
      return none;
    });
    B_.CreateBr(done);
    B_.SetInsertPoint(done);
    return unused;
  });
  B_.CreateRetVoid();
}

// The speculative tail: the outcome is selected without branches; it bails out to the
// general function when there is no applicable rule and no default, or when more than one
// rule wins (their outcomes may differ, a conflict that only the general function reports,
// or agree, which the general function then returns), or when anything above needed an
// exact slow path.
//
// The selection tries the rules in an order where a rule comes after every rule that
// overrides it (fewer overriders first), each on its bare condition: the first applicable
// rule in that order has no applicable overrider, so it is a winner. Only a rule that some
// other rule neither overrides nor is overridden by can be a second winner, so only those are
// counted. An exception chain thus costs one select per rule, and nothing compares outcomes.
void Lowerer::DefineSpeculativeOutcome(const ir::Decision& d, const std::vector<llvm::Value*>& applies,
                                       const std::vector<llvm::Value*>& wins, llvm::Value* out) {
  size_t n = wins.size();
  // Outcomes of rules that are not pure selections of constants would cost their evaluation
  // on every case; those are typical enough (records of literals) to evaluate eagerly.
  std::vector<CgVal> outcomes;
  for (size_t r = 0; r < n; ++r) outcomes.push_back(Expr(d.rules[r].outcome));
  auto overrides = [&](size_t a, size_t b) {
    return std::binary_search(d.rules[a].overrides.begin(), d.rules[a].overrides.end(), uint32_t(b));
  };
  std::vector<size_t> overriders(n, 0), order(n);
  std::vector<bool> independent(n, false);  // some other rule is unrelated to this one
  for (size_t a = 0; a < n; ++a) {
    order[a] = a;
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      if (overrides(b, a)) ++overriders[a];
      if (!overrides(a, b) && !overrides(b, a)) independent[a] = true;
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return overriders[a] < overriders[b]; });
  llvm::Value* any = B_.getFalse();
  for (size_t r = 0; r < n; ++r) any = B_.CreateOr(any, applies[r]);
  if (!d.has_default) Bail(B_.CreateNot(any));
  CgVal first = d.has_default ? Expr(d.default_rule.outcome) : Undef(d.result);
  for (size_t k = n; k-- > 0;) first = Select(applies[order[k]], outcomes[order[k]], first);
  llvm::Value* winners = C32(0);
  for (size_t r = 0; r < n; ++r)
    if (independent[r]) winners = B_.CreateAdd(winners, B_.CreateZExt(wins[r], I32()));
  Bail(B_.CreateICmpUGT(winners, C32(1)));
  BailUnlessStorable(d.result, first);
  ReturnIfBailed();
  spec_ = false;  // storable was checked above; this store cannot box
  StoreFlatChecked(d.result, first, out);
  B_.CreateRet(C32(0));
}

// Stores a value whose decimals are known to fit the compact layout.
void Lowerer::StoreFlatChecked(TypeId t, const CgVal& v, llvm::Value* p) {
  const auto& ti = m_.types.info(t);
  if (ti.kind == TypeKind::Decimal) {
    B_.CreateStore(B_.CreateTrunc(v.a, I64()), p);
    B_.CreateStore(B_.CreateTrunc(v.b, I64()), At(p, 8));
    return;
  }
  if (ti.kind == TypeKind::Record) {
    const auto& r = m_.types.records[ti.ref];
    const auto& l = L_.of(t);
    for (size_t i = 0; i < r.fields.size(); ++i)
      StoreFlatChecked(r.fields[i].type, v.fields[i], At(p, l.field_offsets[i]));
    return;
  }
  if (ti.kind == TypeKind::Sum) {
    B_.CreateStore(v.a, p);
    StorePayload(t, v, p, true);
    return;
  }
  StoreFlat(t, v, p);
}

}  // namespace edict::lower
