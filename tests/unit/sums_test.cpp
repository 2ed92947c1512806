// Sum types in the runtime: the flat layout (a tag, then a union of the members' values), values
// written and read back, the bytes that determine a value, case decoding, and printing.
#include <catch2/catch.hpp>

#include <cstring>

#include "runtime/case_json.h"
#include "runtime/layout.h"
#include "runtime/value.h"

using namespace edict::rt;

namespace {
// enum Sale { none, refund(decimal), gift(text), flag(bool) }; optional Sale.
struct Sums {
  TypeTable types;
  TypeId sale, optional_sale, optional_bool;
  Sums() {
    EnumInfo e;
    e.name = "Sale";
    e.members = {"none", "refund", "gift", "flag"};
    e.member_docs = {"", "", "", ""};
    e.sum = true;
    e.payloads = {kNoPayload, types.decimal(), types.text(), types.boolean()};
    types.enums.push_back(e);
    sale = types.EnumType(0);
    optional_sale = types.Optional(sale);
    optional_bool = types.Optional(types.boolean());
  }
};
}  // namespace

TEST_CASE("a sum type is a tag and a union of its members' values", "[sum]") {
  Sums s;
  Layouts l(s.types);
  CHECK(s.types.kind(s.sale) == TypeKind::Sum);
  CHECK(l.of(s.sale).payload_offset == 8);  // after the tag, at the alignment of a decimal
  CHECK(l.of(s.sale).size == 24);           // the largest value (a decimal, a text) is 16 bytes
  CHECK(l.of(s.sale).align == 8);
  CHECK(l.of(s.optional_bool).payload_offset == 4);
  CHECK(l.of(s.optional_bool).size == 8);
  CHECK(l.of(s.optional_sale).payload_offset == 8);
  CHECK(l.of(s.optional_sale).size == 32);
  // `optional T` is made once per T, and named after it.
  CHECK(s.types.Optional(s.sale) == s.optional_sale);
  CHECK(s.types.Name(s.optional_sale) == "optional Sale");
  CHECK(s.types.Name(s.optional_bool) == "optional bool");
}

TEST_CASE("sum values survive the flat layout, and only the member held determines the bytes", "[sum]") {
  Sums s;
  Layouts l(s.types);
  Arena arena;
  std::vector<Value> values = {MakeSum(0, 0), MakeSum(0, 1, *Decimal::Parse("2.5")), MakeSum(0, 2, MakeText("museum")),
                               MakeSum(0, 3, true)};
  for (const Value& v : values) {
    alignas(16) uint8_t buf[32];
    WriteFlat(v, s.sale, s.types, l, buf, arena);
    Value back = ReadFlat(buf, s.sale, s.types, l);
    CHECK(ValuesEqual(v, back));
    // Bytes of the union beyond the member's value do not count.
    static const uint32_t kValueSize[] = {0, 16, 16, 1};  // none, refund, gift, flag
    uint32_t used = 8 + kValueSize[v.AsSum().index];
    std::string a, b;
    FlatBytes(buf, s.sale, s.types, l, a);
    std::memset(buf + used, 0x5a, 24 - used);
    FlatBytes(buf, s.sale, s.types, l, b);
    CHECK(a == b);
    CHECK(ValuesEqual(ReadFlat(buf, s.sale, s.types, l), v));
  }
  CHECK_FALSE(ValuesEqual(values[1], MakeSum(0, 1, *Decimal::Parse("2.6"))));
  CHECK_FALSE(ValuesEqual(values[0], values[1]));
  CHECK(FormatValue(values[1], s.sale, s.types) == "refund(2.5)");
  CHECK(FormatValue(values[0], s.sale, s.types) == "none");
  CHECK(ValueToJson(values[2], s.sale, s.types) == R"({"gift":"museum"})");
  CHECK(ValueToJson(MakeSum(s.types.info(s.optional_sale).ref, 1, values[1]), s.optional_sale, s.types) ==
        R"({"refund":2.5})");
  CHECK(ValueToJson(MakeSum(s.types.info(s.optional_sale).ref, 0), s.optional_sale, s.types) == "null");
}

TEST_CASE("cases give a member by name, a member's value as an object, an optional as null or a value", "[sum]") {
  Sums s;
  CaseDecoder dec(s.types, {{"a", s.sale}, {"b", s.optional_sale}, {"c", s.optional_bool}});
  auto c = dec.Decode(R"({"a": {"refund": "1e3"}, "b": "none"})");
  REQUIRE(c.issues.empty());
  CHECK(FormatValue(c.args[0], s.sale, s.types) == "refund(1000)");
  CHECK(FormatValue(c.args[1], s.optional_sale, s.types) == "some(none)");
  CHECK(FormatValue(c.args[2], s.optional_bool, s.types) == "none");  // left out: none
  c = dec.Decode(R"({"a": "gift", "b": {"flag": 1, "x": 2}, "c": null})");
  std::vector<std::string> fields;
  for (const auto& i : c.issues) fields.push_back(i.field + ": " + i.message);
  CHECK(fields == std::vector<std::string>{
                      "a: `gift` carries a value (text): write {\"gift\": ...}",
                      "b.flag: expected true or false, found a number",
                      "b: expected an object with one key, the Sale member (such as {\"refund\": ...}), found 2 keys"});
}
