/* Uses the header `edict build tests/aot/lists.edict -d family` writes: a list is an edict_list of
   its elements in their flat layout. The outcome's lists point into memory the library owns,
   valid until the next call on the same thread (docs/abi.md). Checks each case against the
   outcome the rules give. */
#include <stdio.h>
#include <string.h>

#include "family.h"

static Child child(const char* name, int64_t age) {
  Child c;
  memset(&c, 0, sizeof c);
  c.name.ptr = name;
  c.name.len = (int64_t)strlen(name);
  c.age = age;
  return c;
}

int main(void) {
  int bad = 0;
  edict_error err;
  Result out;
  Child kids[4] = {child("Ana", 17), child("Ben", 9), child("Cleo", 21), child("Dan", 9)};
  family_input in;
  memset(&in, 0, sizeof in);
  in.children.elems = kids;
  in.children.count = 4;
  int32_t rc = family(&in, &out, &err);
  const Child* u = (const Child*)out.under_18.elems;
  const int64_t* ages = (const int64_t*)out.ages.elems;
  /* Sorted by age, Ben before Dan (equal ages keep their order); Cleo is 21. */
  bad |= rc != 0 || out.under_18.count != 3 || strncmp(u[0].name.ptr, "Ben", 3) != 0 ||
         strncmp(u[1].name.ptr, "Dan", 3) != 0 || strncmp(u[2].name.ptr, "Ana", 3) != 0;
  bad |= out.ages.count != 4 || ages[0] != 204 || ages[2] != 252;
  bad |= out.eldest.len != 4 || memcmp(out.eldest.ptr, "Cleo", 4) != 0;
  printf("%d %lld %.*s %.*s %lld %.*s\n", (int)rc, (long long)out.under_18.count, (int)u[0].name.len, u[0].name.ptr,
         (int)u[2].name.len, u[2].name.ptr, (long long)ages[1], (int)out.eldest.len, out.eldest.ptr);

  /* No children: the rule `nobody`, empty lists. */
  in.children.count = 0;
  rc = family(&in, &out, &err);
  bad |= rc != 0 || out.under_18.count != 0 || out.ages.count != 0 || out.eldest.len != 0;
  printf("%d %lld %lld\n", (int)rc, (long long)out.under_18.count, (long long)out.ages.count);
  return bad;
}
