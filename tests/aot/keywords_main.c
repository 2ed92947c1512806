/* Uses the header `edict build tests/aot/keywords.edict -d total` writes for names that are C
   keywords (`return` -> `return_`) or clash once mangled (`int` -> `int__` beside `int_`), and
   checks the library reads each member where the Edict name says. */
#include <stdio.h>

#include "total.h"

int main(void) {
  total_input in = {0};
  in.return_ = 1;
  in.int__.return_ = 10;
  in.int__.int__ = 100;
  in.int__.int_ = 1000;
  in.int__.switch_ = 1;
  in.int__.struct_ = Kind_int__;
  in.case_ = Kind_char_;
  in.int_ = 10000;
  int64_t out = 0;
  edict_error err;
  int32_t rc = total(&in, &out, &err);
  printf("%d %lld %s %s\n", (int)rc, (long long)out, Kind_names[Kind_int__], Kind_names[Kind_int_]);
  return rc != 0 || out != 12111 || Kind_int__ != 0 || Kind_int_ != 1;
}
