// The C entry points of the runtime that generated code calls (see abi.def). They implement the
// same semantics as the interpreter by calling the same C++ functions.
#pragma once
#include <cstddef>
#include <cstdint>

extern "C" {

typedef struct edict_decimal {
  __int128 num;
  __int128 den;
} edict_decimal;

// Rounding modes of edict_rt_dec_round.
enum { EDICT_FLOOR = 0, EDICT_CEIL, EDICT_TRUNCATE, EDICT_ROUND_HALF_UP, EDICT_ROUND_HALF_EVEN, EDICT_TO_INTEGER };
// Month modes of edict_rt_add_months.
enum { EDICT_MONTHS_STRICT = 0, EDICT_MONTHS_UP = 1 };

int32_t edict_rt_dec_add(const edict_decimal* a, const edict_decimal* b, edict_decimal* out);
int32_t edict_rt_dec_sub(const edict_decimal* a, const edict_decimal* b, edict_decimal* out);
int32_t edict_rt_dec_mul(const edict_decimal* a, const edict_decimal* b, edict_decimal* out);
int32_t edict_rt_dec_div(const edict_decimal* a, const edict_decimal* b, edict_decimal* out);
int32_t edict_rt_dec_neg(const edict_decimal* a, edict_decimal* out);
int32_t edict_rt_dec_cmp(const edict_decimal* a, const edict_decimal* b);
int32_t edict_rt_dec_round(const edict_decimal* a, int32_t mode, int64_t* out);
int32_t edict_rt_date_add(int32_t date, int64_t months, int64_t days, int32_t* out);
int32_t edict_rt_add_months(int32_t date, int64_t months, int32_t mode, int32_t* out);
int32_t edict_rt_make_date(int64_t y, int64_t m, int64_t d, int32_t* out);
void edict_rt_date_parts(int32_t date, int32_t* ymd);
int32_t edict_rt_dur_cmp(int64_t am, int64_t ad, int64_t bm, int64_t bd, int32_t* out);
int32_t edict_rt_text_eq(const char* a, int64_t alen, const char* b, int64_t blen);
// Stores a decimal that does not fit the compact layout; the copy lives in thread-local storage
// until edict_rt_boxes_reset() on the same thread.
const edict_decimal* edict_rt_dec_box(const edict_decimal* d);
void edict_rt_boxes_reset(void);
// Memory for a list the code builds (`[... for ...]`, `sort`, a list literal): `bytes` aligned to
// 16, in thread-local storage until edict_rt_boxes_reset() on the same thread, like boxes.
void* edict_rt_list_alloc(int64_t bytes);
// Key kinds of edict_rt_sort_order.
enum { EDICT_KEYS_INT64 = 0, EDICT_KEYS_DECIMAL = 1 };
// The stable order of n keys (int64_t, or edict_decimal): order[j] is the position of the j-th
// smallest key, equal keys in their order.
void edict_rt_sort_order(const void* keys, int64_t n, int32_t kind, int64_t* order);

}  // extern "C"

namespace edict::rt {
// The address of each entry point, by name (for the JIT's symbol table).
struct AbiSymbol {
  const char* name;
  void* address;
};
const AbiSymbol* AbiSymbols(size_t* count);
}  // namespace edict::rt
