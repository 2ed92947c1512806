// Lowering: the module's declarations (the runtime entry points of runtime/abi.def, each decision's
// functions and its public symbol) and the scaffolding every emitted function uses: scratch
// memory, error returns, bail-outs and status checks.
#include "compiler/lower/lowerer.h"

#include <string>
#include <vector>

namespace edict::lower {

Result Lowerer::Run() {
  DeclareAbi();
  for (uint32_t d = 0; d < m_.decisions.size(); ++d) DeclareDecision(d);
  result_.decisions.resize(m_.decisions.size());
  for (uint32_t d = 0; d < m_.decisions.size(); ++d) {
    if (!wanted_[d]) continue;
    DefineDecision(d, fns_[d], false);
    if (!trace_enabled_) {
      DefineDecision(d, spec_fns_[d], true);
      DefineFast(d);
      DefineBatch(d);
    }
  }
  return std::move(result_);
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
void Lowerer::DeclareDecision(uint32_t d) {
  auto* ft = llvm::FunctionType::get(I32(), {Ptr(), Ptr(), Ptr(), Ptr()}, false);
  auto* general = llvm::Function::Create(ft, llvm::Function::InternalLinkage, DecisionSymbol(d) + "_general", M_);
  general->setDoesNotThrow();
  fns_.push_back(general);
  if (trace_enabled_) {
    general->setName(DecisionSymbol(d));
    general->setLinkage(llvm::Function::ExternalLinkage);
    fast_fns_.push_back(general);
    return;
  }
  auto* fast = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, DecisionSymbol(d), M_);
  fast->setDoesNotThrow();
  fast_fns_.push_back(fast);
  auto* spec = llvm::Function::Create(ft, llvm::Function::InternalLinkage, DecisionSymbol(d) + "_spec", M_);
  spec->setDoesNotThrow();
  spec->addFnAttr(llvm::Attribute::AlwaysInline);
  spec_fns_.push_back(spec);
}

// The public symbol: the speculative function, inlined, then the general one if it bailed.
void Lowerer::DefineFast(uint32_t d) {
  llvm::Function* f = fast_fns_[d];
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
