/* Links a library built by `edict build tests/bench/peers.edict -d verdict` and prints one
   verdict per line for a JSON Lines file of SPEC cases: the test compares the output with the
   JIT's (`edict batch --format lines`). A deliberately small parser for the flat SPEC objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

static int country(const char* s, size_t n) {
  for (int i = 0; i < (int)(sizeof Country_names / sizeof *Country_names); ++i)
    if (strlen(Country_names[i]) == n && memcmp(Country_names[i], s, n) == 0) return i;
  return -1;
}

/* "15831.2" -> 15831200000 / 1000000 (the canonical form, which the library is fastest with)
   on odd lines, 158312 / 10 (as written, as exact) on even ones. A value beyond 64 bits is
   boxed, as the ABI says: den = 0 and num points to an edict_decimal128 (here in one of a few
   static slots, enough for one case). */
static edict_decimal128 boxes[8];
static int next_box;
static int canonical;

static edict_decimal decimal(const char* s) {
  __int128 num = 0, den = 1;
  int neg = *s == '-', dot = 0;
  if (neg) ++s;
  for (; (*s >= '0' && *s <= '9') || *s == '.'; ++s) {
    if (*s == '.') { dot = 1; continue; }
    num = num * 10 + (*s - '0');
    if (dot) den *= 10;
  }
  if (neg) num = -num;
  if (canonical && den <= 1000000 && 1000000 % den == 0) {
    __int128 k = 1000000 / den; /* compared before multiplying: num * k may not fit in 128 bits */
    if (num >= INT64_MIN / k && num <= INT64_MAX / k) {
      num *= k;
      den = 1000000;
    }
  }
  edict_decimal d;
  if (num >= INT64_MIN && num <= INT64_MAX && den <= INT64_MAX) {
    d.num = (int64_t)num;
    d.den = (int64_t)den;
  } else {
    edict_decimal128* b = &boxes[next_box++ % 8];
    b->num = num;
    b->den = den;
    d.num = (int64_t)(intptr_t)b;
    d.den = 0;
  }
  return d;
}

int main(int argc, char** argv) {
  FILE* in = fopen(argv[1], "r");
  if (!in) return 2;
  char line[4096];
  for (long n = 1; fgets(line, sizeof line, in); ++n) {
    canonical = n % 2;
    verdict_input c;
    memset(&c, 0, sizeof c);
    next_box = 0;
    for (char* p = line; (p = strchr(p, '"')) != NULL;) {
      char* key = ++p;
      char* end = strchr(p, '"');
      if (!end) break;
      size_t klen = (size_t)(end - key);
      char* v = end + 2; /* after ": */
      p = v;
#define KEY(k) (klen == strlen(k) && memcmp(key, k, klen) == 0)
      if (KEY("dest") || KEY("hq")) {
        char* q = strchr(v + 1, '"');
        int idx = country(v + 1, (size_t)(q - v - 1));
        if (KEY("dest")) c.dest = idx; else c.hq = idx;
        p = q + 1;
      } else if (KEY("tpp")) c.tpp = decimal(v);
      else if (KEY("pd")) c.pd = decimal(v);
      else if (KEY("prior_tpp")) c.prior_tpp = decimal(v);
      else if (KEY("qty")) c.qty = strtoll(v, NULL, 10);
      else if (KEY("datacenter")) c.datacenter = *v == 't';
      else if (KEY("distributor")) c.distributor = *v == 't';
    }
    int32_t out;
    edict_error err;
    int32_t status = verdict(&c, &out, &err);
    if (status == 0) printf("%s\n", Verdict_names[out]);
    else printf("error: %s at %s\n", verdict_error_kind(err.kind), verdict_site(err.site));
  }
  fclose(in);
  return 0;
}
