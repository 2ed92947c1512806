/* Uses the header `edict build tests/aot/scope.edict -d pay` writes: a scope is a decision whose
   outcome is the record of its outputs (`pay_outputs`) and whose context variable `rate` is an
   optional input: none lets the scope's rules decide it, some gives it. */
#include <stdio.h>
#include <string.h>

#include "pay.h"

static edict_decimal dec(int64_t num, int64_t den) {
  edict_decimal d = {num, den};
  return d;
}

/* x == n / 1 */
static int is(edict_decimal x, int64_t n) { return x.num == n * x.den; }

int main(void) {
  int bad = 0;
  edict_error err;
  pay_outputs out;
  pay_input in;

  /* Day work, 10 hours, the scope's rate: 12 * 10. */
  memset(&in, 0, sizeof in);
  in.hours = 10;
  in.night = 0;
  in.rate.tag = optional_decimal_eur_none;
  int32_t rc = pay(&in, &out, &err);
  bad |= rc != 0 || !is(out.rate, 12) || !is(out.total, 120);
  printf("%d rate %lld/%lld total %lld/%lld\n", (int)rc, (long long)out.rate.num, (long long)out.rate.den,
         (long long)out.total.num, (long long)out.total.den);

  /* Night work, 45 hours: 15 * 45 + 50. */
  in.hours = 45;
  in.night = 1;
  rc = pay(&in, &out, &err);
  bad |= rc != 0 || !is(out.rate, 15) || !is(out.total, 725);
  printf("%d rate %lld/%lld total %lld/%lld\n", (int)rc, (long long)out.rate.num, (long long)out.rate.den,
         (long long)out.total.num, (long long)out.total.den);

  /* The caller gives the rate (20): the night rule does not count. 20 * 45 + 50. */
  in.rate.tag = optional_decimal_eur_some;
  in.rate.value.some = dec(20000000, 1000000);
  rc = pay(&in, &out, &err);
  bad |= rc != 0 || !is(out.rate, 20) || !is(out.total, 950);
  printf("%d rate %lld/%lld total %lld/%lld\n", (int)rc, (long long)out.rate.num, (long long)out.rate.den,
         (long long)out.total.num, (long long)out.total.den);
  return bad;
}
