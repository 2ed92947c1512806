// Lowering: exact decimal arithmetic. Inline fast paths that are exact whenever they apply, their
// 64-bit forms in speculative code, one shared function per operation in large pieces, and the
// runtime calls (runtime/abi.def) that decide every other case.
#include "compiler/lower/lowerer.h"

#include <fmt/format.h>

#include <vector>

#include "runtime/abi.h"

namespace edict::lower {

llvm::Value* Lowerer::FitsI64(llvm::Value* x128) {
  return B_.CreateICmpEQ(B_.CreateSExt(B_.CreateTrunc(x128, I64()), I128()), x128);
}

// x * y for operands known (or guarded) to fit in 64 bits: a single 64x64->128 multiply.
llvm::Value* Lowerer::Mul64(llvm::Value* x128, llvm::Value* y128) {
  return B_.CreateMul(B_.CreateSExt(B_.CreateTrunc(x128, I64()), I128()),
                      B_.CreateSExt(B_.CreateTrunc(y128, I64()), I128()));
}

// The 64-bit value a 128-bit one was widened from (a sign extension or a constant that fits),
// or null.
llvm::Value* Lowerer::Narrow64(llvm::Value* v128) {
  if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(v128))
    return c->getValue().isSignedIntN(64) ? llvm::ConstantInt::get(I64(), c->getValue().trunc(64)) : nullptr;
  if (auto* e = llvm::dyn_cast<llvm::SExtInst>(v128); e && e->getSrcTy() == I64()) return e->getOperand(0);
  return nullptr;
}

// Speculative code only: a 64-bit operation (an overflow intrinsic) on two narrowable values,
// bailing out to the exact path if it overflows; the result widened again. Narrow operations
// keep the next sum or comparison in 64 bits as well.
bool Lowerer::SpecOp64(llvm::Intrinsic::ID id, llvm::Value* a128, llvm::Value* b128, llvm::Value** out) {
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
CgVal Lowerer::DecCall(Abi id, const CgVal& x, const CgVal* y, SourceRange r) {
  StoreDec(x, dec_a_);
  if (y) StoreDec(*y, dec_b_);
  llvm::Value* status = y ? CallAbi(id, {dec_a_, dec_b_, dec_out_}) : CallAbi(id, {dec_a_, dec_out_});
  CheckStatus(status, r);
  return LoadDec(dec_out_);
}

void Lowerer::StoreDec(const CgVal& x, llvm::Value* p) {
  B_.CreateAlignedStore(x.a, p, llvm::Align(16));
  B_.CreateAlignedStore(x.b, At(p, 16), llvm::Align(16));
}

CgVal Lowerer::LoadDec(llvm::Value* p) {
  CgVal v;
  v.a = B_.CreateAlignedLoad(I128(), p, llvm::Align(16));
  v.b = B_.CreateAlignedLoad(I128(), At(p, 16), llvm::Align(16));
  return v;
}

// Joins the fast path (in the current block) with a slow path built by `slow`.
template <class Slow>
CgVal Lowerer::DecJoin(llvm::Value* fast_ok, llvm::Value* fast_num, llvm::Value* fast_den, Slow slow) {
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
llvm::Value* Lowerer::SharedDecCall(Op op, const CgVal& x, const CgVal& y) {
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

CgVal Lowerer::SharedDecOp(Op op, const CgVal& x, const CgVal& y, SourceRange r) {
  llvm::Value* res = SharedDecCall(op, x, y);
  CheckStatus(B_.CreateExtractValue(res, 0), r);
  return CgVal{B_.CreateExtractValue(res, 1), B_.CreateExtractValue(res, 2), {}, {}, nullptr};
}

// a ± b, exact and inline in two cases: equal denominators (add the numerators, unless that
// overflows), or all four parts within 64 bits (ad ± cb over bd: products below 2^126, their
// sum below 2^127). Results are not reduced; that is left to the runtime and to reading back.
CgVal Lowerer::DecAddSub(const CgVal& x, const CgVal& y, bool sub, SourceRange r) {
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
CgVal Lowerer::DecMul(const CgVal& x, const CgVal& y, SourceRange r) {
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
CgVal Lowerer::DecDiv(const CgVal& x, const CgVal& y, SourceRange r) {
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
llvm::Value* Lowerer::DecCmp(const CgVal& x, const CgVal& y) {
  if (compact_ && !spec_) return B_.CreateExtractValue(SharedDecCall(Op::Lt, x, y), 0);
  if (spec_) {
    auto three = [&](llvm::Value* l, llvm::Value* rr) {
      return B_.CreateSub(B_.CreateZExt(B_.CreateICmpSGT(l, rr), I32()), B_.CreateZExt(B_.CreateICmpSLT(l, rr), I32()));
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

CgVal Lowerer::DecNeg(const CgVal& x, SourceRange r) {
  auto* min = C128(rt::i128(rt::u128(1) << 127));
  auto* ok = B_.CreateICmpNE(x.a, min);
  return DecJoin(ok, B_.CreateNeg(x.a), x.b, [&] { return DecCall(Abi::edict_rt_dec_neg, x, nullptr, r); });
}

// Rounding to an integer: exact and inline when the denominator is 1.
llvm::Value* Lowerer::DecRound(const CgVal& x, int32_t mode, SourceRange r) {
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

}  // namespace edict::lower
