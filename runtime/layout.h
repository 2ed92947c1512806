// The flat, C-compatible layout of Edict values: how a decision's input and outcome look in
// memory for native code (the JIT, and libraries built with `edict build`). Documented in
// docs/abi.md; `edict build` prints it as C structs.
//
//   bool      uint8_t (0 or 1)            integer  int64_t
//   decimal   {int64_t num; int64_t den} (den > 0, not necessarily reduced); a value whose
//             parts do not fit is boxed: den = 0 and num points to an edict_decimal
//             {__int128 num, den} (runtime/abi.h). Edict writes a value in its canonical form
//             when it can: den = the field's canonical scale (CanonicalScale: 10^6, or less for
//             a field whose declared domain reaches large magnitudes), which native code takes
//             a fast path for; any other den > 0 is read exactly too.
//   date      int32_t days since 1970-01-01  duration {int64_t months, days}
//   text      {const char* ptr; int64_t len}  enum     int32_t member index
//   set       uint64_t words[(members + 63) / 64], bit i = member i
//   list      {const void* elems; int64_t count}, elements in their own layout, stride = size
//   record    a C struct of its fields in declaration order, with natural alignment
//   sum       {int32_t tag; union of the members' values}: the member's index, then the value
//             the member carries (if any) at payload_offset, in its own layout; the bytes of the
//             union beyond the value of the member given are unspecified, and never read
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "runtime/types.h"
#include "runtime/value.h"

namespace edict::rt {

struct TypeLayout {
  uint32_t size = 0;
  uint32_t align = 1;
  std::vector<uint32_t> field_offsets;  // records
  uint32_t words = 0;                   // sets
  std::vector<int64_t> field_scales;    // records: each decimal field's CanonicalScale (0 for others)
  uint32_t payload_offset = 0;          // sums: where the value a member carries starts
};

// Layouts of all types of a table, computed once.
class Layouts {
 public:
  explicit Layouts(const TypeTable& types);
  const TypeLayout& of(TypeId t) const { return layouts_[t]; }
  // A C struct of the given member types (a decision's parameters): offsets, size, alignment.
  TypeLayout Struct(const std::vector<TypeId>& members) const;

 private:
  std::vector<TypeLayout> layouts_;
};

// Owns the memory that flat lists and texts point into.
class Arena {
 public:
  void* Allocate(size_t bytes, size_t align);
  const char* CopyText(const std::string& s);
  void Clear() { blocks_.clear(); }

 private:
  std::deque<std::unique_ptr<uint8_t[]>> blocks_;
};

// The canonical denominator of flat decimals: a case's 15831.2 is {15831200000, 1000000}.
inline constexpr int64_t kFlatDecimalScale = 1'000'000;

// The canonical denominator of a decimal field with this declared domain: kFlatDecimalScale,
// unless the domain bounds the field on both sides with a magnitude M whose millionths would not
// fit in 64 bits: then the largest 10^k (k < 6) with M * 10^k within 64 bits, or 0 (no canonical
// form: any den, as written) when even M itself does not fit. A decision's parameters and the
// elements of lists use kFlatDecimalScale.
int64_t CanonicalScale(const std::vector<FieldBound>& bounds);

// num/den (den > 0, a power of ten from a literal or any positive value) as a numerator over
// `scale` (a power of ten), when it is a whole number of 1/scale that fits in 64 bits.
bool ScaleToFlat(int64_t num, int64_t den, int64_t scale, int64_t* scaled);

// Writes a decimal in the compact layout: over `scale` when it can be (see CanonicalScale; 0:
// reduced), boxed in `arena` when its reduced parts exceed 64 bits.
void WriteDecimalFlat(const Decimal& d, uint8_t* dst, Arena& arena, int64_t scale = kFlatDecimalScale);

// Writes a value of type t into dst (layout.of(t).size bytes, suitably aligned).
void WriteFlat(const Value& v, TypeId t, const TypeTable& types, const Layouts& layouts, uint8_t* dst, Arena& arena);
// Reads a value of type t from flat memory (decimals come back normalised).
Value ReadFlat(const uint8_t* src, TypeId t, const TypeTable& types, const Layouts& layouts);

// Appends to `out` the bytes that determine a flat value of type t (texts and lists followed,
// padding left out): equal bytes mean equal values, with no allocation per value. (Equal values
// may still differ in bytes: decimals are not reduced.)
void FlatBytes(const uint8_t* src, TypeId t, const TypeTable& types, const Layouts& layouts, std::string& out);

}  // namespace edict::rt
