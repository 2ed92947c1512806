#include "compiler/lower/lower.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <fmt/format.h>

#include <map>
#include <optional>
#include <tuple>

#include "compiler/interp/interp.h"
#include "runtime/abi.h"

namespace edict::lower {

using ir::ExprId;
using ir::Op;
using rt::TypeId;
using rt::TypeKind;

std::string DecisionSymbol(uint32_t d) { return fmt::format("edict_decision_{}", d); }

namespace {

// Lowering keeps every function it emits small, whatever the size of the program. LLVM's
// optimisation and code generation take time superlinear in the size of one function (InstCombine
// and others walk chains of dominators, one per branch of the function; X86 domain reassignment is
// quadratic), so a 3,000-term sum lowered into one function took a minute to compile, and
// inlining every helper made a chain of helpers that each call the one below twice exponential.
// So:
//  - a subexpression whose code would hold kPieceNodes IR nodes or more (counting what is inlined
//    into it, and a nested piece or an out-of-line call as one node) is a *piece*: its own
//    function, called where the expression is evaluated. A long chain becomes a chain of pieces
//    of about kPieceNodes nodes each, and compiles in time linear in its length;
//  - a helper whose body, with everything inlined into it, is below kPieceNodes nodes is inlined
//    (most are); any other is one function that every call calls;
//  - a `let` is evaluated by its own function at most once per evaluation, on first use, as the
//    interpreter does (a flag and the value are kept in the decision's frame); the speculative
//    function evaluates every let the rules read once, at its start.
// A piece (or helper, or let) function returns a status (general code: 0 or 1 + the error kind,
// with the error filled in at its own site) or a bail flag (speculative code), then the value's
// components; it is called exactly where the inlined code would have run, so the first error in
// evaluation order is the same.
constexpr uint64_t kPieceNodes = 64;

// Calls f(operand) for each operand expression of e (not a helper's body nor a let's value).
template <class F>
void ForEachOperand(const ir::Module& m, const ir::Expr& e, F&& f) {
  auto list = [&](uint32_t start, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) f(m.extra[start + i]);
  };
  switch (e.op) {
    case Op::Error:
    case Op::BoolLit:
    case Op::IntLit:
    case Op::DecLit:
    case Op::DateLit:
    case Op::DurLit:
    case Op::TextLit:
    case Op::EnumLit:
    case Op::Local:
    case Op::LetRef:
    case Op::Const: break;
    case Op::SetLit:
    case Op::ListLit: list(e.a, e.b); break;
    case Op::RecordLit: list(e.b, uint32_t(m.types.records[e.a].fields.size())); break;
    case Op::Call: list(e.b, uint32_t(m.defs[e.a].params.size())); break;
    case Op::DecisionCall: list(e.b, uint32_t(m.decisions[e.a].params.size())); break;
    case Op::Builtin: list(e.b, e.c); break;
    case Op::Field: f(e.a); break;
    case Op::With:
      f(e.a);
      for (uint32_t i = 0; i < e.c; ++i) f(m.extra[e.b + 2 * i + 1]);
      break;
    case Op::If:
      f(e.a);
      f(e.b);
      f(e.c);
      break;
    case Op::Exists:
    case Op::Forall:
      f(e.b);
      f(e.c);
      break;
    case Op::Not:
    case Op::IntNeg:
    case Op::IntToDec:
    case Op::DecNeg:
    case Op::DurNeg: f(e.a); break;
    case Op::And:
    case Op::Or:
    case Op::IntAdd:
    case Op::IntSub:
    case Op::IntMul:
    case Op::DecAdd:
    case Op::DecSub:
    case Op::DecMul:
    case Op::DecDiv:
    case Op::DateAddDur:
    case Op::DateSubDur:
    case Op::DateDiff:
    case Op::DurAdd:
    case Op::DurSub:
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
      f(e.a);
      f(e.b);
      break;
  }
}

// A value in generated code, shaped like its type: a scalar is `a` (and `b`: a decimal is
// num/den, a duration months/days, a text pointer/length, a list pointer/count), a set is its
// words, a record its fields.
struct CgVal {
  llvm::Value* a = nullptr;
  llvm::Value* b = nullptr;
  std::vector<llvm::Value*> words;
  std::vector<CgVal> fields;
  llvm::GlobalVariable* table = nullptr;  // a constant set's words in memory, for lookups
};

enum class Abi {
#define EDICT_ABI(name, ...) name,
#include "runtime/abi.def"
#undef EDICT_ABI
};

class Lowerer {
 public:
  Lowerer(const ir::Module& m, const rt::Layouts& layouts, bool trace, llvm::Module& out, std::vector<bool> wanted)
      : m_(m),
        L_(layouts),
        trace_enabled_(trace),
        M_(out),
        C_(out.getContext()),
        B_(C_),
        consts_(m),
        wanted_(std::move(wanted)),
        cost_(m.exprs.size(), 0),
        inline_def_(m.defs.size(), 0) {
    if (wanted_.empty()) wanted_.assign(m.decisions.size(), true);
  }

  Result Run() {
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

 private:
  // ------------------------------------------------------------------ types and ABI

  llvm::Type* I1() { return B_.getInt1Ty(); }
  llvm::Type* I8() { return B_.getInt8Ty(); }
  llvm::Type* I32() { return B_.getInt32Ty(); }
  llvm::Type* I64() { return B_.getInt64Ty(); }
  llvm::Type* I128() { return B_.getInt128Ty(); }
  llvm::Type* Ptr() { return B_.getPtrTy(); }
  llvm::Constant* C32(int64_t v) { return B_.getInt32(uint32_t(v)); }
  llvm::Constant* C64(int64_t v) { return B_.getInt64(uint64_t(v)); }
  llvm::Constant* C128(rt::i128 v) {
    uint64_t words[2] = {uint64_t(rt::u128(v)), uint64_t(rt::u128(v) >> 64)};
    return llvm::ConstantInt::get(C_, llvm::APInt(128, words));
  }

  // Declares every entry point of runtime/abi.def with its signature ("I32, PTR, PTR" ...).
  void DeclareAbi() {
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

  llvm::CallInst* CallAbi(Abi id, std::vector<llvm::Value*> args) { return B_.CreateCall(abi_[size_t(id)], args); }

  // Each decision has its general function (exact slow paths, errors, traces) and, unless
  // tracing, a speculative one (which returns kBailed when it cannot decide exactly) and the
  // public symbol, which runs the speculative function and falls back to the general one.
  void DeclareDecision(uint32_t d) {
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

  // The status a speculative function returns when the general function must decide.
  static constexpr int32_t kBailed = -1;

  // The public symbol: the speculative function, inlined, then the general one if it bailed.
  void DefineFast(uint32_t d) {
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

  // ------------------------------------------------------------------ function scaffolding

  llvm::AllocaInst* EntryAlloca(uint64_t bytes, uint64_t align) {
    llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    auto* a = eb.CreateAlloca(llvm::ArrayType::get(I8(), std::max<uint64_t>(bytes, 1)));
    a->setAlignment(llvm::Align(std::max<uint64_t>(align, 16)));
    return a;
  }

  llvm::BasicBlock* NewBlock(const char* name) { return llvm::BasicBlock::Create(C_, name, fn_); }

  int32_t Site(SourceRange r) {
    result_.sites.push_back(r);
    return int32_t(result_.sites.size() - 1);
  }

  // Returns from the function with an error: kind is an i32 value (the RtErrorKind).
  void EmitErrorReturn(llvm::Value* kind, int32_t site, int32_t rule_a = -1, int32_t rule_b = -1) {
    EmitErrorReturn(kind, site, C32(rule_a), rule_b);
  }
  void EmitErrorReturn(llvm::Value* kind, int32_t site, llvm::Value* rule_a, int32_t rule_b) {
    auto* err = err_;
    B_.CreateStore(kind, err);
    B_.CreateStore(C32(site), B_.CreateConstInBoundsGEP1_64(I8(), err, 4));
    B_.CreateStore(rule_a, B_.CreateConstInBoundsGEP1_64(I8(), err, 8));
    B_.CreateStore(C32(rule_b), B_.CreateConstInBoundsGEP1_64(I8(), err, 12));
    Return(B_.CreateAdd(kind, C32(1)));
  }

  // Returns a failure status from the current function: a decision's (the status) or a piece's
  // (through its one failure block, which returns {status, components that are not read}).
  void Return(llvm::Value* status) {
    if (!in_piece_) {
      B_.CreateRet(status);
      return;
    }
    if (!fail_bb_) fail_bb_ = NewBlock("fail_return");
    B_.CreateStore(status, fail_status_);
    B_.CreateBr(fail_bb_);
  }

  llvm::MDNode* Unlikely() { return llvm::MDBuilder(C_).createBranchWeights(1, 1u << 20); }

  // Speculative code: something needs the exact path (a slow path, an error, a conflict).
  void Bail(llvm::Value* cond) {
    auto* old = B_.CreateLoad(I1(), bail_);
    B_.CreateStore(B_.CreateOr(old, cond), bail_);
  }

  // If cond holds, fail with `kind` at `r`.
  void FailIf(llvm::Value* cond, rt::RtErrorKind kind, SourceRange r) {
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
  void CheckStatus(llvm::Value* status, SourceRange r) {
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
  void PropagateStatus(llvm::Value* status) {
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

  // ------------------------------------------------------------------ flat memory

  llvm::Value* At(llvm::Value* base, uint64_t offset) {
    return offset == 0 ? base : B_.CreateConstInBoundsGEP1_64(I8(), base, offset);
  }

  // `input`: memory an Edict decoder (or a caller following docs/abi.md) wrote, where decimals
  // are canonical whenever they can be, over `scale` (a record field's own: rt::CanonicalScale);
  // speculative code assumes so (see LoadDecimal).
  CgVal LoadFlat(TypeId t, llvm::Value* p, bool input = false, int64_t scale = rt::kFlatDecimalScale) {
    const auto& ti = m_.types.info(t);
    CgVal v;
    switch (ti.kind) {
      case TypeKind::Error: break;
      case TypeKind::Bool: v.a = B_.CreateICmpNE(B_.CreateLoad(I8(), p), B_.getInt8(0)); break;
      case TypeKind::Integer: v.a = B_.CreateLoad(I64(), p); break;
      case TypeKind::Decimal: return LoadDecimal(p, input ? scale : 0);
      case TypeKind::Date:
      case TypeKind::Enum: v.a = B_.CreateLoad(I32(), p); break;
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::List:
        v.a = B_.CreateLoad(ti.kind == TypeKind::Duration ? I64() : Ptr(), p);
        v.b = B_.CreateLoad(I64(), At(p, 8));
        break;
      case TypeKind::Set:
        for (uint32_t w = 0; w < L_.of(t).words; ++w) v.words.push_back(B_.CreateLoad(I64(), At(p, 8 * w)));
        break;
      case TypeKind::Record: {
        const auto& r = m_.types.records[ti.ref];
        const auto& l = L_.of(t);
        for (size_t i = 0; i < r.fields.size(); ++i)
          v.fields.push_back(LoadFlat(r.fields[i].type, At(p, l.field_offsets[i]), input, l.field_scales[i]));
        break;
      }
    }
    return v;
  }

  void StoreFlat(TypeId t, const CgVal& v, llvm::Value* p) {
    const auto& ti = m_.types.info(t);
    switch (ti.kind) {
      case TypeKind::Error: break;
      case TypeKind::Bool: B_.CreateStore(B_.CreateZExt(v.a, I8()), p); break;
      case TypeKind::Integer:
      case TypeKind::Date:
      case TypeKind::Enum: B_.CreateStore(v.a, p); break;
      case TypeKind::Decimal: StoreDecimal(v, p); break;
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::List:
        B_.CreateStore(v.a, p);
        B_.CreateStore(v.b, At(p, 8));
        break;
      case TypeKind::Set:
        for (size_t w = 0; w < v.words.size(); ++w) B_.CreateStore(v.words[w], At(p, 8 * w));
        break;
      case TypeKind::Record: {
        const auto& r = m_.types.records[ti.ref];
        const auto& l = L_.of(t);
        for (size_t i = 0; i < r.fields.size(); ++i)
          StoreFlat(r.fields[i].type, v.fields[i], At(p, l.field_offsets[i]));
        break;
      }
    }
  }

  // A decimal in the compact layout: 64-bit parts, or (den = 0) a pointer to 128-bit parts.
  // `scale`: the canonical denominator speculative code may assume (bailing out otherwise), or
  // 0 for none.
  CgVal LoadDecimal(llvm::Value* p, int64_t scale) {
    auto* n64 = B_.CreateLoad(I64(), p);
    auto* d64 = B_.CreateLoad(I64(), At(p, 8));
    auto* boxed = B_.CreateICmpEQ(d64, C64(0));
    CgVal v;
    if (spec_ && scale > 0) {
      // Inputs are canonical (den = the scale) unless they cannot be, and those rare cases take
      // the exact path. A denominator known here lets LLVM fold the cross products of every
      // comparison and sum into plain 64-bit arithmetic.
      Bail(B_.CreateICmpNE(d64, C64(scale)));
      v.a = B_.CreateSExt(n64, I128());
      v.b = C128(scale);
      return v;
    }
    if (spec_) {  // boxed values are rare: the exact path handles them
      Bail(boxed);
      v.a = B_.CreateSExt(n64, I128());
      v.b = B_.CreateSExt(d64, I128());
      return v;
    }
    auto* small_n = B_.CreateSExt(n64, I128());
    auto* small_d = B_.CreateSExt(d64, I128());
    auto* pre = B_.GetInsertBlock();
    auto* unbox = NewBlock("unbox");
    auto* join = NewBlock("unboxed");
    B_.CreateCondBr(boxed, unbox, join, Unlikely());
    B_.SetInsertPoint(unbox);
    auto* ptr = B_.CreateIntToPtr(n64, Ptr());
    auto* bn = B_.CreateAlignedLoad(I128(), ptr, llvm::Align(16));
    auto* bd = B_.CreateAlignedLoad(I128(), At(ptr, 16), llvm::Align(16));
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* pn = B_.CreatePHI(I128(), 2);
    pn->addIncoming(small_n, pre);
    pn->addIncoming(bn, unbox);
    auto* pd = B_.CreatePHI(I128(), 2);
    pd->addIncoming(small_d, pre);
    pd->addIncoming(bd, unbox);
    v.a = pn;
    v.b = pd;
    return v;
  }

  llvm::Value* DecimalFits(const CgVal& v) {
    // The denominator is positive; it must also stay below 2^63 to be distinguishable from a box.
    return B_.CreateAnd(FitsI64(v.a), FitsI64(v.b));
  }

  void StoreDecimal(const CgVal& v, llvm::Value* p) {
    auto* fits = DecimalFits(v);
    if (spec_) {
      Bail(B_.CreateNot(fits));
      B_.CreateStore(B_.CreateTrunc(v.a, I64()), p);
      B_.CreateStore(B_.CreateTrunc(v.b, I64()), At(p, 8));
      return;
    }
    auto* small = NewBlock("store_small");
    auto* box = NewBlock("store_box");
    auto* join = NewBlock("stored");
    B_.CreateCondBr(fits, small, box);
    B_.SetInsertPoint(small);
    B_.CreateStore(B_.CreateTrunc(v.a, I64()), p);
    B_.CreateStore(B_.CreateTrunc(v.b, I64()), At(p, 8));
    B_.CreateBr(join);
    B_.SetInsertPoint(box);
    StoreDec(v, dec_a_);
    auto* boxed = CallAbi(Abi::edict_rt_dec_box, {dec_a_});
    B_.CreateStore(B_.CreatePtrToInt(boxed, I64()), p);
    B_.CreateStore(C64(0), At(p, 8));
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
  }

  // Speculative code must know before its final branch that the outcome can be stored.
  void BailUnlessStorable(TypeId t, const CgVal& v) {
    const auto& ti = m_.types.info(t);
    if (ti.kind == TypeKind::Decimal) Bail(B_.CreateNot(DecimalFits(v)));
    if (ti.kind == TypeKind::Record) {
      const auto& r = m_.types.records[ti.ref];
      for (size_t i = 0; i < r.fields.size(); ++i) BailUnlessStorable(r.fields[i].type, v.fields[i]);
    }
  }

  // ------------------------------------------------------------------ constants

  // A value known at compile time (a constant declaration, evaluated by the interpreter).
  CgVal Constant(const rt::Value& v, TypeId t) {
    const auto& ti = m_.types.info(t);
    CgVal c;
    switch (ti.kind) {
      case TypeKind::Error: break;
      case TypeKind::Bool: c.a = B_.getInt1(v.AsBool()); break;
      case TypeKind::Integer: c.a = C64(v.AsInt()); break;
      case TypeKind::Decimal:
        c.a = C128(v.AsDec().num());
        c.b = C128(v.AsDec().den());
        break;
      case TypeKind::Date: c.a = C32(v.AsDate().days); break;
      case TypeKind::Enum: c.a = C32(v.AsEnum().index); break;
      case TypeKind::Duration:
        c.a = C64(v.AsDur().months);
        c.b = C64(v.AsDur().days);
        break;
      case TypeKind::Text: return Text(v.AsText());
      case TypeKind::Set: {
        const auto& bits = *v.AsSet().bits;
        std::vector<llvm::Constant*> words;
        for (uint32_t w = 0; w < L_.of(t).words; ++w) words.push_back(C64(int64_t(w < bits.size() ? bits[w] : 0)));
        for (auto* w : words) c.words.push_back(w);
        auto* ty = llvm::ArrayType::get(I64(), words.size());
        c.table = new llvm::GlobalVariable(M_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                           llvm::ConstantArray::get(ty, words), "set");
        break;
      }
      case TypeKind::Record: {
        const auto& r = m_.types.records[ti.ref];
        for (size_t i = 0; i < r.fields.size(); ++i)
          c.fields.push_back(Constant((*v.AsRecord().fields)[i], r.fields[i].type));
        break;
      }
      case TypeKind::List: {
        const auto& elems = *v.AsList().elems;
        const auto& el = L_.of(ti.ref);
        if (PointerFree(ti.ref)) {
          // The flat bytes of the list, as a constant global.
          std::vector<uint8_t> bytes(std::max<size_t>(size_t(el.size) * elems.size(), 1), 0);
          rt::Arena scratch;
          bool boxed = false;
          for (size_t i = 0; i < elems.size(); ++i) {
            rt::WriteFlat(elems[i], ti.ref, m_.types, L_, bytes.data() + i * el.size, scratch);
            boxed = boxed || HasBoxedDecimal(elems[i], ti.ref);
          }
          if (!boxed) {
            auto* arr_ty = llvm::ArrayType::get(I8(), bytes.size());
            auto* init = llvm::ConstantDataArray::get(C_, llvm::ArrayRef<uint8_t>(bytes));
            auto* g = new llvm::GlobalVariable(M_, arr_ty, true, llvm::GlobalValue::PrivateLinkage, init, "list");
            g->setAlignment(llvm::Align(std::max<uint32_t>(el.align, 8)));
            c.a = g;
            c.b = C64(int64_t(elems.size()));
            break;
          }
        }
        llvm::Value* arr = EntryAlloca(uint64_t(el.size) * std::max<size_t>(elems.size(), 1), el.align);
        for (size_t i = 0; i < elems.size(); ++i) StoreFlat(ti.ref, Constant(elems[i], ti.ref), At(arr, i * el.size));
        c.a = arr;
        c.b = C64(int64_t(elems.size()));
        break;
      }
    }
    return c;
  }

  // Whether values of type t hold no pointers in the flat layout (texts, lists, boxes).
  bool PointerFree(TypeId t) const {
    const auto& ti = m_.types.info(t);
    switch (ti.kind) {
      case TypeKind::Text:
      case TypeKind::List: return false;
      case TypeKind::Record:
        for (const auto& f : m_.types.records[ti.ref].fields)
          if (!PointerFree(f.type)) return false;
        return true;
      default: return true;
    }
  }
  bool HasBoxedDecimal(const rt::Value& v, TypeId t) const {
    const auto& ti = m_.types.info(t);
    if (ti.kind == TypeKind::Decimal) {
      const auto& d = v.AsDec();
      return d.num() < INT64_MIN || d.num() > INT64_MAX || d.den() > INT64_MAX;
    }
    if (ti.kind == TypeKind::Record) {
      const auto& r = m_.types.records[ti.ref];
      for (size_t i = 0; i < r.fields.size(); ++i)
        if (HasBoxedDecimal((*v.AsRecord().fields)[i], r.fields[i].type)) return true;
    }
    return false;
  }

  CgVal Text(const std::string& s) {
    CgVal c;
    c.a = B_.CreateGlobalStringPtr(s, "text", 0, &M_);
    c.b = C64(int64_t(s.size()));
    return c;
  }

  // ------------------------------------------------------------------ decimals

  llvm::Value* FitsI64(llvm::Value* x128) {
    return B_.CreateICmpEQ(B_.CreateSExt(B_.CreateTrunc(x128, I64()), I128()), x128);
  }

  // x * y for operands known (or guarded) to fit in 64 bits: a single 64x64->128 multiply.
  llvm::Value* Mul64(llvm::Value* x128, llvm::Value* y128) {
    return B_.CreateMul(B_.CreateSExt(B_.CreateTrunc(x128, I64()), I128()),
                        B_.CreateSExt(B_.CreateTrunc(y128, I64()), I128()));
  }

  // The 64-bit value a 128-bit one was widened from (a sign extension or a constant that fits),
  // or null.
  llvm::Value* Narrow64(llvm::Value* v128) {
    if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(v128))
      return c->getValue().isSignedIntN(64) ? llvm::ConstantInt::get(I64(), c->getValue().trunc(64)) : nullptr;
    if (auto* e = llvm::dyn_cast<llvm::SExtInst>(v128); e && e->getSrcTy() == I64()) return e->getOperand(0);
    return nullptr;
  }

  // Speculative code only: a 64-bit operation (an overflow intrinsic) on two narrowable values,
  // bailing out to the exact path if it overflows; the result widened again. Narrow operations
  // keep the next sum or comparison in 64 bits as well.
  bool SpecOp64(llvm::Intrinsic::ID id, llvm::Value* a128, llvm::Value* b128, llvm::Value** out) {
    auto* ca = llvm::dyn_cast<llvm::ConstantInt>(a128);
    auto* cb = llvm::dyn_cast<llvm::ConstantInt>(b128);
    if (ca && cb) {  // two constants (denominators): folded here, so that equal ones stay equal
      bool overflow = false;
      llvm::APInt a = ca->getValue().trunc(64), b = cb->getValue().trunc(64);
      llvm::APInt v = id == llvm::Intrinsic::smul_with_overflow   ? a.smul_ov(b, overflow)
                      : id == llvm::Intrinsic::sadd_with_overflow ? a.sadd_ov(b, overflow)
                                                                  : a.ssub_ov(b, overflow);
      if (overflow) return false;
      *out = llvm::ConstantInt::get(C_, v.sext(128));
      return true;
    }
    auto* res = B_.CreateBinaryIntrinsic(id, Narrow64(a128), Narrow64(b128));
    Bail(B_.CreateExtractValue(res, 1));
    *out = B_.CreateSExt(B_.CreateExtractValue(res, 0), I128());
    return true;
  }

  // Runs a runtime decimal operation on (a, b) through memory; returns the result.
  CgVal DecCall(Abi id, const CgVal& x, const CgVal* y, SourceRange r) {
    StoreDec(x, dec_a_);
    if (y) StoreDec(*y, dec_b_);
    llvm::Value* status = y ? CallAbi(id, {dec_a_, dec_b_, dec_out_}) : CallAbi(id, {dec_a_, dec_out_});
    CheckStatus(status, r);
    return LoadDec(dec_out_);
  }
  void StoreDec(const CgVal& x, llvm::Value* p) {
    B_.CreateAlignedStore(x.a, p, llvm::Align(16));
    B_.CreateAlignedStore(x.b, At(p, 16), llvm::Align(16));
  }
  CgVal LoadDec(llvm::Value* p) {
    CgVal v;
    v.a = B_.CreateAlignedLoad(I128(), p, llvm::Align(16));
    v.b = B_.CreateAlignedLoad(I128(), At(p, 16), llvm::Align(16));
    return v;
  }

  // A scalar that is `fast` when `use_fast` holds, and otherwise computed by the code `slow`
  // emits (in its own block): the two joined with a phi.
  template <class Slow>
  llvm::Value* FastOrSlow(llvm::Value* use_fast, llvm::Value* fast, Slow slow) {
    auto* fast_bb = B_.GetInsertBlock();
    auto* slow_bb = NewBlock("slow");
    auto* join = NewBlock("join");
    B_.CreateCondBr(use_fast, join, slow_bb);
    B_.SetInsertPoint(slow_bb);
    llvm::Value* s = slow();
    auto* slow_end = B_.GetInsertBlock();
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* phi = B_.CreatePHI(fast->getType(), 2);
    phi->addIncoming(fast, fast_bb);
    phi->addIncoming(s, slow_end);
    return phi;
  }

  // Joins the fast path (in the current block) with a slow path built by `slow`.
  template <class Slow>
  CgVal DecJoin(llvm::Value* fast_ok, llvm::Value* fast_num, llvm::Value* fast_den, Slow slow) {
    if (spec_) {
      Bail(B_.CreateNot(fast_ok));
      CgVal out;
      out.a = fast_num;
      out.b = fast_den;
      return out;
    }
    auto* fast_bb = B_.GetInsertBlock();
    auto* slow_bb = NewBlock("dec_slow");
    auto* join = NewBlock("dec_join");
    B_.CreateCondBr(fast_ok, join, slow_bb);
    B_.SetInsertPoint(slow_bb);
    CgVal s = slow();
    auto* slow_end = B_.GetInsertBlock();
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* n = B_.CreatePHI(I128(), 2);
    n->addIncoming(fast_num, fast_bb);
    n->addIncoming(s.a, slow_end);
    auto* d = B_.CreatePHI(I128(), 2);
    d->addIncoming(fast_den, fast_bb);
    d->addIncoming(s.b, slow_end);
    CgVal out;
    out.a = n;
    out.b = d;
    return out;
  }

  // Inside a large piece, general code does decimal arithmetic by calling one shared function per
  // operation (the same inline fast paths and runtime fallback, then the status), and reports a
  // failure at its own site: a decimal addition is then a call and a test instead of some forty
  // instructions and four blocks, which LLVM optimises and compiles in a third of the time.
  // Speculative code and code outside large pieces keep everything inline.
  llvm::Value* SharedDecCall(Op op, const CgVal& x, const CgVal& y) {
    llvm::Function*& f = dec_ops_[op];
    if (!f) {
      bool cmp = op == Op::Lt;
      std::vector<llvm::Type*> parts{I32()};
      if (!cmp) parts.insert(parts.end(), {I128(), I128()});
      auto* ret_ty = llvm::StructType::get(C_, parts);
      f = llvm::Function::Create(llvm::FunctionType::get(ret_ty, {I128(), I128(), I128(), I128()}, false),
                                 llvm::Function::InternalLinkage, fmt::format("edict_dec_{}", ir::OpName(op)), M_);
      f->setDoesNotThrow();
      f->addFnAttr(llvm::Attribute::NoInline);
      FnState saved = SaveFn();
      bool compact = compact_;
      fn_ = f;
      spec_ = false;
      compact_ = false;
      raw_status_ = true;
      in_piece_ = true;
      BeginFunction();
      fail_bb_ = nullptr;
      fail_status_ = EntryAlloca(4, 4);
      err_ = trace_ = memo_ = nullptr;
      CgVal a{f->getArg(0), f->getArg(1), {}, {}, nullptr}, b{f->getArg(2), f->getArg(3), {}, {}, nullptr};
      llvm::Value* ret = llvm::PoisonValue::get(ret_ty);
      if (cmp) {
        ret = B_.CreateInsertValue(ret, DecCmp(a, b), 0);
      } else {
        CgVal v = op == Op::DecMul   ? DecMul(a, b, {})
                  : op == Op::DecDiv ? DecDiv(a, b, {})
                                     : DecAddSub(a, b, op == Op::DecSub, {});
        ret = B_.CreateInsertValue(B_.CreateInsertValue(B_.CreateInsertValue(ret, C32(0), 0), v.a, 1), v.b, 2);
      }
      B_.CreateRet(ret);
      if (fail_bb_) {
        B_.SetInsertPoint(fail_bb_);
        B_.CreateRet(B_.CreateInsertValue(llvm::PoisonValue::get(ret_ty), B_.CreateLoad(I32(), fail_status_), 0));
      }
      raw_status_ = false;
      compact_ = compact;
      RestoreFn(saved);
    }
    return B_.CreateCall(f, {x.a, x.b, y.a, y.b});
  }
  CgVal SharedDecOp(Op op, const CgVal& x, const CgVal& y, SourceRange r) {
    llvm::Value* res = SharedDecCall(op, x, y);
    CheckStatus(B_.CreateExtractValue(res, 0), r);
    return CgVal{B_.CreateExtractValue(res, 1), B_.CreateExtractValue(res, 2), {}, {}, nullptr};
  }

  // a ± b, exact and inline in two cases: equal denominators (add the numerators, unless that
  // overflows), or all four parts within 64 bits (ad ± cb over bd: products below 2^126, their
  // sum below 2^127). Results are not reduced; that is left to the runtime and to reading back.
  CgVal DecAddSub(const CgVal& x, const CgVal& y, bool sub, SourceRange r) {
    if (compact_ && !spec_) return SharedDecOp(sub ? Op::DecSub : Op::DecAdd, x, y, r);
    auto id = sub ? llvm::Intrinsic::ssub_with_overflow : llvm::Intrinsic::sadd_with_overflow;
    if (CgVal n; spec_ && x.b == y.b && Narrow64(x.a) && Narrow64(y.a) && SpecOp64(id, x.a, y.a, &n.a)) {
      n.b = x.b;
      return n;
    }
    // Known denominators, one a multiple of the other (an integer added to a canonical decimal):
    // a/(kb) ± c/b = (a ± ck)/(kb), in 64 bits, the result still narrow over a known denominator.
    auto* dx = llvm::dyn_cast<llvm::ConstantInt>(x.b);
    auto* dy = llvm::dyn_cast<llvm::ConstantInt>(y.b);
    if (spec_ && dx && dy && Narrow64(x.a) && Narrow64(y.a) && dx->getValue().isStrictlyPositive() &&
        dy->getValue().isStrictlyPositive() && dx->getValue().isSignedIntN(64) && dy->getValue().isSignedIntN(64)) {
      const llvm::APInt &a = dx->getValue(), &b = dy->getValue();
      llvm::Value *scaled = nullptr, *sum = nullptr;
      if (a.srem(b).isZero()) {  // y scaled to x's denominator
        if (SpecOp64(llvm::Intrinsic::smul_with_overflow, y.a, llvm::ConstantInt::get(C_, a.sdiv(b)), &scaled) &&
            SpecOp64(id, x.a, scaled, &sum))
          return CgVal{sum, x.b, {}, {}, nullptr};
      } else if (b.srem(a).isZero()) {  // x scaled to y's denominator
        if (SpecOp64(llvm::Intrinsic::smul_with_overflow, x.a, llvm::ConstantInt::get(C_, b.sdiv(a)), &scaled) &&
            SpecOp64(id, scaled, y.a, &sum))
          return CgVal{sum, y.b, {}, {}, nullptr};
      }
    }
    auto* same = B_.CreateICmpEQ(x.b, y.b);
    auto* res = B_.CreateBinaryIntrinsic(id, x.a, y.a);
    // A numerator of -2^127 fits in 128 bits but not in a decimal (magnitudes stay below 2^127)
    // unless the denominator reduces it: the runtime decides.
    auto* same_ok = B_.CreateAnd(B_.CreateAnd(same, B_.CreateNot(B_.CreateExtractValue(res, 1))),
                                 B_.CreateICmpNE(B_.CreateExtractValue(res, 0), C128(rt::i128(rt::u128(1) << 127))));
    auto* small = B_.CreateAnd(B_.CreateAnd(FitsI64(x.a), FitsI64(y.a)), B_.CreateAnd(FitsI64(x.b), FitsI64(y.b)));
    auto* ad = Mul64(x.a, y.b);
    auto* cb = Mul64(y.a, x.b);
    auto* cross = sub ? B_.CreateSub(ad, cb) : B_.CreateAdd(ad, cb);
    auto* num = B_.CreateSelect(same_ok, B_.CreateExtractValue(res, 0), cross);
    auto* den = B_.CreateSelect(same_ok, x.b, Mul64(x.b, y.b));
    return DecJoin(B_.CreateOr(same_ok, small), num, den,
                   [&] { return DecCall(sub ? Abi::edict_rt_dec_sub : Abi::edict_rt_dec_add, x, &y, r); });
  }

  // a * b: when all four parts fit in 64 bits, the 128-bit products are exact.
  CgVal DecMul(const CgVal& x, const CgVal& y, SourceRange r) {
    if (compact_ && !spec_) return SharedDecOp(Op::DecMul, x, y, r);
    if (CgVal n; spec_ && Narrow64(x.a) && Narrow64(y.a) && Narrow64(x.b) && Narrow64(y.b) &&
                 SpecOp64(llvm::Intrinsic::smul_with_overflow, x.b, y.b, &n.b) &&
                 SpecOp64(llvm::Intrinsic::smul_with_overflow, x.a, y.a, &n.a))
      return n;
    auto* ok = B_.CreateAnd(B_.CreateAnd(FitsI64(x.a), FitsI64(y.a)), B_.CreateAnd(FitsI64(x.b), FitsI64(y.b)));
    return DecJoin(ok, Mul64(x.a, y.a), Mul64(x.b, y.b), [&] { return DecCall(Abi::edict_rt_dec_mul, x, &y, r); });
  }

  // a / b: (a.num * b.den) / (a.den * b.num), with the sign moved to the numerator; exact and
  // inline when all parts fit in 64 bits and b is not zero (zero goes to the runtime, which
  // raises division_by_zero).
  CgVal DecDiv(const CgVal& x, const CgVal& y, SourceRange r) {
    if (compact_ && !spec_) return SharedDecOp(Op::DecDiv, x, y, r);
    auto* nonzero = B_.CreateICmpNE(y.a, C128(0));
    auto* ok = B_.CreateAnd(
        nonzero, B_.CreateAnd(B_.CreateAnd(FitsI64(x.a), FitsI64(y.a)), B_.CreateAnd(FitsI64(x.b), FitsI64(y.b))));
    auto* num = Mul64(x.a, y.b);
    auto* den = Mul64(x.b, y.a);
    auto* neg = B_.CreateICmpSLT(den, C128(0));
    num = B_.CreateSelect(neg, B_.CreateNeg(num), num);
    den = B_.CreateSelect(neg, B_.CreateNeg(den), den);
    return DecJoin(ok, num, den, [&] { return DecCall(Abi::edict_rt_dec_div, x, &y, r); });
  }

  // -1, 0, 1 as i32: equal denominators compare numerators; small parts cross-multiply exactly.
  llvm::Value* DecCmp(const CgVal& x, const CgVal& y) {
    if (compact_ && !spec_) return B_.CreateExtractValue(SharedDecCall(Op::Lt, x, y), 0);
    if (spec_) {
      auto three = [&](llvm::Value* l, llvm::Value* rr) {
        return B_.CreateSub(B_.CreateZExt(B_.CreateICmpSGT(l, rr), I32()),
                            B_.CreateZExt(B_.CreateICmpSLT(l, rr), I32()));
      };
      // Cross products x.num * y.den and y.num * x.den, each exact when its factors fit in 64
      // bits; a factor that is the constant 1 needs neither a multiplication nor a guard.
      auto is_one = [](llvm::Value* v) {
        auto* c = llvm::dyn_cast<llvm::ConstantInt>(v);
        return c && c->isOne();
      };
      auto product = [&](llvm::Value* p, llvm::Value* q) -> llvm::Value* {
        if (is_one(q)) return p;
        if (is_one(p)) return q;
        Bail(B_.CreateNot(B_.CreateAnd(FitsI64(p), FitsI64(q))));
        return Mul64(p, q);
      };
      llvm::Value* l = product(x.a, y.b);
      llvm::Value* rr = product(y.a, x.b);
      return three(l, rr);
    }
    auto* entry = B_.GetInsertBlock();
    auto* cross_bb = NewBlock("cmp_cross");
    auto* slow_bb = NewBlock("cmp_slow");
    auto* join = NewBlock("cmp_join");
    auto three_way = [&](llvm::Value* l, llvm::Value* rr) {
      return B_.CreateSub(B_.CreateZExt(B_.CreateICmpSGT(l, rr), I32()), B_.CreateZExt(B_.CreateICmpSLT(l, rr), I32()));
    };
    auto* same = B_.CreateICmpEQ(x.b, y.b);
    auto* fast = three_way(x.a, y.a);
    B_.CreateCondBr(same, join, cross_bb);
    B_.SetInsertPoint(cross_bb);
    auto* small = B_.CreateAnd(B_.CreateAnd(FitsI64(x.a), FitsI64(y.a)), B_.CreateAnd(FitsI64(x.b), FitsI64(y.b)));
    auto* cross = three_way(Mul64(x.a, y.b), Mul64(y.a, x.b));
    B_.CreateCondBr(small, join, slow_bb);
    B_.SetInsertPoint(slow_bb);
    StoreDec(x, dec_a_);
    StoreDec(y, dec_b_);
    auto* slow = CallAbi(Abi::edict_rt_dec_cmp, {dec_a_, dec_b_});
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* phi = B_.CreatePHI(I32(), 3);
    phi->addIncoming(fast, entry);
    phi->addIncoming(cross, cross_bb);
    phi->addIncoming(slow, slow_bb);
    return phi;
  }

  CgVal DecNeg(const CgVal& x, SourceRange r) {
    auto* min = C128(rt::i128(rt::u128(1) << 127));
    auto* ok = B_.CreateICmpNE(x.a, min);
    return DecJoin(ok, B_.CreateNeg(x.a), x.b, [&] { return DecCall(Abi::edict_rt_dec_neg, x, nullptr, r); });
  }

  // Rounding to an integer: exact and inline when the denominator is 1.
  llvm::Value* DecRound(const CgVal& x, int32_t mode, SourceRange r) {
    auto* ok = B_.CreateAnd(B_.CreateICmpEQ(x.b, C128(1)), FitsI64(x.a));
    auto* fast = B_.CreateTrunc(x.a, I64());
    if (spec_) {
      Bail(B_.CreateNot(ok));
      return fast;
    }
    return FastOrSlow(ok, fast, [&] {
      StoreDec(x, dec_a_);
      CheckStatus(CallAbi(Abi::edict_rt_dec_round, {dec_a_, C32(mode), i64_out_}), r);
      return B_.CreateLoad(I64(), i64_out_);
    });
  }

  // ------------------------------------------------------------------ integers

  llvm::Value* IntOp(llvm::Intrinsic::ID id, llvm::Value* a, llvm::Value* b, SourceRange r) {
    auto* res = B_.CreateBinaryIntrinsic(id, a, b);
    FailIf(B_.CreateExtractValue(res, 1), rt::RtErrorKind::Overflow, r);
    return B_.CreateExtractValue(res, 0);
  }

  // ------------------------------------------------------------------ equality

  llvm::Value* Eq(TypeId t, const CgVal& x, const CgVal& y) {
    const auto& ti = m_.types.info(t);
    switch (ti.kind) {
      case TypeKind::Error: return B_.getTrue();
      case TypeKind::Bool:
      case TypeKind::Integer:
      case TypeKind::Date:
      case TypeKind::Enum: return B_.CreateICmpEQ(x.a, y.a);
      case TypeKind::Decimal: return B_.CreateICmpEQ(DecCmp(x, y), C32(0));
      case TypeKind::Duration: return B_.CreateAnd(B_.CreateICmpEQ(x.a, y.a), B_.CreateICmpEQ(x.b, y.b));
      case TypeKind::Text: {
        // Same pointer and length: equal; different lengths: not; otherwise compare the bytes.
        auto* same_len = B_.CreateICmpEQ(x.b, y.b);
        auto* same_ptr = B_.CreateICmpEQ(x.a, y.a);
        return FastOrSlow(B_.CreateNot(B_.CreateAnd(same_len, B_.CreateNot(same_ptr))), same_len, [&] {
          return B_.CreateICmpNE(CallAbi(Abi::edict_rt_text_eq, {x.a, x.b, y.a, y.b}), C32(0));
        });
      }
      case TypeKind::Set: {
        llvm::Value* all = B_.getTrue();
        for (size_t w = 0; w < x.words.size(); ++w) all = B_.CreateAnd(all, B_.CreateICmpEQ(x.words[w], y.words[w]));
        return all;
      }
      case TypeKind::Record: {
        llvm::Value* all = B_.getTrue();
        const auto& r = m_.types.records[ti.ref];
        for (size_t i = 0; i < r.fields.size(); ++i)
          all = B_.CreateAnd(all, Eq(r.fields[i].type, x.fields[i], y.fields[i]));
        return all;
      }
      case TypeKind::List: {
        // Equal counts, then every element equal.
        TypeId et = ti.ref;
        uint32_t stride = L_.of(et).size;
        auto* result = EntryAlloca(1, 1);
        B_.CreateStore(B_.getInt8(0), result);
        auto* loop = NewBlock("leq_loop");
        auto* body = NewBlock("leq_body");
        auto* done_true = NewBlock("leq_true");
        auto* exit = NewBlock("leq_exit");
        auto* pre = B_.GetInsertBlock();
        B_.CreateCondBr(B_.CreateICmpEQ(x.b, y.b), loop, exit);
        B_.SetInsertPoint(loop);
        auto* i = B_.CreatePHI(I64(), 2);
        i->addIncoming(C64(0), pre);
        B_.CreateCondBr(B_.CreateICmpSLT(i, x.b), body, done_true);
        B_.SetInsertPoint(body);
        auto* off = B_.CreateMul(i, C64(stride));
        CgVal xe = LoadFlat(et, B_.CreateInBoundsGEP(I8(), x.a, off));
        CgVal ye = LoadFlat(et, B_.CreateInBoundsGEP(I8(), y.a, off));
        auto* same = Eq(et, xe, ye);
        auto* next = B_.CreateAdd(i, C64(1));
        i->addIncoming(next, B_.GetInsertBlock());
        B_.CreateCondBr(same, loop, exit);
        B_.SetInsertPoint(done_true);
        B_.CreateStore(B_.getInt8(1), result);
        B_.CreateBr(exit);
        B_.SetInsertPoint(exit);
        return B_.CreateICmpNE(B_.CreateLoad(I8(), result), B_.getInt8(0));
      }
    }
    return B_.getTrue();
  }

  // ------------------------------------------------------------------ sets

  llvm::Value* SetHas(const CgVal& set, llvm::Value* index) {
    llvm::Value* word = set.words.empty() ? C64(0) : set.words[0];
    if (set.table && set.words.size() > 1) {
      // A constant set: one load from its table (members are valid indices, so in bounds).
      auto* w = B_.CreateZExt(B_.CreateLShr(index, C32(6)), I64());
      word = B_.CreateLoad(I64(), B_.CreateInBoundsGEP(I64(), set.table, w));
    } else if (set.words.size() > 1) {
      auto* w = B_.CreateLShr(index, C32(6));
      for (size_t k = 1; k < set.words.size(); ++k)
        word = B_.CreateSelect(B_.CreateICmpEQ(w, C32(int64_t(k))), set.words[k], word);
    }
    auto* bit = B_.CreateAnd(B_.CreateZExt(index, I64()), C64(63));
    return B_.CreateICmpNE(B_.CreateAnd(B_.CreateLShr(word, bit), C64(1)), C64(0));
  }

  // ------------------------------------------------------------------ code size: pieces, helpers, lets

  bool HasList(TypeId t) const {
    const auto& ti = m_.types.info(t);
    if (ti.kind == TypeKind::List) return true;
    if (ti.kind == TypeKind::Record)
      for (const auto& f : m_.types.records[ti.ref].fields)
        if (HasList(f.type)) return true;
    return false;
  }

  // The IR nodes lowered into the function that evaluates `id`: its own, its operands' unless
  // they are pieces (one node each), and the bodies of the helpers inlined into it. Lists are
  // never cut (a list literal lives in its function's frame), nor are helpers returning them.
  uint64_t Cost(ExprId id) {
    if (cost_[id]) return cost_[id];
    const ir::Expr& e = m_.exprs[id];
    uint64_t c = 1;
    ForEachOperand(m_, e, [&](ExprId k) { c += IsCut(k) ? 1 : Cost(k); });
    if (e.op == Op::Call && InlineDef(e.a)) c += Cost(m_.defs[e.a].body);
    return cost_[id] = c;
  }
  bool IsCut(ExprId id) { return Cost(id) >= kPieceNodes && !HasList(m_.exprs[id].type); }
  bool InlineDef(uint32_t d) {
    if (!inline_def_[d]) inline_def_[d] = HasList(m_.defs[d].result) || Cost(m_.defs[d].body) < kPieceNodes ? 1 : 2;
    return inline_def_[d] == 1;
  }

  // The frame slots an expression reads (not the ones it binds itself), with their types, in
  // slot order. In general code a let reads the slots its value reads (its function computes it);
  // in speculative code, where every let is computed at the start, a let is a slot of its own,
  // after the decision's (LetSlotBase), so that a piece receives its value like any other.
  using Params = std::vector<std::pair<uint32_t, TypeId>>;
  Params FreeSlots(ExprId root) {
    std::map<uint32_t, TypeId> out;
    std::vector<uint32_t> bound;
    FreeWalk(root, out, bound);
    return Params(out.begin(), out.end());
  }
  void FreeWalk(ExprId id, std::map<uint32_t, TypeId>& out, std::vector<uint32_t>& bound) {
    const ir::Expr& e = m_.exprs[id];
    switch (e.op) {
      case Op::Local:
        if (std::find(bound.begin(), bound.end(), e.a) == bound.end()) out.emplace(e.a, e.type);
        return;
      case Op::LetRef: {
        if (spec_) {
          out.emplace(let_slot_base_ + e.a, e.type);
          return;
        }
        auto it = let_free_.find({dec_, e.a});
        if (it == let_free_.end()) it = let_free_.emplace(std::pair{dec_, e.a}, FreeSlots(dec_->lets[e.a].value)).first;
        for (const auto& [slot, type] : it->second) out.emplace(slot, type);
        return;
      }
      case Op::Exists:
      case Op::Forall:
        FreeWalk(e.b, out, bound);
        bound.push_back(e.a);
        FreeWalk(e.c, out, bound);
        bound.pop_back();
        return;
      default: ForEachOperand(m_, e, [&](ExprId k) { FreeWalk(k, out, bound); }); return;
    }
  }

  // A value's components, by its type (what CgVal holds), as function parameters and results.
  void ComponentTypes(TypeId t, std::vector<llvm::Type*>& out) {
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
    }
  }
  void Flatten(TypeId t, const CgVal& v, std::vector<llvm::Value*>& out) {
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
    }
  }
  template <class Next>
  CgVal Unflatten(TypeId t, Next&& next) {
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
    }
    return v;
  }

  // The state of the function being emitted, saved while another is emitted in its middle.
  struct FnState {
    llvm::Function* fn;
    bool spec;
    llvm::Value *bail, *err, *trace, *memo;
    llvm::Value *dec_a, *dec_b, *dec_out, *i32_out, *i64_out, *ymd_out;
    std::vector<CgVal> slots;
    ExprId root;
    bool in_piece, compact;
    llvm::BasicBlock* fail_bb;
    llvm::Value* fail_status;
    llvm::IRBuilderBase::InsertPoint ip;
  };
  FnState SaveFn() {
    return FnState{fn_,
                   spec_,
                   bail_,
                   err_,
                   trace_,
                   memo_,
                   dec_a_,
                   dec_b_,
                   dec_out_,
                   i32_out_,
                   i64_out_,
                   ymd_out_,
                   std::move(slots_),
                   root_,
                   in_piece_,
                   compact_,
                   fail_bb_,
                   fail_status_,
                   B_.saveIP()};
  }
  void RestoreFn(FnState& s) {
    fn_ = s.fn;
    spec_ = s.spec;
    bail_ = s.bail;
    err_ = s.err;
    trace_ = s.trace;
    memo_ = s.memo;
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
  void BeginFunction() {
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

  // How a component of a value crosses a function boundary: a constant is not passed but built
  // into the function (so a decimal's known denominator stays known), a 64-bit value widened to
  // 128 bits is passed narrow and widened again (so 64-bit fast paths still apply), anything else
  // is passed as it is.
  static constexpr uintptr_t kPlain = 0, kNarrow = 1;
  uintptr_t Signature(llvm::Value* v) {
    if (auto* c = llvm::dyn_cast<llvm::Constant>(v)) return reinterpret_cast<uintptr_t>(c);
    return Narrow64(v) ? kNarrow : kPlain;
  }
  llvm::Value* Passed(llvm::Value* v, uintptr_t sig) { return sig == kNarrow ? Narrow64(v) : v; }
  llvm::Value* Received(llvm::Value* v, uintptr_t sig) {
    if (sig == kPlain) return v;
    if (sig == kNarrow) return B_.CreateSExt(v, I128());
    return reinterpret_cast<llvm::Constant*>(sig);
  }

  // A function that evaluates an expression: its result's components' signatures.
  struct Piece {
    llvm::Function* fn = nullptr;
    std::vector<uintptr_t> result;
  };
  using PieceKey = std::tuple<ExprId, bool, bool, std::vector<uintptr_t>>;

  // Evaluates `root` by its own function (created on first use for these argument signatures):
  // a piece or a let's value (in the current decision) or a helper's body; with `atoms`, a part of
  // a rule's condition whose atoms it records. `params` are the frame slots it receives, with
  // `args` their values, `frame` the size of its frame. A failure is passed on (general code) or
  // bails out (speculative code).
  CgVal Evaluate(ExprId root, std::vector<ExprId>* atoms, const Params& params, const std::vector<CgVal>& args,
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
    std::vector<llvm::Value*> call_args{err_, trace_ ? trace_ : null, memo_ ? memo_ : null};
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

  Piece MakePiece(ExprId root, std::vector<ExprId>* atoms, const Params& params, const std::vector<uintptr_t>& sig,
                  size_t frame, TypeId result, const std::string& name) {
    std::vector<llvm::Type*> arg_types{Ptr(), Ptr(), Ptr()};  // error, trace, lets
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
    root_ = root;
    slots_.assign(frame, CgVal{});
    unsigned arg = 3;
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
    for (unsigned i = 0; i < arg_types.size(); ++i) draft->getArg(i)->replaceAllUsesWith(f->getArg(i));
    llvm::Value* ret = llvm::PoisonValue::get(ret_ty);
    for (unsigned i = 0; i < returned.size(); ++i) ret = B_.CreateInsertValue(ret, returned[i], i);
    B_.CreateRet(ret);
    if (fail_bb_) {  // every error of general code: the status, and nothing else that is read
      B_.SetInsertPoint(fail_bb_);
      B_.CreateRet(B_.CreateInsertValue(llvm::PoisonValue::get(ret_ty), B_.CreateLoad(I32(), fail_status_), 0));
    }
    draft->eraseFromParent();
    RestoreFn(saved);
    piece.fn = f;
    return piece;
  }

  // A piece (with atoms: a part of a rule's condition), evaluated by its function.
  CgVal CallPiece(ExprId id, std::vector<ExprId>* atoms) {
    Params params = FreeSlots(id);
    std::vector<CgVal> args;
    for (const auto& [slot, type] : params) args.push_back(slots_[slot]);
    return Evaluate(id, atoms, params, args, slots_.size(), m_.exprs[id].type, fmt::format("edict_piece_{}", id));
  }

  // A helper that is not inlined: one function, called with the arguments' values.
  CgVal CallHelper(uint32_t di, const std::vector<CgVal>& args) {
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
  llvm::StructType* LetsType(const ir::Decision& d) {
    std::vector<llvm::Type*> lets;
    for (const auto& let : d.lets) {
      std::vector<llvm::Type*> parts{I1()};
      ComponentTypes(let.type, parts);
      lets.push_back(llvm::StructType::get(C_, parts));
    }
    return llvm::StructType::get(C_, lets);
  }
  llvm::StructType* LetType(uint32_t i) { return llvm::cast<llvm::StructType>(lets_ty_->getElementType(i)); }
  llvm::Value* LetSlot(uint32_t i) { return B_.CreateConstInBoundsGEP2_32(lets_ty_, memo_, 0, i); }
  void StoreLet(uint32_t i, const CgVal& v) {
    std::vector<llvm::Value*> parts;
    Flatten(dec_->lets[i].type, v, parts);
    llvm::Value* p = LetSlot(i);
    for (unsigned k = 0; k < parts.size(); ++k) B_.CreateStore(parts[k], B_.CreateStructGEP(LetType(i), p, k + 1));
    B_.CreateStore(B_.getTrue(), B_.CreateStructGEP(LetType(i), p, 0));
  }
  CgVal LoadLet(uint32_t i) {
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
  CgVal LetValue(uint32_t i) {
    if (spec_) return slots_[let_slot_base_ + i];
    const ir::Let& let = dec_->lets[i];
    auto* have = NewBlock("let_have");
    auto* compute = NewBlock("let_compute");
    B_.CreateCondBr(B_.CreateLoad(I1(), B_.CreateStructGEP(LetType(i), LetSlot(i), 0)), have, compute);
    B_.SetInsertPoint(compute);
    Params params = FreeSlots(let.value);
    std::vector<CgVal> args;
    for (const auto& [slot, type] : params) args.push_back(slots_[slot]);
    StoreLet(
        i, Evaluate(let.value, nullptr, params, args, slots_.size(), let.type, fmt::format("edict_let_{}", let.value)));
    B_.CreateBr(have);
    B_.SetInsertPoint(have);
    return LoadLet(i);
  }

  // Speculative code evaluates every let the decision reads once, in order (a let reads only
  // earlier ones), before the rules: evaluation is pure and any failure bails out. Each value
  // goes to the let's slot (see FreeSlots).
  void HoistLets(const ir::Decision& d) {
    std::vector<bool> read(d.lets.size(), false);
    std::vector<ExprId> todo;
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

  // ------------------------------------------------------------------ expressions

  CgVal Expr(ExprId id) {
    if (id != root_ && IsCut(id)) return CallPiece(id, nullptr);
    const ir::Expr& e = m_.exprs[id];
    const SourceRange r = e.range;
    auto bin = [&]() {
      CgVal a = Expr(e.a);
      CgVal b = Expr(e.b);
      return std::pair<CgVal, CgVal>{a, b};
    };
    auto scalar = [](llvm::Value* v, llvm::Value* w = nullptr) {
      CgVal c;
      c.a = v;
      c.b = w;
      return c;
    };
    switch (e.op) {
      case Op::Error: return {};
      case Op::BoolLit: return scalar(B_.getInt1(e.a != 0));
      case Op::IntLit: return scalar(C64(m_.ints[e.a]));
      case Op::DecLit: return scalar(C128(m_.decs[e.a].num()), C128(m_.decs[e.a].den()));
      case Op::DateLit: return scalar(C32(int32_t(e.a)));
      case Op::DurLit: return scalar(C64(m_.durs[e.a].months), C64(m_.durs[e.a].days));
      case Op::TextLit: return Text(m_.texts[e.a]);
      case Op::EnumLit: return scalar(C32(e.b));
      case Op::SetLit: {
        uint32_t en = m_.types.info(e.type).ref;
        uint32_t words = L_.of(e.type).words;
        CgVal s;
        for (uint32_t w = 0; w < words; ++w) s.words.push_back(C64(0));
        for (uint32_t i = 0; i < e.b; ++i) {
          llvm::Value* idx = Expr(m_.extra[e.a + i]).a;
          auto* bit = B_.CreateShl(C64(1), B_.CreateAnd(B_.CreateZExt(idx, I64()), C64(63)));
          auto* w = B_.CreateLShr(idx, C32(6));
          for (uint32_t k = 0; k < words; ++k)
            s.words[k] = B_.CreateOr(s.words[k], B_.CreateSelect(B_.CreateICmpEQ(w, C32(k)), bit, C64(0)));
        }
        (void)en;
        return s;
      }
      case Op::ListLit: {
        TypeId et = m_.types.info(e.type).ref;
        const auto& el = L_.of(et);
        std::vector<CgVal> elems;
        for (uint32_t i = 0; i < e.b; ++i) elems.push_back(Expr(m_.extra[e.a + i]));
        llvm::Value* arr = EntryAlloca(uint64_t(el.size) * std::max<uint32_t>(e.b, 1), el.align);
        for (uint32_t i = 0; i < e.b; ++i) StoreFlat(et, elems[i], At(arr, uint64_t(i) * el.size));
        return scalar(arr, C64(e.b));
      }
      case Op::RecordLit: {
        CgVal rec;
        size_t n = m_.types.records[e.a].fields.size();
        for (size_t i = 0; i < n; ++i) rec.fields.push_back(Expr(m_.extra[e.b + i]));
        return rec;
      }
      case Op::Local: return slots_[e.a];
      case Op::LetRef: return LetValue(e.a);
      case Op::Const: return ConstRef(e.a, r);
      case Op::Call: {
        const ir::Def& d = m_.defs[e.a];
        std::vector<CgVal> args;
        for (size_t i = 0; i < d.params.size(); ++i) args.push_back(Expr(m_.extra[e.b + i]));
        if (!InlineDef(e.a)) return CallHelper(e.a, args);
        std::vector<CgVal> saved(std::max<size_t>(d.slot_count, d.params.size()));
        std::swap(saved, slots_);
        for (size_t i = 0; i < args.size(); ++i) slots_[i] = args[i];
        CgVal out = Expr(d.body);
        std::swap(saved, slots_);
        return out;
      }
      case Op::DecisionCall: return CallDecision(e);
      case Op::Builtin: return Builtin(e);
      case Op::Field: return Expr(e.a).fields[e.b];
      case Op::With: {
        CgVal base = Expr(e.a);
        for (uint32_t i = 0; i < e.c; ++i) base.fields[m_.extra[e.b + 2 * i]] = Expr(m_.extra[e.b + 2 * i + 1]);
        return base;
      }
      case Op::Not: return scalar(B_.CreateNot(Expr(e.a).a));
      case Op::And:
      case Op::Or: return scalar(ShortCircuit(e, nullptr));
      case Op::If: return IfExpr(e);
      case Op::IntNeg: return scalar(IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), Expr(e.a).a, r));
      case Op::IntAdd: {
        auto [a, b] = bin();
        return scalar(IntOp(llvm::Intrinsic::sadd_with_overflow, a.a, b.a, r));
      }
      case Op::IntSub: {
        auto [a, b] = bin();
        return scalar(IntOp(llvm::Intrinsic::ssub_with_overflow, a.a, b.a, r));
      }
      case Op::IntMul: {
        auto [a, b] = bin();
        return scalar(IntOp(llvm::Intrinsic::smul_with_overflow, a.a, b.a, r));
      }
      case Op::IntToDec: return scalar(B_.CreateSExt(Expr(e.a).a, I128()), C128(1));
      case Op::DecNeg: return DecNeg(Expr(e.a), r);
      case Op::DecAdd: {
        auto [a, b] = bin();
        return DecAddSub(a, b, false, r);
      }
      case Op::DecSub: {
        auto [a, b] = bin();
        return DecAddSub(a, b, true, r);
      }
      case Op::DecMul: {
        auto [a, b] = bin();
        return DecMul(a, b, r);
      }
      case Op::DecDiv: {
        auto [a, b] = bin();
        return DecDiv(a, b, r);
      }
      case Op::DateAddDur:
      case Op::DateSubDur: {
        auto [a, b] = bin();
        llvm::Value* months = b.a;
        llvm::Value* days = b.b;
        if (e.op == Op::DateSubDur) {
          months = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), months, r);
          days = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), days, r);
        }
        CheckStatus(CallAbi(Abi::edict_rt_date_add, {a.a, months, days, i32_out_}), r);
        return scalar(B_.CreateLoad(I32(), i32_out_));
      }
      case Op::DateDiff: {
        auto [a, b] = bin();
        return scalar(C64(0), B_.CreateSub(B_.CreateSExt(a.a, I64()), B_.CreateSExt(b.a, I64())));
      }
      case Op::DurAdd:
      case Op::DurSub: {
        auto [a, b] = bin();
        llvm::Value* bm = b.a;
        llvm::Value* bd = b.b;
        if (e.op == Op::DurSub) {  // as the interpreter: negate, then add
          bm = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), bm, r);
          bd = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), bd, r);
        }
        auto* m = IntOp(llvm::Intrinsic::sadd_with_overflow, a.a, bm, r);
        auto* d = IntOp(llvm::Intrinsic::sadd_with_overflow, a.b, bd, r);
        return scalar(m, d);
      }
      case Op::DurNeg: {
        CgVal a = Expr(e.a);
        auto* m = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), a.a, r);
        auto* d = IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), a.b, r);
        return scalar(m, d);
      }
      case Op::DurMul: {
        auto [a, b] = bin();
        auto* m = IntOp(llvm::Intrinsic::smul_with_overflow, a.a, b.a, r);
        auto* d = IntOp(llvm::Intrinsic::smul_with_overflow, a.b, b.a, r);
        return scalar(m, d);
      }
      case Op::Eq: {
        auto [a, b] = bin();
        return scalar(Eq(m_.exprs[e.a].type, a, b));
      }
      case Op::Ne: {
        auto [a, b] = bin();
        return scalar(B_.CreateNot(Eq(m_.exprs[e.a].type, a, b)));
      }
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        auto [a, b] = bin();
        llvm::Value* c = Compare(m_.exprs[e.a].type, a, b, r);
        switch (e.op) {
          case Op::Lt: return scalar(B_.CreateICmpSLT(c, C32(0)));
          case Op::Le: return scalar(B_.CreateICmpSLE(c, C32(0)));
          case Op::Gt: return scalar(B_.CreateICmpSGT(c, C32(0)));
          default: return scalar(B_.CreateICmpSGE(c, C32(0)));
        }
      }
      case Op::SetHas: {
        CgVal x = Expr(e.a);
        CgVal s = Expr(e.b);
        return scalar(SetHas(s, x.a));
      }
      case Op::ListHas: {
        CgVal x = Expr(e.a);
        CgVal l = Expr(e.b);
        TypeId et = m_.types.info(m_.exprs[e.b].type).ref;
        return scalar(ListAny(
            l, et, [&](const CgVal& el) { return Eq(et, x, el); }, true));
      }
      case Op::SetUnion:
      case Op::SetInter:
      case Op::SetMinus: {
        auto [a, b] = bin();
        CgVal s;
        for (size_t w = 0; w < a.words.size(); ++w) {
          llvm::Value* v = e.op == Op::SetUnion   ? B_.CreateOr(a.words[w], b.words[w])
                           : e.op == Op::SetInter ? B_.CreateAnd(a.words[w], b.words[w])
                                                  : B_.CreateAnd(a.words[w], B_.CreateNot(b.words[w]));
          s.words.push_back(v);
        }
        return s;
      }
      case Op::Exists:
      case Op::Forall: {
        CgVal l = Expr(e.b);
        TypeId et = m_.types.info(m_.exprs[e.b].type).ref;
        bool want = e.op == Op::Exists;
        uint32_t slot = e.a;
        return scalar(ListAny(
            l, et,
            [&](const CgVal& el) {
              slots_[slot] = el;
              llvm::Value* body = Expr(e.c).a;
              return want ? body : B_.CreateNot(body);
            },
            want));
      }
    }
    return {};
  }

  // Whether `pred` holds for some element (exists_mode) — returns that, or for all (returns
  // the negation of "some element fails"). Elements are visited in order; the first hit stops.
  template <class Pred>
  llvm::Value* ListAny(const CgVal& list, TypeId et, Pred pred, bool exists_mode) {
    uint32_t stride = L_.of(et).size;
    auto* pre = B_.GetInsertBlock();
    auto* loop = NewBlock("list_loop");
    auto* body = NewBlock("list_body");
    auto* exit = NewBlock("list_exit");
    B_.CreateBr(loop);
    B_.SetInsertPoint(loop);
    auto* i = B_.CreatePHI(I64(), 2);
    i->addIncoming(C64(0), pre);
    auto* loop_bb = loop;
    B_.CreateCondBr(B_.CreateICmpSLT(i, list.b), body, exit);
    B_.SetInsertPoint(body);
    CgVal el = LoadFlat(et, B_.CreateInBoundsGEP(I8(), list.a, B_.CreateMul(i, C64(stride))));
    llvm::Value* hit = pred(el);
    auto* body_end = B_.GetInsertBlock();
    auto* next = B_.CreateAdd(i, C64(1));
    i->addIncoming(next, body_end);
    B_.CreateCondBr(hit, exit, loop);
    B_.SetInsertPoint(exit);
    auto* phi = B_.CreatePHI(I1(), 2);
    phi->addIncoming(B_.getInt1(!exists_mode), loop_bb);  // ran out: none hit
    phi->addIncoming(B_.getInt1(exists_mode), body_end);  // hit
    return phi;
  }

  llvm::Value* Compare(TypeId t, const CgVal& a, const CgVal& b, SourceRange r) {
    auto three = [&](llvm::Value* x, llvm::Value* y) {
      return B_.CreateSub(B_.CreateZExt(B_.CreateICmpSGT(x, y), I32()), B_.CreateZExt(B_.CreateICmpSLT(x, y), I32()));
    };
    switch (m_.types.kind(t)) {
      case TypeKind::Integer:
      case TypeKind::Date: return three(a.a, b.a);
      case TypeKind::Decimal: return DecCmp(a, b);
      case TypeKind::Duration:
        CheckStatus(CallAbi(Abi::edict_rt_dur_cmp, {a.a, a.b, b.a, b.b, i32_out_}), r);
        return B_.CreateLoad(I32(), i32_out_);
      default: return C32(0);
    }
  }

  // `and`/`or` with short-circuit; records atoms in the trace when asked (atoms != null).
  llvm::Value* ShortCircuit(const ir::Expr& e, std::vector<ExprId>* atoms) {
    bool is_and = e.op == Op::And;
    if (spec_) {  // pure, and any error bails out: evaluate both sides, no branch
      llvm::Value* l = Condition(e.a, atoms);
      llvm::Value* r = Condition(e.b, atoms);
      return is_and ? B_.CreateAnd(l, r) : B_.CreateOr(l, r);
    }
    llvm::Value* left = Condition(e.a, atoms);
    auto* left_end = B_.GetInsertBlock();
    auto* rhs = NewBlock(is_and ? "and_rhs" : "or_rhs");
    auto* join = NewBlock(is_and ? "and_join" : "or_join");
    if (is_and)
      B_.CreateCondBr(left, rhs, join);
    else
      B_.CreateCondBr(left, join, rhs);
    B_.SetInsertPoint(rhs);
    llvm::Value* right = Condition(e.b, atoms);
    auto* right_end = B_.GetInsertBlock();
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* phi = B_.CreatePHI(I1(), 2);
    phi->addIncoming(B_.getInt1(!is_and), left_end);
    phi->addIncoming(right, right_end);
    return phi;
  }

  // A boolean expression; with atoms, it is a rule condition whose atoms (the same split as
  // the interpreter's trace) are numbered and recorded.
  llvm::Value* Condition(ExprId id, std::vector<ExprId>* atoms) {
    const ir::Expr& e = m_.exprs[id];
    bool connective =
        e.op == Op::And || e.op == Op::Or ||
        (e.op == Op::Not && (m_.exprs[e.a].op == Op::And || m_.exprs[e.a].op == Op::Or || m_.exprs[e.a].op == Op::Not));
    if (connective && id != root_ && IsCut(id)) return atoms ? CallPiece(id, atoms).a : Expr(id).a;
    if (!atoms) {
      if (e.op == Op::And || e.op == Op::Or) return ShortCircuit(e, nullptr);
      return Expr(id).a;
    }
    if (e.op == Op::And || e.op == Op::Or) return ShortCircuit(e, atoms);
    if (e.op == Op::Not) {
      Op inner = m_.exprs[e.a].op;
      if (inner == Op::And || inner == Op::Or || inner == Op::Not) return B_.CreateNot(Condition(e.a, atoms));
    }
    llvm::Value* v = Expr(id).a;
    if (trace_)
      TraceStore(uint32_t(dec_->rules.size() + atoms->size()), B_.CreateAdd(B_.CreateZExt(v, I8()), B_.getInt8(1)));
    atoms->push_back(id);
    return v;
  }

  // Stores a trace byte, unless the caller passed no buffer (a decision called by another).
  void TraceStore(uint32_t slot, llvm::Value* byte) {
    auto* store = NewBlock("trace");
    auto* after = NewBlock("traced");
    B_.CreateCondBr(B_.CreateIsNotNull(trace_), store, after);
    B_.SetInsertPoint(store);
    B_.CreateStore(byte, At(trace_, slot));
    B_.CreateBr(after);
    B_.SetInsertPoint(after);
  }

  CgVal Select(llvm::Value* c, const CgVal& a, const CgVal& b) {
    CgVal out;
    if (a.a) out.a = B_.CreateSelect(c, a.a, b.a);
    if (a.b) out.b = B_.CreateSelect(c, a.b, b.b);
    for (size_t w = 0; w < a.words.size(); ++w) out.words.push_back(B_.CreateSelect(c, a.words[w], b.words[w]));
    for (size_t f = 0; f < a.fields.size(); ++f) out.fields.push_back(Select(c, a.fields[f], b.fields[f]));
    return out;
  }

  CgVal IfExpr(const ir::Expr& e) {
    llvm::Value* c = Condition(e.a, nullptr);
    TypeId t = e.type;
    if (spec_) {
      CgVal a = Expr(e.b);
      CgVal b = Expr(e.c);
      return Select(c, a, b);
    }
    auto* then_bb = NewBlock("if_then");
    auto* else_bb = NewBlock("if_else");
    auto* join = NewBlock("if_join");
    // Results of arbitrary shape go through memory, which SROA turns back into registers.
    const auto& l = L_.of(t);
    auto* slot = EntryAlloca(l.size, l.align);
    B_.CreateCondBr(c, then_bb, else_bb);
    B_.SetInsertPoint(then_bb);
    StoreFlat(t, Expr(e.b), slot);
    B_.CreateBr(join);
    B_.SetInsertPoint(else_bb);
    StoreFlat(t, Expr(e.c), slot);
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    return LoadFlat(t, slot);
  }

  CgVal ConstRef(uint32_t c, SourceRange r) {
    try {
      return Constant(consts_.EvalConst(c), m_.consts[c].type);
    } catch (const rt::EvalError& err) {
      // The constant fails whenever it is used: so does the generated code.
      if (spec_) {
        Bail(B_.getTrue());
        return Undef(m_.consts[c].type);
      }
      EmitErrorReturn(C32(int32_t(err.kind)), Site(err.range));
      B_.SetInsertPoint(NewBlock("unreachable"));
      CgVal dummy = Undef(m_.consts[c].type);
      (void)r;
      return dummy;
    }
  }

  CgVal Undef(TypeId t) {
    const auto& ti = m_.types.info(t);
    CgVal v;
    switch (ti.kind) {
      case TypeKind::Error: break;
      case TypeKind::Bool: v.a = B_.getInt1(false); break;
      case TypeKind::Integer: v.a = C64(0); break;
      case TypeKind::Decimal:
        v.a = C128(0);
        v.b = C128(1);
        break;
      case TypeKind::Date:
      case TypeKind::Enum: v.a = C32(0); break;
      case TypeKind::Duration:
        v.a = C64(0);
        v.b = C64(0);
        break;
      case TypeKind::Text:
      case TypeKind::List:
        v.a = llvm::ConstantPointerNull::get(B_.getPtrTy());
        v.b = C64(0);
        break;
      case TypeKind::Set:
        for (uint32_t w = 0; w < L_.of(t).words; ++w) v.words.push_back(C64(0));
        break;
      case TypeKind::Record:
        for (const auto& f : m_.types.records[ti.ref].fields) v.fields.push_back(Undef(f.type));
        break;
    }
    return v;
  }

  CgVal CallDecision(const ir::Expr& e) {
    const ir::Decision& callee = m_.decisions[e.a];
    std::vector<TypeId> ptypes;
    for (const auto& p : callee.params) ptypes.push_back(p.type);
    rt::TypeLayout pl = L_.Struct(ptypes);
    std::vector<CgVal> args;
    for (size_t i = 0; i < callee.params.size(); ++i) args.push_back(Expr(m_.extra[e.b + i]));
    auto* in = EntryAlloca(pl.size, pl.align);
    for (size_t i = 0; i < args.size(); ++i) StoreFlat(ptypes[i], args[i], At(in, pl.field_offsets[i]));
    const auto& ol = L_.of(callee.result);
    auto* out = EntryAlloca(ol.size, ol.align);
    auto* status = B_.CreateCall(fast_fns_[e.a], {in, out, err_, llvm::ConstantPointerNull::get(B_.getPtrTy())});
    PropagateStatus(status);
    return LoadFlat(callee.result, out);
  }

  CgVal Builtin(const ir::Expr& e) {
    const uint32_t* args = m_.operands(e.b);
    const SourceRange r = e.range;
    auto scalar = [](llvm::Value* v) {
      CgVal c;
      c.a = v;
      return c;
    };
    using BI = ir::Builtin;
    switch (BI(e.a)) {
      case BI::YearOf:
      case BI::MonthOf:
      case BI::DayOf: {
        CgVal d = Expr(args[0]);
        B_.CreateCall(abi_[size_t(Abi::edict_rt_date_parts)], {d.a, ymd_out_});
        int k = BI(e.a) == BI::YearOf ? 0 : BI(e.a) == BI::MonthOf ? 1 : 2;
        return scalar(B_.CreateSExt(B_.CreateLoad(I32(), At(ymd_out_, 4 * k)), I64()));
      }
      case BI::MakeDate: {
        CgVal y = Expr(args[0]);
        CgVal mo = Expr(args[1]);
        CgVal d = Expr(args[2]);
        CheckStatus(CallAbi(Abi::edict_rt_make_date, {y.a, mo.a, d.a, i32_out_}), r);
        return scalar(B_.CreateLoad(I32(), i32_out_));
      }
      case BI::AddMonthsStrict:
      case BI::AddMonthsUp: {
        CgVal d = Expr(args[0]);
        CgVal n = Expr(args[1]);
        int mode = BI(e.a) == BI::AddMonthsUp ? EDICT_MONTHS_UP : EDICT_MONTHS_STRICT;
        CheckStatus(CallAbi(Abi::edict_rt_add_months, {d.a, n.a, C32(mode), i32_out_}), r);
        return scalar(B_.CreateLoad(I32(), i32_out_));
      }
      case BI::DaysOf: {
        CgVal d = Expr(args[0]);
        FailIf(B_.CreateICmpNE(d.a, C64(0)), rt::RtErrorKind::IncomparableDurations, r);
        return scalar(d.b);
      }
      case BI::Floor: return scalar(DecRound(Expr(args[0]), EDICT_FLOOR, r));
      case BI::Ceil: return scalar(DecRound(Expr(args[0]), EDICT_CEIL, r));
      case BI::Truncate: return scalar(DecRound(Expr(args[0]), EDICT_TRUNCATE, r));
      case BI::RoundHalfUp: return scalar(DecRound(Expr(args[0]), EDICT_ROUND_HALF_UP, r));
      case BI::RoundHalfEven: return scalar(DecRound(Expr(args[0]), EDICT_ROUND_HALF_EVEN, r));
      case BI::ToInteger: return scalar(DecRound(Expr(args[0]), EDICT_TO_INTEGER, r));
      case BI::Abs: {
        CgVal x = Expr(args[0]);
        if (m_.types.kind(e.type) == TypeKind::Integer) {
          auto* neg = B_.CreateICmpSLT(x.a, C64(0));
          return scalar(FastOrSlow(B_.CreateNot(neg), x.a,
                                   [&] { return IntOp(llvm::Intrinsic::ssub_with_overflow, C64(0), x.a, r); }));
        }
        auto* neg = B_.CreateICmpSLT(x.a, C128(0));
        auto* pre = B_.GetInsertBlock();
        auto* negate = NewBlock("abs_neg");
        auto* join = NewBlock("abs_join");
        B_.CreateCondBr(neg, negate, join);
        B_.SetInsertPoint(negate);
        CgVal n = DecNeg(x, r);
        auto* neg_end = B_.GetInsertBlock();
        B_.CreateBr(join);
        B_.SetInsertPoint(join);
        auto* pn = B_.CreatePHI(I128(), 2);
        pn->addIncoming(x.a, pre);
        pn->addIncoming(n.a, neg_end);
        auto* pd = B_.CreatePHI(I128(), 2);
        pd->addIncoming(x.b, pre);
        pd->addIncoming(n.b, neg_end);
        CgVal out;
        out.a = pn;
        out.b = pd;
        return out;
      }
      case BI::Min:
      case BI::Max: {
        CgVal a = Expr(args[0]);
        CgVal b = Expr(args[1]);
        llvm::Value* c = Compare(e.type, a, b, r);
        llvm::Value* take_a = BI(e.a) == BI::Min ? B_.CreateICmpSLE(c, C32(0)) : B_.CreateICmpSGE(c, C32(0));
        CgVal out;
        out.a = B_.CreateSelect(take_a, a.a, b.a);
        if (a.b) out.b = B_.CreateSelect(take_a, a.b, b.b);
        return out;
      }
      case BI::Count: {
        CgVal x = Expr(args[0]);
        if (m_.types.kind(m_.exprs[args[0]].type) == TypeKind::List) return scalar(x.b);
        llvm::Value* n = C64(0);
        for (auto* w : x.words) n = B_.CreateAdd(n, B_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, w));
        return scalar(n);
      }
      case BI::Sum: {
        CgVal l = Expr(args[0]);
        TypeId et = m_.types.info(m_.exprs[args[0]].type).ref;
        bool is_int = m_.types.kind(e.type) == TypeKind::Integer;
        const auto& el = L_.of(et);
        auto* acc = EntryAlloca(32, 16);
        if (is_int)
          B_.CreateStore(C64(0), acc);
        else
          StoreDec(CgVal{C128(0), C128(1), {}, {}}, acc);
        ListAny(
            l, et,
            [&](const CgVal& x) {
              if (is_int) {
                auto* s = IntOp(llvm::Intrinsic::sadd_with_overflow, B_.CreateLoad(I64(), acc), x.a, r);
                B_.CreateStore(s, acc);
              } else {
                CgVal s = DecAddSub(LoadDec(acc), x, false, r);
                StoreDec(s, acc);
              }
              return B_.getFalse();
            },
            true);
        (void)el;
        if (is_int) return scalar(B_.CreateLoad(I64(), acc));
        return LoadDec(acc);
      }
    }
    return {};
  }

  // ------------------------------------------------------------------ decisions

  void DefineDecision(uint32_t di, llvm::Function* fn, bool spec) {
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
    // The lets' values and (general code) whether each was computed yet.
    lets_ty_ = LetsType(d);
    memo_ = nullptr;
    if (!d.lets.empty() && !spec_) {
      llvm::IRBuilder<> eb(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      memo_ = eb.CreateAlloca(lets_ty_);
      for (uint32_t i = 0; i < d.lets.size(); ++i)
        B_.CreateStore(B_.getFalse(), B_.CreateStructGEP(LetType(i), LetSlot(i), 0));
    }

    jit::DecisionInfo& info = result_.decisions[di];
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
    if (spec_) HoistLets(d);

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

  // edict_decision_<d>_batch(in, n, out, status, errors): evaluates n cases in arrays of the flat
  // input and outcome types, one status per case (0 or 1 + the error kind) and its NativeError.
  // Block by block of kBlock cases: a first loop runs the speculative function
  // inlined (no call in it, so nothing to keep across one); a second one, only when some case of
  // the block bailed out, runs the general function on those cases while they are in cache.
  static constexpr int64_t kBlock = 256;
  void DefineBatch(uint32_t d) {
    auto* ft = llvm::FunctionType::get(B_.getVoidTy(), {Ptr(), I64(), Ptr(), Ptr(), Ptr()}, false);
    auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, DecisionSymbol(d) + "_batch", M_);
    f->setDoesNotThrow();
    fn_ = f;
    auto* null = llvm::ConstantPointerNull::get(B_.getPtrTy());
    std::vector<TypeId> ptypes;
    for (const auto& p : m_.decisions[d].params) ptypes.push_back(p.type);
    int64_t in_stride = L_.Struct(ptypes).size, out_stride = L_.of(m_.decisions[d].result).size;
    B_.SetInsertPoint(llvm::BasicBlock::Create(C_, "entry", f));
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
                  B_.CreateInBoundsGEP(I8(), f->getArg(4), B_.CreateMul(i, C64(sizeof(jit::NativeError)))),
                  B_.CreateInBoundsGEP(I32(), f->getArg(3), i)};
    };
    llvm::Value* n = f->getArg(1);
    loop("block", C64(0), n, kBlock, B_.getFalse(), [&](llvm::Value* b, llvm::Value* unused) {
      auto* block_end = B_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, B_.CreateAdd(b, C64(kBlock)), n);
      llvm::Value* bailed = loop("fast", b, block_end, 1, B_.getFalse(), [&](llvm::Value* i, llvm::Value* any) {
        Case c = at(i);
        auto* status = B_.CreateCall(spec_fns_[d], {c.in, c.out, c.err, null});
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
        B_.CreateStore(B_.CreateCall(fns_[d], {c.in, c.out, c.err, null}), c.status);
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
  void DefineSpeculativeOutcome(const ir::Decision& d, const std::vector<llvm::Value*>& applies,
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
    auto* exact = NewBlock("exact");
    auto* done = NewBlock("done");
    B_.CreateCondBr(B_.CreateLoad(I1(), bail_), exact, done, Unlikely());
    B_.SetInsertPoint(exact);
    B_.CreateRet(C32(kBailed));
    B_.SetInsertPoint(done);
    spec_ = false;  // storable was checked above; this store cannot box
    StoreFlatChecked(d.result, first, out);
    B_.CreateRet(C32(0));
  }

  // Stores a value whose decimals are known to fit the compact layout.
  void StoreFlatChecked(TypeId t, const CgVal& v, llvm::Value* p) {
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
    StoreFlat(t, v, p);
  }

  const ir::Module& m_;
  const rt::Layouts& L_;
  bool trace_enabled_;
  llvm::Module& M_;
  llvm::LLVMContext& C_;
  llvm::IRBuilder<> B_;
  interp::Interpreter consts_;
  Result result_;
  std::vector<bool> wanted_;
  llvm::Function* abi_[64] = {};
  std::vector<llvm::Function*> fns_;       // general functions
  std::vector<llvm::Function*> fast_fns_;  // the public symbols (speculative unless tracing)
  std::vector<llvm::Function*> spec_fns_;  // speculative functions (none when tracing)
  // Per function:
  bool spec_ = false;
  llvm::Value* bail_ = nullptr;
  llvm::Function* fn_ = nullptr;
  const ir::Decision* dec_ = nullptr;
  llvm::Value* err_ = nullptr;
  llvm::Value* trace_ = nullptr;
  llvm::Value *dec_a_ = nullptr, *dec_b_ = nullptr, *dec_out_ = nullptr;
  llvm::Value *i32_out_ = nullptr, *i64_out_ = nullptr, *ymd_out_ = nullptr;
  std::vector<CgVal> slots_;
  ExprId root_ = ir::kNoExpr;  // the expression a piece's function evaluates
  bool in_piece_ = false;      // emitting a piece's function (not a decision's)
  bool compact_ = false;       // general code of a large piece: shared decimal operations
  bool raw_status_ = false;    // emitting a shared operation: failures return their status
  std::map<Op, llvm::Function*> dec_ops_;
  llvm::BasicBlock* fail_bb_ = nullptr;  // a piece's failure return (general code), and its status
  llvm::Value* fail_status_ = nullptr;
  llvm::Value* memo_ = nullptr;  // the current decision's lets (LetsType)
  llvm::StructType* lets_ty_ = nullptr;
  size_t let_slot_base_ = 0;  // speculative code: the slot of let i is let_slot_base_ + i
  // Code size (see kPieceNodes).
  std::vector<uint64_t> cost_;
  std::vector<uint8_t> inline_def_;   // 0 unknown, 1 inlined, 2 called
  std::map<PieceKey, Piece> pieces_;  // (root, speculative, condition, argument signatures)
  std::map<std::pair<const ir::Decision*, uint32_t>, Params> let_free_;
};

}  // namespace

Result Lower(const ir::Module& m, const rt::Layouts& layouts, bool trace, llvm::Module& out,
             const std::vector<bool>& wanted) {
  Result r = Lowerer(m, layouts, trace, out, wanted).Run();
  // Decisions that were declared for calls but not wanted have no body: drop them.
  for (uint32_t d = 0; d < m.decisions.size(); ++d) {
    if (wanted.empty() || wanted[d]) continue;
    for (const std::string& name : {DecisionSymbol(d), DecisionSymbol(d) + "_general", DecisionSymbol(d) + "_spec"})
      if (auto* f = out.getFunction(name); f && f->isDeclaration() && f->use_empty()) f->eraseFromParent();
  }
  return r;
}

std::vector<bool> CallClosure(const ir::Module& m, const std::vector<uint32_t>& roots) {
  std::vector<bool> wanted(m.decisions.size(), false);
  std::vector<bool> defs_seen(m.defs.size(), false);
  std::vector<uint32_t> todo(roots.begin(), roots.end());
  std::vector<ir::ExprId> exprs;
  while (!todo.empty()) {
    uint32_t d = todo.back();
    todo.pop_back();
    if (wanted[d]) continue;
    wanted[d] = true;
    const ir::Decision& dec = m.decisions[d];
    for (const auto& l : dec.lets) exprs.push_back(l.value);
    for (const auto& r : dec.rules) {
      if (r.condition != ir::kNoExpr) exprs.push_back(r.condition);
      exprs.push_back(r.outcome);
    }
    if (dec.has_default) exprs.push_back(dec.default_rule.outcome);
    while (!exprs.empty()) {
      ir::ExprId id = exprs.back();
      exprs.pop_back();
      const ir::Expr& e = m.exprs[id];
      // Every operand field that names an expression (by op), pushed conservatively.
      auto push_list = [&](uint32_t start, uint32_t count) {
        for (uint32_t i = 0; i < count; ++i) exprs.push_back(m.extra[start + i]);
      };
      switch (e.op) {
        case Op::DecisionCall:
          todo.push_back(e.a);
          push_list(e.b, uint32_t(m.decisions[e.a].params.size()));
          break;
        case Op::Call:
          push_list(e.b, uint32_t(m.defs[e.a].params.size()));
          if (!defs_seen[e.a]) {
            defs_seen[e.a] = true;
            exprs.push_back(m.defs[e.a].body);
          }
          break;
        case Op::LetRef:
        case Op::Local:
        case Op::Const:
        case Op::BoolLit:
        case Op::IntLit:
        case Op::DecLit:
        case Op::DateLit:
        case Op::DurLit:
        case Op::TextLit:
        case Op::EnumLit:
        case Op::Error: break;
        case Op::SetLit:
        case Op::ListLit: push_list(e.a, e.b); break;
        case Op::RecordLit: push_list(e.b, uint32_t(m.types.records[e.a].fields.size())); break;
        case Op::Builtin: push_list(e.b, e.c); break;
        case Op::Field: exprs.push_back(e.a); break;
        case Op::With:
          exprs.push_back(e.a);
          for (uint32_t i = 0; i < e.c; ++i) exprs.push_back(m.extra[e.b + 2 * i + 1]);
          break;
        case Op::If:
          exprs.push_back(e.a);
          exprs.push_back(e.b);
          exprs.push_back(e.c);
          break;
        case Op::Exists:
        case Op::Forall:
          exprs.push_back(e.b);
          exprs.push_back(e.c);
          break;
        case Op::Not:
        case Op::IntNeg:
        case Op::IntToDec:
        case Op::DecNeg:
        case Op::DurNeg: exprs.push_back(e.a); break;
        case Op::And:
        case Op::Or:
        case Op::IntAdd:
        case Op::IntSub:
        case Op::IntMul:
        case Op::DecAdd:
        case Op::DecSub:
        case Op::DecMul:
        case Op::DecDiv:
        case Op::DateAddDur:
        case Op::DateSubDur:
        case Op::DateDiff:
        case Op::DurAdd:
        case Op::DurSub:
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
          exprs.push_back(e.a);
          exprs.push_back(e.b);
          break;
      }
    }
  }
  return wanted;
}

void AddEntryPoint(llvm::Module& out, uint32_t d, const std::string& name) {
  llvm::LLVMContext& c = out.getContext();
  llvm::IRBuilder<> b(c);
  auto* ptr = b.getPtrTy();
  auto* ft = llvm::FunctionType::get(b.getInt32Ty(), {ptr, ptr, ptr}, false);
  auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, out);
  llvm::FunctionCallee reset =
      out.getOrInsertFunction("edict_rt_boxes_reset", llvm::FunctionType::get(b.getVoidTy(), false));
  auto* decision = out.getFunction(DecisionSymbol(d));
  b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", f));
  b.CreateCall(reset);
  b.CreateRet(b.CreateCall(decision, {f->getArg(0), f->getArg(1), f->getArg(2), llvm::ConstantPointerNull::get(ptr)}));
}

}  // namespace edict::lower
