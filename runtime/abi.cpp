#include "runtime/abi.h"

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

void edict_rt_boxes_reset(void) {
  boxes.chunk = 0;
  boxes.used = 0;
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
