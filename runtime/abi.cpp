#include "runtime/abi.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <tuple>
#include <type_traits>
#include <vector>

#include "runtime/date.h"
#include "runtime/decimal.h"
#include "runtime/errors.h"

using namespace edict::rt;

namespace {

constexpr int32_t Status(RtErrorKind k) { return int32_t(k) + 1; }

bool Load(const edict_decimal* d, Decimal* out) { return Decimal::FromRatio(d->num, d->den, out); }
void Store(const Decimal& d, edict_decimal* out) {
  out->num = d.num();
  out->den = d.den();
}

template <class Op>
int32_t Binary(const edict_decimal* a, const edict_decimal* b, edict_decimal* out, Op op) {
  Decimal x, y, r;
  if (!Load(a, &x) || !Load(b, &y)) return Status(RtErrorKind::Overflow);
  if (!op(x, y, &r)) return Status(RtErrorKind::Overflow);
  Store(r, out);
  return 0;
}

}  // namespace

extern "C" {

int32_t edict_rt_dec_add(const edict_decimal* a, const edict_decimal* b, edict_decimal* out) {
  return Binary(a, b, out, Decimal::Add);
}
int32_t edict_rt_dec_sub(const edict_decimal* a, const edict_decimal* b, edict_decimal* out) {
  return Binary(a, b, out, Decimal::Sub);
}
int32_t edict_rt_dec_mul(const edict_decimal* a, const edict_decimal* b, edict_decimal* out) {
  return Binary(a, b, out, Decimal::Mul);
}
int32_t edict_rt_dec_div(const edict_decimal* a, const edict_decimal* b, edict_decimal* out) {
  if (b->num == 0) return Status(RtErrorKind::DivisionByZero);
  return Binary(a, b, out, Decimal::Div);
}
int32_t edict_rt_dec_neg(const edict_decimal* a, edict_decimal* out) {
  Decimal x, r;
  if (!Load(a, &x) || !Decimal::Neg(x, &r)) return Status(RtErrorKind::Overflow);
  Store(r, out);
  return 0;
}
int32_t edict_rt_dec_cmp(const edict_decimal* a, const edict_decimal* b) {
  Decimal x, y;
  Load(a, &x);  // operands of a comparison were produced by successful operations: they fit
  Load(b, &y);
  return Decimal::Compare(x, y);
}
int32_t edict_rt_dec_round(const edict_decimal* a, int32_t mode, int64_t* out) {
  Decimal x;
  if (!Load(a, &x)) return Status(RtErrorKind::Overflow);
  i128 r = 0;
  switch (mode) {
    case EDICT_FLOOR: r = x.Floor(); break;
    case EDICT_CEIL: r = x.Ceil(); break;
    case EDICT_TRUNCATE: r = x.Truncate(); break;
    case EDICT_ROUND_HALF_UP: r = x.RoundHalfUp(); break;
    case EDICT_ROUND_HALF_EVEN: r = x.RoundHalfEven(); break;
    default:
      if (!x.IsInteger()) return Status(RtErrorKind::NotAnInteger);
      r = x.num();
  }
  if (!NarrowToInt64(r, out)) return Status(RtErrorKind::Overflow);
  return 0;
}
int32_t edict_rt_date_add(int32_t date, int64_t months, int64_t days, int32_t* out) {
  Date r;
  if (!AddDuration(Date{date}, Duration{months, days}, &r)) return Status(RtErrorKind::InvalidDate);
  *out = r.days;
  return 0;
}
int32_t edict_rt_add_months(int32_t date, int64_t months, int32_t mode, int32_t* out) {
  Date r;
  bool missing = false;
  bool ok =
      mode == EDICT_MONTHS_UP ? AddMonthsUp(Date{date}, months, &r) : AddMonthsStrict(Date{date}, months, &r, &missing);
  if (!ok) return Status(RtErrorKind::InvalidDate);
  *out = r.days;
  return 0;
}
int32_t edict_rt_make_date(int64_t y, int64_t m, int64_t d, int32_t* out) {
  Date r;
  if (!DateFromYmd(y, m, d, &r)) return Status(RtErrorKind::InvalidDate);
  *out = r.days;
  return 0;
}
void edict_rt_date_parts(int32_t date, int32_t* ymd) {
  Ymd c = CivilFromDays(date);
  ymd[0] = c.year;
  ymd[1] = c.month;
  ymd[2] = c.day;
}
int32_t edict_rt_dur_cmp(int64_t am, int64_t ad, int64_t bm, int64_t bd, int32_t* out) {
  auto c = CompareDurations(Duration{am, ad}, Duration{bm, bd});
  if (!c) return Status(RtErrorKind::IncomparableDurations);
  *out = *c;
  return 0;
}
int32_t edict_rt_text_eq(const char* a, int64_t alen, const char* b, int64_t blen) {
  return alen == blen && std::memcmp(a, b, size_t(alen)) == 0;
}

namespace {
// Boxed decimals: chunks of storage per thread, reused after each reset.
struct Boxes {
  std::vector<std::unique_ptr<edict_decimal[]>> chunks;
  size_t chunk = 0, used = 0;
  static constexpr size_t kChunk = 256;
};
thread_local Boxes boxes;
}  // namespace

const edict_decimal* edict_rt_dec_box(const edict_decimal* d) {
  Boxes& b = boxes;
  if (b.chunk == b.chunks.size()) b.chunks.push_back(std::make_unique<edict_decimal[]>(Boxes::kChunk));
  edict_decimal* slot = &b.chunks[b.chunk][b.used];
  *slot = *d;
  if (++b.used == Boxes::kChunk) {
    ++b.chunk;
    b.used = 0;
  }
  return slot;
}

namespace {
// Lists built by generated code: chunks of bytes per thread, reused after each reset; a request
// larger than a chunk gets a block of its own, freed at the reset.
struct ListMemory {
  std::vector<std::unique_ptr<std::max_align_t[]>> chunks;
  std::vector<std::unique_ptr<std::max_align_t[]>> large;
  size_t chunk = 0, used = 0;
  static constexpr size_t kChunk = 64 * 1024;
};
thread_local ListMemory lists;
}  // namespace

void* edict_rt_list_alloc(int64_t bytes) {
  ListMemory& m = lists;
  size_t n = (size_t(std::max<int64_t>(bytes, 1)) + 15) & ~size_t(15);
  auto block = [](size_t size) {
    return std::make_unique<std::max_align_t[]>((size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
  };
  if (n > ListMemory::kChunk) {
    m.large.push_back(block(n));
    return m.large.back().get();
  }
  if (m.chunk < m.chunks.size() && m.used + n > ListMemory::kChunk) {
    ++m.chunk;
    m.used = 0;
  }
  if (m.chunk == m.chunks.size()) m.chunks.push_back(block(ListMemory::kChunk));
  void* p = reinterpret_cast<uint8_t*>(m.chunks[m.chunk].get()) + m.used;
  m.used += n;
  return p;
}

void edict_rt_sort_order(const void* keys, int64_t n, int32_t kind, int64_t* order) {
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  if (kind == EDICT_KEYS_INT64) {
    const auto* k = static_cast<const int64_t*>(keys);
    std::stable_sort(order, order + n, [&](int64_t a, int64_t b) { return k[a] < k[b]; });
    return;
  }
  const auto* k = static_cast<const edict_decimal*>(keys);
  std::vector<Decimal> ds(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    if (k[i].den != 0) Load(&k[i], &ds[size_t(i)]);  // a key speculative code gave up on is 0
  std::stable_sort(order, order + n,
                   [&](int64_t a, int64_t b) { return Decimal::Compare(ds[size_t(a)], ds[size_t(b)]) < 0; });
}

void edict_rt_boxes_reset(void) {
  boxes.chunk = 0;
  boxes.used = 0;
  lists.chunk = 0;
  lists.used = 0;
  lists.large.clear();
}

}  // extern "C"

namespace {

// Each prototype of abi.h must have the signature abi.def gives it, which is the one the lowering
// declares to LLVM: a return type and parameters of I32 (int32_t), I64 (int64_t), PTR (any
// pointer) or VOID. A prototype that drifts from the .def, or a .def entry with an unknown type,
// fails to compile here.
namespace abi_check {
struct I32 {};
struct I64 {};
struct PTR {};
struct VOID {};
template <class T>
struct Kind;  // no definition: a C type abi.def has no name for
template <>
struct Kind<int32_t> {
  using type = I32;
};
template <>
struct Kind<int64_t> {
  using type = I64;
};
template <class T>
struct Kind<T*> {
  using type = PTR;
};
template <>
struct Kind<void> {
  using type = VOID;
};
template <class R, class... A>
std::tuple<typename Kind<R>::type, typename Kind<A>::type...> Signature(R (*)(A...));

#define EDICT_ABI(name, ...)                                                         \
  static_assert(std::is_same_v<decltype(Signature(&name)), std::tuple<__VA_ARGS__>>, \
                #name " in runtime/abi.h differs from runtime/abi.def");
#include "runtime/abi.def"
#undef EDICT_ABI
// Not in abi.def: the lowering declares it itself (AddEntryPoint), as void(void).
static_assert(std::is_same_v<decltype(&edict_rt_boxes_reset), void (*)(void)>);
}  // namespace abi_check

}  // namespace

namespace edict::rt {

const AbiSymbol* AbiSymbols(size_t* count) {
  static const AbiSymbol kSymbols[] = {
#define EDICT_ABI(name, ...) {#name, reinterpret_cast<void*>(&name)},
#include "runtime/abi.def"
#undef EDICT_ABI
  };
  *count = sizeof(kSymbols) / sizeof(kSymbols[0]);
  return kSymbols;
}

}  // namespace edict::rt
