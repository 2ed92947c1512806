/* Uses the header `edict build tests/aot/sums.edict -d settle` writes: a sum type is a struct of
   its member (`tag`) and a union of the values members carry (`value`), `optional T` the sum
   `optional_T` of `none` and `some`. Checks each case against the outcome the rules give. */
#include <stdio.h>
#include <string.h>

#include "settle.h"

static edict_decimal dec(int64_t num, int64_t den) {
  edict_decimal d = {num, den};
  return d;
}

int main(void) {
  int bad = 0;
  edict_error err;
  Result out;

  /* A purchase above the cap: refunded at the cap. */
  settle_input in;
  memset(&in, 0, sizeof in);
  in.s.tag = Sale_most_recent;
  in.s.value.most_recent.price = dec(250000000, 1000000); /* 250 */
  in.s.value.most_recent.country = Country_FR;
  in.cap.tag = optional_decimal_some;
  in.cap.value.some = dec(100000000, 1000000); /* 100 */
  int32_t rc = settle(&in, &out, &err);
  bad |= rc != 0 || out.sale.tag != Sale_refund || out.sale.value.refund.num * 1 != 100 * out.sale.value.refund.den ||
         out.paid.tag != optional_decimal_some || out.flag.tag != optional_bool_some || out.flag.value.some != 1;
  printf("%d %s %s %s\n", (int)rc, Sale_names[out.sale.tag], optional_decimal_names[out.paid.tag],
         optional_bool_names[out.flag.tag]);

  /* A gift to a friend. */
  memset(&in, 0, sizeof in);
  in.s.tag = Sale_gift;
  in.s.value.gift.ptr = "friend";
  in.s.value.gift.len = 6;
  in.cap.tag = optional_decimal_none;
  rc = settle(&in, &out, &err);
  bad |= rc != 0 || out.sale.tag != Sale_none || out.paid.tag != optional_decimal_none || out.flag.value.some != 0;
  printf("%d %s %s %s\n", (int)rc, Sale_names[out.sale.tag], optional_decimal_names[out.paid.tag],
         optional_bool_names[out.flag.tag]);

  /* Anything else: the sale comes back as it was, with its text. */
  in.s.value.gift.ptr = "stranger";
  in.s.value.gift.len = 8;
  rc = settle(&in, &out, &err);
  bad |= rc != 0 || out.sale.tag != Sale_gift || out.sale.value.gift.len != 8 ||
         memcmp(out.sale.value.gift.ptr, "stranger", 8) != 0 || out.paid.tag != optional_decimal_some ||
         out.flag.tag != optional_bool_none;
  printf("%d %s %.*s %s %s\n", (int)rc, Sale_names[out.sale.tag], (int)out.sale.value.gift.len, out.sale.value.gift.ptr,
         optional_decimal_names[out.paid.tag], optional_bool_names[out.flag.tag]);
  return bad;
}
