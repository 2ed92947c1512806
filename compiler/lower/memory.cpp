// Lowering: values in memory. Loading and storing values in the flat layout of runtime/layout.h
// (compact and boxed decimals), and values known at compile time (constants, texts).
#include "compiler/lower/lowerer.h"

#include <algorithm>
#include <vector>

#include "runtime/abi.h"

namespace edict::lower {

// `input`: memory an Edict decoder (or a caller following docs/abi.md) wrote, where decimals
// are canonical whenever they can be, over `scale` (a record field's own: rt::CanonicalScale);
// speculative code assumes so (see LoadDecimal).
CgVal Lowerer::LoadFlat(TypeId t, llvm::Value* p, bool input, int64_t scale) {
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
    case TypeKind::Sum: {
      // The member's index, then the value of that member only (the union's other bytes are
      // unspecified): a switch, and a phi of each component.
      const auto& en = m_.types.enums[ti.ref];
      llvm::Value* at = At(p, L_.of(t).payload_offset);
      CgVal base = Undef(t);
      base.a = B_.CreateLoad(I32(), p);
      std::vector<std::pair<llvm::BasicBlock*, CgVal>> in{{B_.GetInsertBlock(), base}};
      auto* join = NewBlock("sum_loaded");
      auto* sw = B_.CreateSwitch(base.a, join);
      for (uint32_t k = 0; k < en.members.size(); ++k) {
        if (!en.HasPayload(k)) continue;
        auto* bb = NewBlock("sum_load");
        sw->addCase(B_.getInt32(k), bb);
        B_.SetInsertPoint(bb);
        CgVal member = base;
        member.fields[k] = LoadFlat(en.payloads[k], at, input);
        in.push_back({B_.GetInsertBlock(), member});
        B_.CreateBr(join);
      }
      B_.SetInsertPoint(join);
      return Phi(t, in);
    }
  }
  return v;
}

void Lowerer::StorePayload(TypeId t, const CgVal& v, llvm::Value* p, bool checked) {
  const auto& en = m_.types.enums[m_.types.info(t).ref];
  llvm::Value* at = At(p, L_.of(t).payload_offset);
  auto* join = NewBlock("sum_stored");
  auto* sw = B_.CreateSwitch(v.a, join);
  for (uint32_t k = 0; k < en.members.size(); ++k) {
    if (!en.HasPayload(k)) continue;
    auto* bb = NewBlock("sum_store");
    sw->addCase(B_.getInt32(k), bb);
    B_.SetInsertPoint(bb);
    if (checked)
      StoreFlatChecked(en.payloads[k], v.fields[k], at);
    else
      StoreFlat(en.payloads[k], v.fields[k], at);
    B_.CreateBr(join);
  }
  B_.SetInsertPoint(join);
}

void Lowerer::StoreFlat(TypeId t, const CgVal& v, llvm::Value* p) {
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
      for (size_t i = 0; i < r.fields.size(); ++i) StoreFlat(r.fields[i].type, v.fields[i], At(p, l.field_offsets[i]));
      break;
    }
    case TypeKind::Sum:
      B_.CreateStore(v.a, p);
      StorePayload(t, v, p, false);
      break;
  }
}

// A decimal in the compact layout: 64-bit parts, or (den = 0) a pointer to 128-bit parts.
// `scale`: the canonical denominator speculative code may assume (bailing out otherwise), or
// 0 for none.
CgVal Lowerer::LoadDecimal(llvm::Value* p, int64_t scale) {
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

llvm::Value* Lowerer::DecimalFits(const CgVal& v) {
  // The denominator is positive; it must also stay below 2^63 to be distinguishable from a box.
  return B_.CreateAnd(FitsI64(v.a), FitsI64(v.b));
}

void Lowerer::StoreDecimal(const CgVal& v, llvm::Value* p) {
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
void Lowerer::BailUnlessStorable(TypeId t, const CgVal& v) {
  if (llvm::Value* c = Unstorable(t, v)) Bail(c);
}

// Whether a value holds a decimal that the compact layout cannot hold (null: it cannot).
llvm::Value* Lowerer::Unstorable(TypeId t, const CgVal& v) {
  const auto& ti = m_.types.info(t);
  llvm::Value* any = nullptr;
  auto add = [&](llvm::Value* c) {
    if (c) any = any ? B_.CreateOr(any, c) : c;
  };
  if (ti.kind == TypeKind::Decimal) add(B_.CreateNot(DecimalFits(v)));
  if (ti.kind == TypeKind::Record) {
    const auto& r = m_.types.records[ti.ref];
    for (size_t i = 0; i < r.fields.size(); ++i) add(Unstorable(r.fields[i].type, v.fields[i]));
  }
  if (ti.kind == TypeKind::Sum) {  // the value of the member held
    const auto& en = m_.types.enums[ti.ref];
    for (uint32_t k = 0; k < en.members.size(); ++k)
      if (en.HasPayload(k))
        if (llvm::Value* c = Unstorable(en.payloads[k], v.fields[k]))
          add(B_.CreateAnd(B_.CreateICmpEQ(v.a, C32(k)), c));
  }
  return any;
}

// A value known at compile time (a constant declaration, evaluated by the interpreter).
CgVal Lowerer::Constant(const rt::Value& v, TypeId t) {
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
    case TypeKind::Sum: {
      const rt::SumValue& s = v.AsSum();
      c = Undef(t);
      c.a = C32(s.index);
      if (s.payload) c.fields[s.index] = Constant(*s.payload, m_.types.enums[ti.ref].payloads[s.index]);
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
      llvm::Value* arr = ListAlloc(C64(int64_t(el.size) * int64_t(std::max<size_t>(elems.size(), 1))));
      for (size_t i = 0; i < elems.size(); ++i) StoreFlat(ti.ref, Constant(elems[i], ti.ref), At(arr, i * el.size));
      c.a = arr;
      c.b = C64(int64_t(elems.size()));
      break;
    }
  }
  return c;
}

// Whether values of type t hold no pointers in the flat layout (texts, lists, boxes).
bool Lowerer::PointerFree(TypeId t) const {
  const auto& ti = m_.types.info(t);
  switch (ti.kind) {
    case TypeKind::Text:
    case TypeKind::List: return false;
    case TypeKind::Record:
      for (const auto& f : m_.types.records[ti.ref].fields)
        if (!PointerFree(f.type)) return false;
      return true;
    case TypeKind::Sum:
      for (TypeId p : m_.types.enums[ti.ref].payloads)
        if (p != rt::kNoPayload && !PointerFree(p)) return false;
      return true;
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Integer:
    case TypeKind::Decimal:
    case TypeKind::Date:
    case TypeKind::Duration:
    case TypeKind::Enum:
    case TypeKind::Set: return true;
  }
  return true;
}

bool Lowerer::HasBoxedDecimal(const rt::Value& v, TypeId t) const {
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
  if (ti.kind == TypeKind::Sum && v.AsSum().payload)
    return HasBoxedDecimal(*v.AsSum().payload, m_.types.enums[ti.ref].payloads[v.AsSum().index]);
  return false;
}

CgVal Lowerer::Text(const std::string& s) {
  CgVal c;
  c.a = B_.CreateGlobalStringPtr(s, "text", 0, &M_);
  c.b = C64(int64_t(s.size()));
  return c;
}

}  // namespace edict::lower
