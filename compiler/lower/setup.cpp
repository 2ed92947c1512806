// Lowering: the module's declarations (the runtime entry points of runtime/abi.def, each decision's
// functions and its public symbol) and the scaffolding every emitted function uses: scratch
// memory, error returns, bail-outs and status checks.
#include "compiler/lower/lowerer.h"

#include <string>
#include <vector>

namespace edict::lower {

Result Lowerer::Run() {
  LayOutScopeFrames();
  DeclareAbi();
  for (uint32_t d = 0; d < m_.decisions.size(); ++d) DeclareDecision(d);
  result_.decisions.resize(m_.decisions.size());
  for (uint32_t d = 0; d < m_.decisions.size(); ++d) {
    if (!wanted_[d]) continue;
    DefineDecision(d, fns_[d], false);
    if (trace_enabled_ && Framed(d)) DefineFast(d);
    if (!trace_enabled_) {
      DefineDecision(d, spec_fns_[d], true);
      DefineFast(d);
      DefineBatch(d);
    }
  }
  return std::move(result_);
}

// The groups of decisions that share scope frames, and each group's frame: the flags, then the
// outcomes, each at its layout's alignment.
void Lowerer::LayOutScopeFrames() {
  size_t n = m_.decisions.size();
  std::vector<uint32_t> parent(n);
  for (uint32_t d = 0; d < n; ++d) parent[d] = d;
  auto root = [&](uint32_t d) {
    while (parent[d] != d) d = parent[d] = parent[parent[d]];
    return d;
  };
  std::vector<bool> framed(n, false);
  std::vector<ExprId> todo;
  for (uint32_t d = 0; d < n; ++d) {
    ir::ForEachRoot(m_.decisions[d], [&](ExprId x) { todo.push_back(x); });
    while (!todo.empty()) {
      const ir::Expr& e = m_.exprs[todo.back()];
      todo.pop_back();
      if (e.op == Op::DecisionCall && e.c == 1) {
        framed[d] = framed[e.a] = true;
        parent[root(d)] = root(e.a);
      }
      ForEachOperand(m_, e, [&](ExprId k) { todo.push_back(k); });
    }
  }
  frame_of_.assign(n, -1);
  frame_flag_.assign(n, 0);
  frame_value_.assign(n, 0);
  std::map<uint32_t, int32_t> group;
  for (uint32_t d = 0; d < n; ++d) {
    if (!framed[d]) continue;
    auto [it, fresh] = group.emplace(root(d), int32_t(frames_.size()));
    if (fresh) frames_.emplace_back();
    frame_of_[d] = it->second;
    frame_flag_[d] = uint32_t(frames_[it->second].members.size());
    frames_[it->second].members.push_back(d);
  }
  for (ScopeFrameLayout& f : frames_) {
    f.size = f.members.size();
    for (uint32_t d : f.members) {
      const auto& l = L_.of(m_.decisions[d].result);
      uint64_t align = std::max<uint64_t>(l.align, 1);
      frame_value_[d] = (f.size + align - 1) / align * align;
      f.size = frame_value_[d] + l.size;
      f.align = std::max(f.align, align);
    }
  }
}

std::vector<llvm::Value*> Lowerer::DecisionArgs(uint32_t d, std::vector<llvm::Value*> args, llvm::Value* frame) {
  if (Framed(d)) args.push_back(frame);
  return args;
}

llvm::Value* Lowerer::NewScopeFrame(uint32_t d) {
  if (!Framed(d)) return nullptr;
  const ScopeFrameLayout& f = frames_[size_t(frame_of_[d])];
  llvm::Value* frame = EntryAlloca(f.size, f.align);
  ClearScopeFrame(d, frame);
  return frame;
}

void Lowerer::ClearScopeFrame(uint32_t d, llvm::Value* frame) {
  if (!Framed(d)) return;
  B_.CreateMemSet(frame, B_.getInt8(0), C64(int64_t(frames_[size_t(frame_of_[d])].members.size())),
                  llvm::MaybeAlign(1));
}

// Declares every entry point of runtime/abi.def with its signature ("I32, PTR, PTR" ...).
void Lowerer::DeclareAbi() {
  auto declare = [&](Abi id, const char* name, const char* signature) {
    std::vector<llvm::Type*> types;
    std::string sig = std::string(signature) + ",", cur;
    for (char c : sig) {
      if (c == ' ') continue;
      if (c != ',') {
        cur += c;
        continue;
      }
      types.push_back(cur == "I32" ? I32() : cur == "I64" ? I64() : cur == "PTR" ? Ptr() : B_.getVoidTy());
      cur.clear();
    }
    llvm::Type* ret = types.front();
    types.erase(types.begin());
    auto* ft = llvm::FunctionType::get(ret, types, false);
    abi_[size_t(id)] = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M_);
    abi_[size_t(id)]->setDoesNotThrow();
  };
#define EDICT_ABI(name, ...) declare(Abi::name, #name, #__VA_ARGS__);
#include "runtime/abi.def"
#undef EDICT_ABI
}

// Each decision has its general function (exact slow paths, errors, traces) and, unless
// tracing, a speculative one (which returns kBailed when it cannot decide exactly) and the
// public symbol, which runs the speculative function and falls back to the general one.
// A framed decision's general and speculative functions take its scope frame too, and it has a
// `_framed` function (speculative then general, or general alone when tracing) for the calls that
// share a frame; its public symbol makes the frame.
void Lowerer::DeclareDecision(uint32_t d) {
  auto* ft = llvm::FunctionType::get(I32(), {Ptr(), Ptr(), Ptr(), Ptr()}, false);
  auto* inner = Framed(d) ? llvm::FunctionType::get(I32(), {Ptr(), Ptr(), Ptr(), Ptr(), Ptr()}, false) : ft;
  auto* general = llvm::Function::Create(inner, llvm::Function::InternalLinkage, DecisionSymbol(d) + "_general", M_);
  general->setDoesNotThrow();
  fns_.push_back(general);
  framed_fns_.push_back(nullptr);
  if (trace_enabled_ && !Framed(d)) {
    general->setName(DecisionSymbol(d));
    general->setLinkage(llvm::Function::ExternalLinkage);
    fast_fns_.push_back(general);
    return;
  }
  auto* fast = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, DecisionSymbol(d), M_);
  fast->setDoesNotThrow();
  fast_fns_.push_back(fast);
  if (trace_enabled_) {
    framed_fns_.back() = general;
    return;
  }
  auto* spec = llvm::Function::Create(inner, llvm::Function::InternalLinkage, DecisionSymbol(d) + "_spec", M_);
  spec->setDoesNotThrow();
  spec->addFnAttr(llvm::Attribute::AlwaysInline);
  spec_fns_.push_back(spec);
  if (Framed(d)) {
    framed_fns_.back() =
        llvm::Function::Create(inner, llvm::Function::InternalLinkage, DecisionSymbol(d) + "_framed", M_);
    framed_fns_.back()->setDoesNotThrow();
  }
}

// The public symbol: the speculative function, inlined, then the general one if it bailed (for a
// framed decision: its `_framed` function, in a fresh frame; when tracing, its general one).
void Lowerer::DefineFast(uint32_t d) {
  auto speculate_then_general = [&](llvm::Function* f) {
    fn_ = f;
    B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", f));
    std::vector<llvm::Value*> args;
    for (auto& a : f->args()) args.push_back(&a);
    auto* status = B_.CreateCall(spec_fns_[d], args);
    auto* exact = llvm::BasicBlock::Create(C_, "exact", f);
    auto* done = llvm::BasicBlock::Create(C_, "done", f);
    B_.CreateCondBr(B_.CreateICmpEQ(status, C32(kBailed)), exact, done, Unlikely());
    B_.SetInsertPoint(exact);
    B_.CreateRet(B_.CreateCall(fns_[d], args));
    B_.SetInsertPoint(done);
    B_.CreateRet(status);
  };
  if (!Framed(d)) {
    speculate_then_general(fast_fns_[d]);
    return;
  }
  if (!trace_enabled_) speculate_then_general(framed_fns_[d]);
  llvm::Function* f = fast_fns_[d];
  fn_ = f;
  B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", f));
  std::vector<llvm::Value*> args;
  for (auto& a : f->args()) args.push_back(&a);
  args.push_back(NewScopeFrame(d));
  B_.CreateRet(B_.CreateCall(framed_fns_[d], args));
}

llvm::AllocaInst* Lowerer::EntryAlloca(uint64_t bytes, uint64_t align) {
  llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  auto* a = eb.CreateAlloca(llvm::ArrayType::get(I8(), std::max<uint64_t>(bytes, 1)));
  a->setAlignment(llvm::Align(std::max<uint64_t>(align, 16)));
  return a;
}

int32_t Lowerer::Site(SourceRange r) {
  result_.sites.push_back(r);
  return int32_t(result_.sites.size() - 1);
}

// Returns from the function with an error: kind is an i32 value (the RtErrorKind).
void Lowerer::EmitErrorReturn(llvm::Value* kind, int32_t site, int32_t rule_a, int32_t rule_b) {
  EmitErrorReturn(kind, site, C32(rule_a), rule_b);
}

void Lowerer::EmitErrorReturn(llvm::Value* kind, int32_t site, llvm::Value* rule_a, int32_t rule_b) {
  auto* err = err_;
  B_.CreateStore(kind, err);
  B_.CreateStore(C32(site), B_.CreateConstInBoundsGEP1_64(I8(), err, 4));
  B_.CreateStore(rule_a, B_.CreateConstInBoundsGEP1_64(I8(), err, 8));
  B_.CreateStore(C32(rule_b), B_.CreateConstInBoundsGEP1_64(I8(), err, 12));
  Return(B_.CreateAdd(kind, C32(1)));
}

// Returns a failure status from the current function: a decision's (the status) or a piece's
// (through its one failure block, which returns {status, components that are not read}).
void Lowerer::Return(llvm::Value* status) {
  if (!in_piece_) {
    B_.CreateRet(status);
    return;
  }
  if (!fail_bb_) fail_bb_ = NewBlock("fail_return");
  B_.CreateStore(status, fail_status_);
  B_.CreateBr(fail_bb_);
}

// Speculative code: something needs the exact path (a slow path, an error, a conflict).
void Lowerer::Bail(llvm::Value* cond) {
  auto* old = B_.CreateLoad(I1(), bail_);
  B_.CreateStore(B_.CreateOr(old, cond), bail_);
}

void Lowerer::ReturnIfBailed() {
  auto* exact = NewBlock("exact");
  auto* go = NewBlock("go_on");
  B_.CreateCondBr(B_.CreateLoad(I1(), bail_), exact, go, Unlikely());
  B_.SetInsertPoint(exact);
  B_.CreateRet(C32(kBailed));
  B_.SetInsertPoint(go);
}

// If cond holds, fail with `kind` at `r`.
void Lowerer::FailIf(llvm::Value* cond, rt::RtErrorKind kind, SourceRange r) {
  if (spec_) {
    Bail(cond);
    return;
  }
  auto* bad = NewBlock("fail");
  auto* ok = NewBlock("ok");
  B_.CreateCondBr(cond, bad, ok, Unlikely());
  B_.SetInsertPoint(bad);
  EmitErrorReturn(C32(int32_t(kind)), Site(r));
  B_.SetInsertPoint(ok);
}

// A runtime call returned `status` (0 or 1 + kind): propagate a failure.
void Lowerer::CheckStatus(llvm::Value* status, SourceRange r) {
  if (spec_) {
    Bail(B_.CreateICmpNE(status, C32(0)));
    return;
  }
  if (raw_status_) {  // a shared arithmetic function: its caller reports the error at its site
    auto* bad = NewBlock("rt_fail");
    auto* ok = NewBlock("rt_ok");
    B_.CreateCondBr(B_.CreateICmpNE(status, C32(0)), bad, ok, Unlikely());
    B_.SetInsertPoint(bad);
    Return(status);
    B_.SetInsertPoint(ok);
    return;
  }
  auto* bad = NewBlock("rt_fail");
  auto* ok = NewBlock("rt_ok");
  B_.CreateCondBr(B_.CreateICmpNE(status, C32(0)), bad, ok, Unlikely());
  B_.SetInsertPoint(bad);
  EmitErrorReturn(B_.CreateSub(status, C32(1)), Site(r));
  B_.SetInsertPoint(ok);
}

// A callee decision failed: it filled the error already; pass its status on.
void Lowerer::PropagateStatus(llvm::Value* status) {
  if (spec_) {
    Bail(B_.CreateICmpNE(status, C32(0)));
    return;
  }
  auto* bad = NewBlock("call_fail");
  auto* ok = NewBlock("call_ok");
  B_.CreateCondBr(B_.CreateICmpNE(status, C32(0)), bad, ok, Unlikely());
  B_.SetInsertPoint(bad);
  Return(status);
  B_.SetInsertPoint(ok);
}

}  // namespace edict::lower
