/* Uses the header `edict build tests/aot/unicode.edict -d montant_dû` writes for names that are
   not ASCII (`a_renoncé` -> `a_renonc_u00e9_`, as `a_renonc_u00e9` is taken; `独身` -> `_u72ec_u8eab`),
   and checks the library reads each member where the Edict name says. */
#include <stdio.h>
#include <string.h>

#include "montant_d_u00fb.h"

int main(void) {
  montant_d_u00fb_input in = {0};
  in.foyer.situation = Situation__u72ec_u8eab;
  in.foyer.a_renonc_u00e9_ = 0;
  in.foyer.nombre_d_enfants = 3;
  in.foyer.a_renonc_u00e9 = 7;
  in.coefficient__u03b1 = 2;
  int64_t out = 0;
  edict_error err;
  int32_t rc = montant_d_u00fb(&in, &out, &err);
  printf("%d %lld %s %s\n", (int)rc, (long long)out, Situation_names[Situation_mari_u00e9],
         Situation_names[Situation__u72ec_u8eab]);
  if (rc != 0 || out != 1013 || strcmp(Situation_names[Situation_mari_u00e9], "marié") != 0) return 1;
  in.foyer.situation = Situation_mari_u00e9;
  in.foyer.a_renonc_u00e9_ = 1;
  rc = montant_d_u00fb(&in, &out, &err);
  return rc != 0 || out != 0;
}
