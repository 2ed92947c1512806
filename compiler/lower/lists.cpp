// Lowering: operations over lists. Lists the code builds (`[... for ...]`, `where`, `sort`, list
// literals) live in the runtime's list memory (edict_rt_list_alloc), which stays valid until the
// next call of a decision on the thread, so a list may be a let, a helper's result or an outcome.
// Every operation is one pass over its list, but `sort` (n log n, in the runtime).
#include <algorithm>

#include "compiler/lower/lowerer.h"
#include "runtime/abi.h"

namespace edict::lower {

llvm::Value* Lowerer::ListAlloc(llvm::Value* bytes) { return CallAbi(Abi::edict_rt_list_alloc, {bytes}); }

// A list literal: its elements in order, in list memory, since the list may outlive this function
// (an outcome, a let, an argument), or, `on_stack`, in this function's frame when the operation
// that reads it keeps nothing of it but copies of elements (`x in [a, b]`).
CgVal Lowerer::ListLiteral(const ir::Expr& e, bool on_stack) {
  TypeId et = m_.types.info(e.type).ref;
  const auto& el = L_.of(et);
  std::vector<CgVal> elems;
  for (uint32_t i = 0; i < e.b; ++i) elems.push_back(Expr(m_.extra[e.a + i]));
  const uint64_t bytes = uint64_t(el.size) * std::max<uint32_t>(e.b, 1);
  llvm::Value* arr = on_stack ? EntryAlloca(bytes, el.align) : ListAlloc(C64(int64_t(bytes)));
  for (uint32_t i = 0; i < e.b; ++i) StoreFlat(et, elems[i], At(arr, uint64_t(i) * el.size));
  CgVal list;
  list.a = arr;
  list.b = C64(e.b);
  return list;
}

// The list an operation reads without keeping it (it keeps copies of elements at most). In
// speculative code, a check that failed before (a call that failed, an overflow) leaves values
// undefined, a list among them: its length then reads as 0, so that no operation allocates or
// walks memory by a length that is not one (the general function decides after the bail).
CgVal Lowerer::ConsumedList(ExprId id) {
  const ir::Expr& e = m_.exprs[id];
  if (e.op == Op::ListLit) return ListLiteral(e, true);
  CgVal l = Expr(id);
  // (`count` reads a set here too: its words, no length.)
  if (spec_ && bail_ && m_.types.kind(e.type) == TypeKind::List)
    l.b = B_.CreateSelect(B_.CreateLoad(I1(), bail_), C64(0), l.b);
  return l;
}

void Lowerer::EachIndex(llvm::Value* n, const std::function<void(llvm::Value*)>& body) {
  auto* pre = B_.GetInsertBlock();
  auto* head = NewBlock("each_head");
  auto* bb = NewBlock("each_body");
  auto* exit = NewBlock("each_exit");
  B_.CreateBr(head);
  B_.SetInsertPoint(head);
  auto* i = B_.CreatePHI(I64(), 2);
  i->addIncoming(C64(0), pre);
  B_.CreateCondBr(B_.CreateICmpSLT(i, n), bb, exit);
  B_.SetInsertPoint(bb);
  body(i);
  i->addIncoming(B_.CreateAdd(i, C64(1)), B_.GetInsertBlock());
  B_.CreateBr(head);
  B_.SetInsertPoint(exit);
}

// The value of type t at p when `ok` holds, else a placeholder: speculative code goes on after a
// failed check (it bails at the end), and must not read outside a list then.
CgVal Lowerer::GuardedLoad(llvm::Value* ok, TypeId t, llvm::Value* p) {
  CgVal none = Undef(t);
  auto* pre = B_.GetInsertBlock();
  auto* load = NewBlock("list_load");
  auto* join = NewBlock("list_loaded");
  B_.CreateCondBr(ok, load, join);
  B_.SetInsertPoint(load);
  CgVal v = LoadFlat(t, p);
  auto* end = B_.GetInsertBlock();
  B_.CreateBr(join);
  B_.SetInsertPoint(join);
  return Phi(t, {{pre, none}, {end, v}});
}

// A key (integer, decimal or date) kept in memory across the iterations of a loop: decimals in
// full (edict_decimal), so no box is needed.
llvm::Value* Lowerer::KeySlot(TypeId t) {
  auto* p = EntryAlloca(32, 16);
  StoreKey(t, Undef(t), p);
  return p;
}
void Lowerer::StoreKey(TypeId t, const CgVal& v, llvm::Value* p) {
  if (m_.types.kind(t) == TypeKind::Decimal)
    StoreDec(v, p);
  else
    StoreFlat(t, v, p);
}
CgVal Lowerer::LoadKey(TypeId t, llvm::Value* p) {
  return m_.types.kind(t) == TypeKind::Decimal ? LoadDec(p) : LoadFlat(t, p);
}

llvm::Value* Lowerer::ListElement(const CgVal& list, TypeId et, llvm::Value* i) {
  return B_.CreateInBoundsGEP(I8(), list.a, B_.CreateMul(i, C64(L_.of(et).size)));
}

CgVal Lowerer::ListIndex(const ir::Expr& e) {
  CgVal l = ConsumedList(e.a);
  CgVal i = Expr(e.b);
  llvm::Value* ok = B_.CreateAnd(B_.CreateICmpSGE(i.a, C64(0)), B_.CreateICmpSLT(i.a, l.b));
  FailIf(B_.CreateNot(ok), rt::RtErrorKind::IndexOutOfRange, e.range);
  return GuardedLoad(ok, e.type, ListElement(l, e.type, i.a));
}

CgVal Lowerer::ListMapFilter(const ir::Expr& e) {
  // map: one value per element, stored in order; filter: the elements kept, copied in order.
  CgVal l = ConsumedList(e.b);
  const TypeId et = m_.types.info(m_.exprs[e.b].type).ref;
  const TypeId ot = m_.types.info(e.type).ref;
  const auto& ol = L_.of(ot);
  llvm::Value* out = ListAlloc(B_.CreateMul(l.b, C64(ol.size)));
  auto* kept = EntryAlloca(8, 8);
  B_.CreateStore(C64(0), kept);
  const uint32_t slot = e.a;
  EachIndex(l.b, [&](llvm::Value* i) {
    llvm::Value* at = ListElement(l, et, i);
    slots_[slot] = LoadFlat(et, at);
    if (e.op == Op::ListMap) {
      StoreFlat(ot, Expr(e.c), B_.CreateInBoundsGEP(I8(), out, B_.CreateMul(i, C64(ol.size))));
      return;
    }
    llvm::Value* keep = Condition(e.c, nullptr);
    auto* copy = NewBlock("filter_keep");
    auto* next = NewBlock("filter_next");
    B_.CreateCondBr(keep, copy, next);
    B_.SetInsertPoint(copy);
    llvm::Value* k = B_.CreateLoad(I64(), kept);
    B_.CreateMemCpy(B_.CreateInBoundsGEP(I8(), out, B_.CreateMul(k, C64(ol.size))), llvm::MaybeAlign(ol.align), at,
                    llvm::MaybeAlign(ol.align), ol.size);
    B_.CreateStore(B_.CreateAdd(k, C64(1)), kept);
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
  });
  CgVal res;
  res.a = out;
  res.b = e.op == Op::ListMap ? l.b : B_.CreateLoad(I64(), kept);
  return res;
}

CgVal Lowerer::ListMinMax(const ir::Expr& e) {
  CgVal l = ConsumedList(e.a);
  FailIf(B_.CreateICmpEQ(l.b, C64(0)), rt::RtErrorKind::EmptyList, e.range);
  llvm::Value* best = KeySlot(e.type);
  EachIndex(l.b, [&](llvm::Value* i) {
    CgVal x = LoadFlat(e.type, ListElement(l, e.type, i));
    llvm::Value* c = Compare(e.type, x, LoadKey(e.type, best), e.range);
    llvm::Value* better = e.op == Op::ListMin ? B_.CreateICmpSLT(c, C32(0)) : B_.CreateICmpSGT(c, C32(0));
    auto* take = NewBlock("best_take");
    auto* next = NewBlock("best_next");
    B_.CreateCondBr(B_.CreateOr(B_.CreateICmpEQ(i, C64(0)), better), take, next);
    B_.SetInsertPoint(take);
    StoreKey(e.type, x, best);
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
  });
  return LoadKey(e.type, best);
}

CgVal Lowerer::ListArg(const ir::Expr& e) {
  // Each element's key in order; the first element of least (greatest) key.
  CgVal l = ConsumedList(e.b);
  const TypeId et = e.type;
  const TypeId kt = m_.exprs[e.c].type;
  FailIf(B_.CreateICmpEQ(l.b, C64(0)), rt::RtErrorKind::EmptyList, e.range);
  llvm::Value* best = KeySlot(kt);
  auto* best_i = EntryAlloca(8, 8);
  B_.CreateStore(C64(0), best_i);
  const uint32_t slot = e.a;
  EachIndex(l.b, [&](llvm::Value* i) {
    slots_[slot] = LoadFlat(et, ListElement(l, et, i));
    CgVal k = Expr(e.c);
    llvm::Value* c = Compare(kt, k, LoadKey(kt, best), e.range);
    llvm::Value* better = e.op == Op::ListArgMin ? B_.CreateICmpSLT(c, C32(0)) : B_.CreateICmpSGT(c, C32(0));
    auto* take = NewBlock("best_take");
    auto* next = NewBlock("best_next");
    B_.CreateCondBr(B_.CreateOr(B_.CreateICmpEQ(i, C64(0)), better), take, next);
    B_.SetInsertPoint(take);
    StoreKey(kt, k, best);
    B_.CreateStore(i, best_i);
    B_.CreateBr(next);
    B_.SetInsertPoint(next);
  });
  return GuardedLoad(B_.CreateICmpSGT(l.b, C64(0)), et, ListElement(l, et, B_.CreateLoad(I64(), best_i)));
}

CgVal Lowerer::ListSort(const ir::Expr& e) {
  // Each element's key in order into an array (int64_t, or edict_decimal), their stable
  // order from the runtime, then the elements copied in that order.
  CgVal l = ConsumedList(e.b);
  const TypeId et = m_.types.info(e.type).ref;
  const TypeId kt = m_.exprs[e.c].type;
  const bool dec = m_.types.kind(kt) == TypeKind::Decimal;
  const uint64_t ksize = dec ? 32 : 8;
  const auto& el = L_.of(et);
  llvm::Value* keys = ListAlloc(B_.CreateMul(l.b, C64(int64_t(ksize))));
  const uint32_t slot = e.a;
  EachIndex(l.b, [&](llvm::Value* i) {
    slots_[slot] = LoadFlat(et, ListElement(l, et, i));
    CgVal k = Expr(e.c);
    llvm::Value* at = B_.CreateInBoundsGEP(I8(), keys, B_.CreateMul(i, C64(int64_t(ksize))));
    if (dec)
      StoreDec(k, at);
    else
      B_.CreateStore(m_.types.kind(kt) == TypeKind::Date ? B_.CreateSExt(k.a, I64()) : k.a, at);
  });
  llvm::Value* order = ListAlloc(B_.CreateMul(l.b, C64(8)));
  CallAbi(Abi::edict_rt_sort_order, {keys, l.b, C32(dec ? EDICT_KEYS_DECIMAL : EDICT_KEYS_INT64), order});
  llvm::Value* out = ListAlloc(B_.CreateMul(l.b, C64(el.size)));
  EachIndex(l.b, [&](llvm::Value* j) {
    llvm::Value* from = B_.CreateLoad(I64(), B_.CreateInBoundsGEP(I64(), order, j));
    B_.CreateMemCpy(B_.CreateInBoundsGEP(I8(), out, B_.CreateMul(j, C64(el.size))), llvm::MaybeAlign(el.align),
                    ListElement(l, et, from), llvm::MaybeAlign(el.align), el.size);
  });
  CgVal res;
  res.a = out;
  res.b = l.b;
  return res;
}

}  // namespace edict::lower
