// Lowering: expressions. Integers, equality, sets, conditions and their trace atoms, `if`, references
// to constants, calls of decisions and the built-in functions.
#include "compiler/lower/lowerer.h"

#include <algorithm>
#include <vector>

#include "runtime/abi.h"

namespace edict::lower {

llvm::Value* Lowerer::IntOp(llvm::Intrinsic::ID id, llvm::Value* a, llvm::Value* b, SourceRange r) {
  auto* res = B_.CreateBinaryIntrinsic(id, a, b);
  FailIf(B_.CreateExtractValue(res, 1), rt::RtErrorKind::Overflow, r);
  return B_.CreateExtractValue(res, 0);
}

llvm::Value* Lowerer::Eq(TypeId t, const CgVal& x, const CgVal& y) {
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
    case TypeKind::Sum: {
      // The same member, and, for a member that carries a value, equal values.
      const auto& en = m_.types.enums[ti.ref];
      llvm::Value* same_tag = B_.CreateICmpEQ(x.a, y.a);
      auto* pre = B_.GetInsertBlock();
      auto* check = NewBlock("sum_eq");
      auto* join = NewBlock("sum_eq_join");
      B_.CreateCondBr(same_tag, check, join);
      B_.SetInsertPoint(check);
      auto* sw = B_.CreateSwitch(x.a, join);
      std::vector<std::pair<llvm::BasicBlock*, llvm::Value*>> in{{pre, B_.getFalse()}, {check, B_.getTrue()}};
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        auto* bb = NewBlock("sum_eq_member");
        sw->addCase(B_.getInt32(k), bb);
        B_.SetInsertPoint(bb);
        llvm::Value* same = Eq(en.payloads[k], x.fields[k], y.fields[k]);
        in.push_back({B_.GetInsertBlock(), same});
        B_.CreateBr(join);
      }
      B_.SetInsertPoint(join);
      auto* phi = B_.CreatePHI(I1(), unsigned(in.size()));
      for (auto& [bb, v] : in) phi->addIncoming(v, bb);
      return phi;
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

llvm::Value* Lowerer::SetHas(const CgVal& set, llvm::Value* index) {
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

CgVal Lowerer::Expr(ExprId id) {
  if (id != root_ && IsCut(id)) return CallPiece(id, nullptr);
  const ir::Expr& e = m_.exprs[id];
  const SourceRange r = e.range;
  auto bin = [&]() {
    CgVal a = Expr(e.a);
    CgVal b = Expr(e.b);
    return std::pair<CgVal, CgVal>{a, b};
  };
  auto order = [&]() {  // the comparison of two ordered operands: an i32 < 0, 0 or > 0
    auto [a, b] = bin();
    return Compare(m_.exprs[e.a].type, a, b, r);
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
    case Op::ListLit: return ListLiteral(e, false);
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
    case Op::IntMod: {
      // rt::IntMod, the Euclidean remainder: b == 0 is division_by_zero; b == -1 gives 0 (srem
      // of INT64_MIN by -1 is undefined); a negative truncated remainder r becomes r + |b|, in
      // wrapping arithmetic (right for b == INT64_MIN too). Speculative code goes on after a
      // failed check (it bails at the end), so the srem never sees 0 or -1: it divides by 1.
      auto [a, b] = bin();
      llvm::Value* zero = B_.CreateICmpEQ(b.a, C64(0));
      FailIf(zero, rt::RtErrorKind::DivisionByZero, r);
      llvm::Value* by_one = B_.CreateOr(zero, B_.CreateICmpEQ(b.a, C64(-1)));
      llvm::Value* rem = B_.CreateSRem(a.a, B_.CreateSelect(by_one, C64(1), b.a));
      llvm::Value* abs_b = B_.CreateSelect(B_.CreateICmpSLT(b.a, C64(0)), B_.CreateSub(C64(0), b.a), b.a);
      return scalar(B_.CreateSelect(B_.CreateICmpSLT(rem, C64(0)), B_.CreateAdd(rem, abs_b), rem));
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
    case Op::Lt: return scalar(B_.CreateICmpSLT(order(), C32(0)));
    case Op::Le: return scalar(B_.CreateICmpSLE(order(), C32(0)));
    case Op::Gt: return scalar(B_.CreateICmpSGT(order(), C32(0)));
    case Op::Ge: return scalar(B_.CreateICmpSGE(order(), C32(0)));
    case Op::SetHas: {
      CgVal x = Expr(e.a);
      CgVal s = Expr(e.b);
      return scalar(SetHas(s, x.a));
    }
    case Op::ListHas: {
      CgVal x = Expr(e.a);
      CgVal l = ConsumedList(e.b);
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
    case Op::SumLit: {
      CgVal v = Undef(e.type);
      v.a = C32(e.b);
      return v;
    }
    case Op::SumMake: {
      CgVal x = Expr(e.a);
      CgVal v = Undef(e.type);
      v.a = C32(e.b);
      v.fields[e.b] = x;
      return v;
    }
    case Op::Match: return MatchExpr(e);
    case Op::ListIndex: return ListIndex(e);
    case Op::ListMap:
    case Op::ListFilter: return ListMapFilter(e);
    case Op::ListMin:
    case Op::ListMax: return ListMinMax(e);
    case Op::ListArgMin:
    case Op::ListArgMax: return ListArg(e);
    case Op::ListSort: return ListSort(e);
    case Op::Exists:
    case Op::Forall: {
      CgVal l = ConsumedList(e.b);
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
llvm::Value* Lowerer::ListAny(const CgVal& list, TypeId et, Pred pred, bool exists_mode) {
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

llvm::Value* Lowerer::Compare(TypeId t, const CgVal& a, const CgVal& b, SourceRange r) {
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
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Text:
    case TypeKind::Enum:
    case TypeKind::Set:
    case TypeKind::Record:
    case TypeKind::List:
    case TypeKind::Sum: return C32(0);
  }
  return C32(0);
}

// `and`/`or` with short-circuit; records atoms in the trace when asked (atoms != null).
llvm::Value* Lowerer::ShortCircuit(const ir::Expr& e, std::vector<ExprId>* atoms) {
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
llvm::Value* Lowerer::Condition(ExprId id, std::vector<ExprId>* atoms) {
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
void Lowerer::TraceStore(uint32_t slot, llvm::Value* byte) {
  auto* store = NewBlock("trace");
  auto* after = NewBlock("traced");
  B_.CreateCondBr(B_.CreateIsNotNull(trace_), store, after);
  B_.SetInsertPoint(store);
  B_.CreateStore(byte, At(trace_, slot));
  B_.CreateBr(after);
  B_.SetInsertPoint(after);
}

CgVal Lowerer::Select(llvm::Value* c, const CgVal& a, const CgVal& b) {
  CgVal out;
  if (a.a) out.a = B_.CreateSelect(c, a.a, b.a);
  if (a.b) out.b = B_.CreateSelect(c, a.b, b.b);
  for (size_t w = 0; w < a.words.size(); ++w) out.words.push_back(B_.CreateSelect(c, a.words[w], b.words[w]));
  for (size_t f = 0; f < a.fields.size(); ++f) out.fields.push_back(Select(c, a.fields[f], b.fields[f]));
  return out;
}

CgVal Lowerer::IfExpr(const ir::Expr& e) {
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

// `match`: a switch on the member, one block per arm (the slot of the arm bound to its member's
// value), and the arms' values joined by phis. Only the arm taken is evaluated, as in the
// interpreter (an arm's error is raised only when its member is matched).
CgVal Lowerer::MatchExpr(const ir::Expr& e) {
  ir::MatchArms arms{m_, e};
  CgVal x = Expr(e.a);
  std::vector<llvm::BasicBlock*> blocks;
  for (uint32_t i = 0; i < arms.count(); ++i) blocks.push_back(NewBlock("match_arm"));
  auto* join = NewBlock("match_join");
  // A member index out of range (only a caller breaking the ABI could pass one) takes the last arm.
  auto* sw = B_.CreateSwitch(x.a, blocks.back(), arms.members());
  for (uint32_t k = 0; k < arms.members(); ++k) sw->addCase(B_.getInt32(k), blocks[arms.arm_of(k)]);
  std::vector<std::pair<llvm::BasicBlock*, CgVal>> in;
  for (uint32_t i = 0; i < arms.count(); ++i) {
    B_.SetInsertPoint(blocks[i]);
    if (arms.slot(i) != ir::kNoSlot)
      for (uint32_t k = 0; k < arms.members(); ++k)
        if (arms.arm_of(k) == i) slots_[arms.slot(i)] = x.fields[k];
    CgVal v = Expr(arms.value(i));
    in.push_back({B_.GetInsertBlock(), v});
    B_.CreateBr(join);
  }
  B_.SetInsertPoint(join);
  return Phi(e.type, in);
}

CgVal Lowerer::ConstRef(uint32_t c, SourceRange r) {
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

CgVal Lowerer::Undef(TypeId t) {
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
    case TypeKind::Sum: {
      const auto& en = m_.types.enums[ti.ref];
      v.a = C32(0);
      v.fields.resize(en.members.size());
      for (uint32_t k = 0; k < en.members.size(); ++k)
        if (en.HasPayload(k)) v.fields[k] = Undef(en.payloads[k]);
      break;
    }
  }
  return v;
}

// A call of a decision; one that shares the caller's scope frame (ir::Decision::scope) computes
// the callee into the frame the first time, by its `_framed` function, and reads it from there.
CgVal Lowerer::CallDecision(const ir::Expr& e) {
  const ir::Decision& callee = m_.decisions[e.a];
  auto* null = llvm::ConstantPointerNull::get(B_.getPtrTy());
  bool shared = e.c == 1 && scope_ && Framed(e.a);
  llvm::BasicBlock* have = nullptr;
  llvm::Value *flag = nullptr, *out = nullptr;
  if (shared) {
    flag = At(scope_, frame_flag_[e.a]);
    out = At(scope_, frame_value_[e.a]);
    auto* compute = NewBlock("frame_compute");
    have = NewBlock("frame_have");
    B_.CreateCondBr(B_.CreateICmpNE(B_.CreateLoad(I8(), flag), B_.getInt8(0)), have, compute);
    B_.SetInsertPoint(compute);
  }
  std::vector<TypeId> ptypes;
  for (const auto& p : callee.params) ptypes.push_back(p.type);
  rt::TypeLayout pl = L_.Struct(ptypes);
  std::vector<CgVal> args;
  for (size_t i = 0; i < callee.params.size(); ++i) args.push_back(Expr(m_.extra[e.b + i]));
  auto* in = EntryAlloca(pl.size, pl.align);
  for (size_t i = 0; i < args.size(); ++i) StoreFlat(ptypes[i], args[i], At(in, pl.field_offsets[i]));
  // Speculative code after a failed check (an argument's own call, say): the arguments may be
  // undefined (a list's length, a boxed decimal's pointer), and the callee would read them. The
  // call is skipped (a shared one leaves its frame unset), and the general function decides
  // after the bail.
  llvm::BasicBlock *skipped = nullptr, *join = nullptr;
  if (spec_ && bail_) {
    auto* run = NewBlock("call_run");
    join = shared ? have : NewBlock("call_done");
    skipped = B_.GetInsertBlock();
    B_.CreateCondBr(B_.CreateLoad(I1(), bail_), join, run, Unlikely());
    B_.SetInsertPoint(run);
  }
  if (!shared) {
    const auto& ol = L_.of(callee.result);
    out = EntryAlloca(ol.size, ol.align);
    PropagateStatus(B_.CreateCall(fast_fns_[e.a], {in, out, err_, null}));
    CgVal v = LoadFlat(callee.result, out);
    if (!join) return v;
    auto* end = B_.GetInsertBlock();
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    return Phi(callee.result, {{skipped, Undef(callee.result)}, {end, v}});
  }
  auto* status = B_.CreateCall(framed_fns_[e.a], {in, out, err_, null, scope_});
  B_.CreateStore(B_.CreateZExt(B_.CreateICmpEQ(status, C32(0)), I8()), flag);
  PropagateStatus(status);
  B_.CreateBr(have);
  B_.SetInsertPoint(have);
  return LoadFlat(callee.result, out);
}

CgVal Lowerer::Builtin(const ir::Expr& e) {
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
      // The rule of rt::DurationDays, inline: a duration with months has no number of days.
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
      CgVal x = ConsumedList(args[0]);
      if (m_.types.kind(m_.exprs[args[0]].type) == TypeKind::List) return scalar(x.b);
      llvm::Value* n = C64(0);
      for (auto* w : x.words) n = B_.CreateAdd(n, B_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, w));
      return scalar(n);
    }
    case BI::Sum: {
      CgVal l = ConsumedList(args[0]);
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

}  // namespace edict::lower
