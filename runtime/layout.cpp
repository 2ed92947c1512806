#include "runtime/layout.h"

#include <cstring>
#include <functional>

namespace edict::rt {

namespace {
uint32_t AlignUp(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
}  // namespace

Layouts::Layouts(const TypeTable& types) : layouts_(types.type_count()) {
  // Records may contain records declared later: compute on demand with memoisation.
  std::vector<bool> done(types.type_count(), false);
  std::function<const TypeLayout&(TypeId)> get = [&](TypeId t) -> const TypeLayout& {
    if (done[t]) return layouts_[t];
    TypeLayout l;
    const TypeInfo& ti = types.info(t);
    switch (ti.kind) {
      case TypeKind::Error: l = {0, 1, {}, 0, {}, 0}; break;
      case TypeKind::Bool: l = {1, 1, {}, 0, {}, 0}; break;
      case TypeKind::Integer: l = {8, 8, {}, 0, {}, 0}; break;
      case TypeKind::Decimal: l = {16, 8, {}, 0, {}, 0}; break;
      case TypeKind::Date: l = {4, 4, {}, 0, {}, 0}; break;
      case TypeKind::Duration: l = {16, 8, {}, 0, {}, 0}; break;
      case TypeKind::Text: l = {16, 8, {}, 0, {}, 0}; break;
      case TypeKind::Enum: l = {4, 4, {}, 0, {}, 0}; break;
      case TypeKind::Set: {
        uint32_t words = uint32_t((types.enums[ti.ref].members.size() + 63) / 64);
        if (words == 0) words = 1;
        l = {8 * words, 8, {}, words, {}, 0};
        break;
      }
      case TypeKind::List: l = {16, 8, {}, 0, {}, 0}; break;
      case TypeKind::Record: {
        uint32_t off = 0, align = 1;
        for (const FieldInfo& f : types.records[ti.ref].fields) {
          const TypeLayout& fl = get(f.type);
          off = AlignUp(off, fl.align);
          l.field_offsets.push_back(off);
          l.field_scales.push_back(types.kind(f.type) == TypeKind::Decimal ? CanonicalScale(f.bounds) : 0);
          off += fl.size;
          align = std::max(align, fl.align);
        }
        l.size = AlignUp(std::max<uint32_t>(off, 1), align);
        l.align = align;
        break;
      }
      case TypeKind::Sum: {
        uint32_t size = 0, align = 4;
        for (TypeId p : types.enums[ti.ref].payloads) {
          if (p == kNoPayload) continue;
          const TypeLayout& pl = get(p);
          size = std::max(size, pl.size);
          align = std::max(align, pl.align);
        }
        l.payload_offset = AlignUp(4, align);
        l.size = AlignUp(l.payload_offset + size, align);
        l.align = align;
        break;
      }
    }
    layouts_[t] = std::move(l);
    done[t] = true;
    return layouts_[t];
  };
  for (TypeId t = 0; t < types.type_count(); ++t) get(t);
}

TypeLayout Layouts::Struct(const std::vector<TypeId>& members) const {
  TypeLayout l;
  uint32_t off = 0, align = 1;
  for (TypeId t : members) {
    off = AlignUp(off, layouts_[t].align);
    l.field_offsets.push_back(off);
    off += layouts_[t].size;
    align = std::max(align, layouts_[t].align);
  }
  l.size = AlignUp(std::max<uint32_t>(off, 1), align);
  l.align = align;
  return l;
}

void* Arena::Allocate(size_t bytes, size_t align) {
  auto block = std::make_unique<uint8_t[]>(bytes + align);
  uintptr_t p = reinterpret_cast<uintptr_t>(block.get());
  p = (p + align - 1) / align * align;
  blocks_.push_back(std::move(block));
  return reinterpret_cast<void*>(p);
}

const char* Arena::CopyText(const std::string& s) {
  char* p = static_cast<char*>(Allocate(s.size() + 1, 1));
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = 0;
  return p;
}

int64_t CanonicalScale(const std::vector<FieldBound>& bounds) {
  bool below = false, above = false;
  Decimal magnitude = Decimal::FromInt(0);
  for (const FieldBound& b : bounds) {
    bool upper = b.cmp == BoundCmp::Lt || b.cmp == BoundCmp::Le;
    (upper ? above : below) = true;
    Decimal m = b.number;
    if (m.Sign() < 0) Decimal::Neg(m, &m);
    if (Decimal::Compare(m, magnitude) > 0) magnitude = m;
  }
  if (!below || !above) return kFlatDecimalScale;
  for (int64_t scale = kFlatDecimalScale; scale >= 1; scale /= 10) {
    Decimal scaled;
    if (Decimal::Mul(magnitude, Decimal::FromInt(scale), &scaled) &&
        Decimal::Compare(scaled, Decimal::FromInt(INT64_MAX)) <= 0)
      return scale;
  }
  return 0;
}

bool ScaleToFlat(int64_t num, int64_t den, int64_t scale, int64_t* scaled) {
  if (scale <= 0) return false;
  // A literal's den is 10^digits: drop trailing zero digits beyond the scale (4800.0000000).
  while (den > scale && den % 10 == 0 && num % 10 == 0) {
    num /= 10;
    den /= 10;
  }
  if (den <= 0 || scale % den != 0) return false;
  return !__builtin_mul_overflow(num, scale / den, scaled);
}

void WriteDecimalFlat(const Decimal& d, uint8_t* dst, Arena& arena, int64_t scale) {
  i128 n = d.num(), q = d.den();
  if (n >= INT64_MIN && n <= INT64_MAX && q <= INT64_MAX) {
    int64_t n64 = int64_t(n), q64 = int64_t(q);
    if (int64_t scaled; ScaleToFlat(n64, q64, scale, &scaled)) {
      n64 = scaled;
      q64 = scale;
    }
    std::memcpy(dst, &n64, 8);
    std::memcpy(dst + 8, &q64, 8);
    return;
  }
  auto* box = static_cast<i128*>(arena.Allocate(32, 16));
  box[0] = n;
  box[1] = q;
  int64_t zero = 0;
  std::memcpy(dst, &box, 8);
  std::memcpy(dst + 8, &zero, 8);
}

void WriteFlat(const Value& v, TypeId t, const TypeTable& types, const Layouts& layouts, uint8_t* dst, Arena& arena) {
  const TypeInfo& ti = types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: return;
    case TypeKind::Bool: *dst = v.AsBool() ? 1 : 0; return;
    case TypeKind::Integer: {
      int64_t x = v.AsInt();
      std::memcpy(dst, &x, 8);
      return;
    }
    case TypeKind::Decimal: WriteDecimalFlat(v.AsDec(), dst, arena); return;
    case TypeKind::Date: {
      int32_t x = v.AsDate().days;
      std::memcpy(dst, &x, 4);
      return;
    }
    case TypeKind::Duration: {
      const Duration& d = v.AsDur();
      std::memcpy(dst, &d.months, 8);
      std::memcpy(dst + 8, &d.days, 8);
      return;
    }
    case TypeKind::Text: {
      const char* p = arena.CopyText(v.AsText());
      int64_t len = int64_t(v.AsText().size());
      std::memcpy(dst, &p, 8);
      std::memcpy(dst + 8, &len, 8);
      return;
    }
    case TypeKind::Enum: {
      int32_t x = int32_t(v.AsEnum().index);
      std::memcpy(dst, &x, 4);
      return;
    }
    case TypeKind::Set: {
      const auto& bits = *v.AsSet().bits;
      std::memset(dst, 0, layouts.of(t).size);
      std::memcpy(dst, bits.data(), std::min<size_t>(bits.size() * 8, layouts.of(t).size));
      return;
    }
    case TypeKind::List: {
      const auto& elems = *v.AsList().elems;
      const TypeLayout& el = layouts.of(ti.ref);
      uint8_t* arr = static_cast<uint8_t*>(arena.Allocate(std::max<size_t>(1, el.size * elems.size()), el.align));
      for (size_t i = 0; i < elems.size(); ++i) WriteFlat(elems[i], ti.ref, types, layouts, arr + i * el.size, arena);
      int64_t count = int64_t(elems.size());
      std::memcpy(dst, &arr, 8);
      std::memcpy(dst + 8, &count, 8);
      return;
    }
    case TypeKind::Record: {
      const RecordInfo& r = types.records[ti.ref];
      const TypeLayout& l = layouts.of(t);
      const auto& fs = *v.AsRecord().fields;
      for (size_t i = 0; i < r.fields.size(); ++i) {
        if (types.kind(r.fields[i].type) == TypeKind::Decimal)
          WriteDecimalFlat(fs[i].AsDec(), dst + l.field_offsets[i], arena, l.field_scales[i]);
        else
          WriteFlat(fs[i], r.fields[i].type, types, layouts, dst + l.field_offsets[i], arena);
      }
      return;
    }
    case TypeKind::Sum: {
      const EnumInfo& e = types.enums[ti.ref];
      const SumValue& s = v.AsSum();
      const TypeLayout& l = layouts.of(t);
      std::memset(dst, 0, l.size);
      int32_t x = int32_t(s.index);
      std::memcpy(dst, &x, 4);
      if (s.payload) WriteFlat(*s.payload, e.payloads[s.index], types, layouts, dst + l.payload_offset, arena);
      return;
    }
  }
}

Value ReadFlat(const uint8_t* src, TypeId t, const TypeTable& types, const Layouts& layouts) {
  const TypeInfo& ti = types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: return Value{};
    case TypeKind::Bool: return *src != 0;
    case TypeKind::Integer: {
      int64_t x;
      std::memcpy(&x, src, 8);
      return x;
    }
    case TypeKind::Decimal: {
      int64_t n64, d64;
      std::memcpy(&n64, src, 8);
      std::memcpy(&d64, src + 8, 8);
      i128 n = n64, d = d64;
      if (d64 == 0) {  // boxed
        const i128* box;
        std::memcpy(&box, src, 8);
        n = box[0];
        d = box[1];
      }
      Decimal out;
      Decimal::FromRatio(n, d, &out);
      return out;
    }
    case TypeKind::Date: {
      int32_t x;
      std::memcpy(&x, src, 4);
      return Date{x};
    }
    case TypeKind::Duration: {
      Duration d;
      std::memcpy(&d.months, src, 8);
      std::memcpy(&d.days, src + 8, 8);
      return d;
    }
    case TypeKind::Text: {
      const char* p;
      int64_t len;
      std::memcpy(&p, src, 8);
      std::memcpy(&len, src + 8, 8);
      return MakeText(std::string(p, size_t(len)));
    }
    case TypeKind::Enum: {
      int32_t x;
      std::memcpy(&x, src, 4);
      return EnumValue{ti.ref, uint32_t(x)};
    }
    case TypeKind::Set: {
      std::vector<uint64_t> bits(layouts.of(t).words);
      std::memcpy(bits.data(), src, bits.size() * 8);
      return MakeSetFromBits(ti.ref, std::move(bits));
    }
    case TypeKind::List: {
      const uint8_t* arr;
      int64_t count;
      std::memcpy(&arr, src, 8);
      std::memcpy(&count, src + 8, 8);
      const TypeLayout& el = layouts.of(ti.ref);
      std::vector<Value> elems;
      for (int64_t i = 0; i < count; ++i) elems.push_back(ReadFlat(arr + i * el.size, ti.ref, types, layouts));
      return MakeList(std::move(elems));
    }
    case TypeKind::Record: {
      const RecordInfo& r = types.records[ti.ref];
      const TypeLayout& l = layouts.of(t);
      std::vector<Value> fs;
      for (size_t i = 0; i < r.fields.size(); ++i)
        fs.push_back(ReadFlat(src + l.field_offsets[i], r.fields[i].type, types, layouts));
      return MakeRecord(ti.ref, std::move(fs));
    }
    case TypeKind::Sum: {
      const EnumInfo& e = types.enums[ti.ref];
      int32_t x;
      std::memcpy(&x, src, 4);
      uint32_t m = uint32_t(x);
      if (!e.HasPayload(m)) return MakeSum(ti.ref, m);
      return MakeSum(ti.ref, m, ReadFlat(src + layouts.of(t).payload_offset, e.payloads[m], types, layouts));
    }
  }
  return Value{};
}

void FlatBytes(const uint8_t* src, TypeId t, const TypeTable& types, const Layouts& layouts, std::string& out) {
  const TypeInfo& ti = types.info(t);
  auto raw = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  switch (ti.kind) {
    case TypeKind::Error: return;
    case TypeKind::Bool: raw(src, 1); return;
    case TypeKind::Integer:
    case TypeKind::Duration: raw(src, layouts.of(t).size); return;
    case TypeKind::Date:
    case TypeKind::Enum: raw(src, 4); return;
    case TypeKind::Decimal: {
      int64_t d64;
      std::memcpy(&d64, src + 8, 8);
      if (d64 != 0) {
        raw(src, 16);
      } else {  // boxed: the value is the pair it points at
        const uint8_t* box;
        std::memcpy(&box, src, 8);
        raw(src + 8, 8);
        raw(box, 32);
      }
      return;
    }
    case TypeKind::Text: {
      const char* p;
      int64_t len;
      std::memcpy(&p, src, 8);
      std::memcpy(&len, src + 8, 8);
      raw(&len, 8);
      raw(p, size_t(len));
      return;
    }
    case TypeKind::Set: raw(src, size_t(layouts.of(t).words) * 8); return;
    case TypeKind::List: {
      const uint8_t* arr;
      int64_t count;
      std::memcpy(&arr, src, 8);
      std::memcpy(&count, src + 8, 8);
      raw(&count, 8);
      const TypeLayout& el = layouts.of(ti.ref);
      for (int64_t i = 0; i < count; ++i) FlatBytes(arr + i * el.size, ti.ref, types, layouts, out);
      return;
    }
    case TypeKind::Record: {
      const RecordInfo& r = types.records[ti.ref];
      const TypeLayout& l = layouts.of(t);
      for (size_t i = 0; i < r.fields.size(); ++i)
        FlatBytes(src + l.field_offsets[i], r.fields[i].type, types, layouts, out);
      return;
    }
    case TypeKind::Sum: {
      raw(src, 4);
      int32_t x;
      std::memcpy(&x, src, 4);
      const EnumInfo& e = types.enums[ti.ref];
      if (e.HasPayload(uint32_t(x)))
        FlatBytes(src + layouts.of(t).payload_offset, e.payloads[uint32_t(x)], types, layouts, out);
      return;
    }
  }
}

}  // namespace edict::rt
