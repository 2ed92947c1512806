#include <catch2/catch.hpp>

#include <array>
#include <cstring>

#include "runtime/case_json.h"
#include "runtime/layout.h"

using namespace edict::rt;

namespace {
struct Fixture {
  TypeTable types;
  TypeId country, shipment;
  Fixture() {
    types.base_units.push_back({"tpp", "", {}});
    types.enums.push_back({"Country", "", {"CN", "DE", "US"}, {"", "", ""}, {}});
    country = types.Intern({TypeKind::Enum, 0, 0});
    UnitId tpp = types.InternUnit({{0, 1}});
    RecordInfo r;
    r.name = "Shipment";
    r.fields = {{"tpp", types.Intern({TypeKind::Decimal, tpp, 0}), "", {}, {}},
                {"qty", types.integer(), "", {}, {}},
                {"dest", country, "", {}, {}},
                {"day", types.date(), "", {}, {}},
                {"groups", types.Intern({TypeKind::Set, 0, 0}), "", {}, {}}};
    types.records.push_back(r);
    shipment = types.Intern({TypeKind::Record, 0, 0});
  }
};
}  // namespace

TEST_CASE("a valid case decodes exactly", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  auto c = dec.Decode(R"({"s":{"tpp":15831.20,"qty":1686,"dest":"DE","day":"2025-05-15","groups":["CN","US"]}})");
  REQUIRE(c.issues.empty());
  const auto& fields = *c.args[0].AsRecord().fields;
  CHECK(fields[0].AsDec().ToString() == "15831.2");
  CHECK(fields[1].AsInt() == 1686);
  CHECK(fields[2].AsEnum().index == 1);
  CHECK(ToString(fields[3].AsDate()) == "2025-05-15");
  CHECK(fields[4].AsSet().Contains(0));
  CHECK_FALSE(fields[4].AsSet().Contains(1));
}

TEST_CASE("every problem of a case is reported with its field", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  auto c = dec.Decode(R"({"s":{"tpp":"abc","qty":1.5,"dest":"XX","groups":["CN", 3],"extra":true}})");
  REQUIRE(c.args.empty());
  std::vector<std::string> fields;
  for (const auto& i : c.issues) fields.push_back(i.field);
  CHECK(fields == std::vector<std::string>{"s.tpp", "s.qty", "s.dest", "s.groups[1]", "s.extra", "s.day"});
}

TEST_CASE("malformed JSON is an issue, not a crash", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  CHECK_FALSE(dec.Decode("{").issues.empty());
  CHECK_FALSE(dec.Decode("[1,2]").issues.empty());
  CHECK_FALSE(dec.Decode("").issues.empty());
  CHECK_FALSE(dec.Decode(R"({"s": nope})").issues.empty());
  CHECK_FALSE(
      dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}} trailing)").issues.empty());
  CHECK(dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}})").issues.empty());
  CHECK_FALSE(dec.Decode(R"({"s":{"tpp":1,"qty":99999999999999999999,"dest":"DE","day":"2025-01-01","groups":[]}})")
                  .issues.empty());
}

TEST_CASE("keys and enum names with JSON escapes mean what they spell", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  // "d\u0065st" is the key `dest`; "\u0044E" is the name DE.
  auto c = dec.Decode(R"({"s":{"tpp":1,"qty":2,"d\u0065st":"\u0044E","day":"2025-05-15","groups":["C\u004e"]}})");
  REQUIRE(c.issues.empty());
  const auto& fields = *c.args[0].AsRecord().fields;
  CHECK(fields[2].AsEnum().index == 1);
  CHECK(fields[4].AsSet().Contains(0));
  // A key given twice, once escaped, is still given twice; an unknown escaped key is named unescaped.
  auto d =
      dec.Decode(R"({"s":{"tpp":1,"qty":2,"dest":"DE","d\u0065st":"US","day":"2025-05-15","groups":[],"\u0078":1}})");
  std::vector<std::string> where, what;
  for (const auto& i : d.issues) {
    where.push_back(i.field);
    what.push_back(i.message.substr(0, 10));
  }
  CHECK(where == std::vector<std::string>{"s.dest", "s.x"});
  CHECK(what == std::vector<std::string>{"given twic", "unknown fi"});
}

TEST_CASE("decimals are written canonical when they can be, and exactly when they cannot", "[case]") {
  Fixture f;
  TypeId tpp = f.types.records[0].fields[0].type;
  CaseDecoder dec(f.types, {{"x", tpp}, {"n", f.types.integer()}});
  auto flat = [&](const std::string& x, const std::string& n = "1") {
    std::string json = "{\"x\":" + x + ",\"n\":" + n + "}";
    std::string padded = json + std::string(CaseDecoder::kPadding, ' ');
    alignas(16) uint8_t dst[32] = {};
    Arena arena;
    std::vector<CaseIssue> issues;
    bool ok = dec.DecodeFlat(std::string_view(padded.data(), json.size()), dst, arena, &issues);
    int64_t num, den, integer;
    std::memcpy(&num, dst, 8);
    std::memcpy(&den, dst + 8, 8);
    std::memcpy(&integer, dst + 16, 8);
    struct R {
      bool ok;
      int64_t num, den, integer;
      std::string value;
    };
    return R{ok, num, den, integer, ok ? ReadFlat(dst, tpp, f.types, dec.layouts()).AsDec().ToString() : ""};
  };
  auto a = flat("15831.2");
  CHECK((a.ok && a.num == 15831200000 && a.den == kFlatDecimalScale));
  auto b = flat("4800.0000000");  // seven decimals, all zero: still a whole number of millionths
  CHECK((b.ok && b.num == 4800000000 && b.den == kFlatDecimalScale));
  auto c = flat("0.0000001");  // not a whole number of millionths: exact, in another form
  CHECK((c.ok && c.den != kFlatDecimalScale && c.value == "0.0000001"));
  auto d = flat("9223372036854.775807");  // 19 digits (2^63 - 1 millionths): the general parser
  CHECK((d.ok && d.value == "9223372036854.775807"));
  auto e = flat("-0.5");
  CHECK((e.ok && e.num == -500000 && e.den == kFlatDecimalScale));
  auto g = flat("123456789012345678");  // 18 digits: the fast path, too large to scale
  CHECK((g.ok && g.den != kFlatDecimalScale && g.value == "123456789012345678"));
  auto h = flat("1e3");  // an exponent: the general parser
  CHECK((h.ok && h.value == "1000"));
  CHECK(flat("1", "5.0").integer == 5);  // an integer written with decimals
  CHECK_FALSE(flat("1", "5.5").ok);
  CHECK_FALSE(flat("+", "1").ok);
  CHECK_FALSE(flat("\"DE\"", "1").ok);
}

TEST_CASE("a field's canonical scale follows its declared domain", "[case]") {
  auto bound = [](BoundCmp cmp, const char* n) {
    FieldBound b;
    b.cmp = cmp;
    b.number = *Decimal::Parse(n);
    return b;
  };
  CHECK(CanonicalScale({}) == kFlatDecimalScale);
  CHECK(CanonicalScale({bound(BoundCmp::Ge, "0")}) == kFlatDecimalScale);  // unbounded above
  CHECK(CanonicalScale({bound(BoundCmp::Ge, "0"), bound(BoundCmp::Le, "10000000")}) == kFlatDecimalScale);
  CHECK(CanonicalScale({bound(BoundCmp::Ge, "0"), bound(BoundCmp::Le, "1e14")}) == 10000);
  CHECK(CanonicalScale({bound(BoundCmp::Gt, "-1e18"), bound(BoundCmp::Lt, "5")}) == 1);
  CHECK(CanonicalScale({bound(BoundCmp::Ge, "0"), bound(BoundCmp::Le, "1e20")}) == 0);  // not even whole numbers

  // A record field with a domain up to 1e14 is written in ten-thousandths; one up to 1e20, as
  // written (and boxed beyond 64 bits).
  TypeTable types;
  RecordInfo r;
  r.name = "R";
  TypeId dec = types.Intern({TypeKind::Decimal, 0, 0});
  r.fields = {{"a", dec, "", {}, {bound(BoundCmp::Ge, "0"), bound(BoundCmp::Le, "1e14")}},
              {"b", dec, "", {}, {bound(BoundCmp::Ge, "0"), bound(BoundCmp::Le, "1e20")}}};
  types.records.push_back(r);
  TypeId rec = types.Intern({TypeKind::Record, 0, 0});
  CaseDecoder dec_json(types, {{"r", rec}});
  auto read = [&](const std::string& a, const std::string& b) {
    std::string json = R"({"r":{"a":)" + a + R"(,"b":)" + b + "}}";
    std::string padded = json + std::string(CaseDecoder::kPadding, ' ');
    alignas(16) uint8_t dst[32] = {};
    Arena arena;
    std::vector<CaseIssue> issues;
    REQUIRE(dec_json.DecodeFlat(std::string_view(padded.data(), json.size()), dst, arena, &issues));
    std::array<int64_t, 4> parts;
    std::memcpy(parts.data(), dst, 32);
    return parts;
  };
  auto p = read("12.5", "12.5");
  CHECK((p[0] == 125000 && p[1] == 10000 && p[2] == 125 && p[3] == 10));
  auto q = read("99999999999999.9999", "1e19");  // b: beyond 2^63, boxed
  CHECK((q[0] == 999999999999999999 && q[1] == 10000 && q[3] == 0));
}

TEST_CASE("a huge malformed value is quoted by its start and length", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  std::string big = std::string(59, 'X') + "\u00e9" + std::string(100000, 'Y');  // a two-byte character across the cut
  auto c = dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":")" + big + R"(","day":"2025-01-01","groups":[]}})");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].field == "s.dest");
  CHECK(c.issues[0].message == "\"" + std::string(59, 'X') + "... (100061 bytes)\" is not a Country");
}

TEST_CASE("invalid JSON is reported with what is wrong and where", "[case]") {
  CHECK(JsonSyntaxProblem(R"({"a": [1, 2], "b": "x"})").empty());
  CHECK(JsonSyntaxProblem(R"({"a": 1} trailing)") == "unexpected `trailing` at column 10, after the JSON object ended");
  CHECK(JsonSyntaxProblem(R"({"a": [1, 2)") ==
        "it ends before the array opened at column 7 is closed (is it cut short?)");
  CHECK(JsonSyntaxProblem(std::string("{\"a\": 1,\0}", 10)) == "a NUL byte at column 9 (is this a binary file?)");
  CHECK(JsonSyntaxProblem("\xEF\xBB\xBF{}").find("a byte order mark (U+FEFF) at column 1") == 0);
  CHECK(JsonSyntaxProblem(R"({"a": 01})") == "`01` at column 7 is not a JSON number (such as 12, -0.5 or 1e6)");
  CHECK(JsonSyntaxProblem("{\"a\": \"x\ny\"}").find("the control character 0x0A at") == 0);
  CHECK(JsonSyntaxProblem(R"({"a": "\q"})").find("an invalid escape at column 8") == 0);
  CHECK(JsonSyntaxProblem("{\"a\": \"\xC0\xAF\"}") == "the byte 0xC0 at column 8, inside a string, is not UTF-8");
  CHECK(JsonSyntaxProblem(R"({"a" 1})") == "expected `:` after the key at column 6, found `1`");
  CHECK(JsonSyntaxProblem(R"({a: 1})") == "expected a key (a name in double quotes) at column 2, found `a`");
  CHECK(JsonSyntaxProblem("") == "it is empty");
  // A text of several lines says the line.
  CHECK(JsonSyntaxProblem("{\n  \"a\": 1\n  \"b\": 2\n}") == "expected `,` or `}` at line 3, column 3, found `\"b\"`");
  // Deep nesting is checked without recursion.
  CHECK(JsonSyntaxProblem(std::string(100000, '[')).find("it ends before the array opened at column 100000") == 0);
}

TEST_CASE("a case that is not valid JSON gets one issue saying why", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  auto c = dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}} x)");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message == "not valid JSON: unexpected `x` at column 68, after the JSON object ended");
  c = dec.Decode(R"({"s":{"tpp":1,"qty":1,"nope":tru)");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message == "not valid JSON: expected a value at column 30, found `tru`");
  c = dec.Decode("[1]");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message == "expected a JSON object with one key per decision input, found an array");
  c = dec.Decode(R"({"s":{"tpp":1e-400,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}})");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message.find("`1e-400` is too precise for a decimal") == 0);
  CHECK(IsJsonNumber("-0.5e+3"));
  CHECK_FALSE(IsJsonNumber("+5"));
  CHECK_FALSE(IsJsonNumber("1."));
  CHECK_FALSE(IsJsonNumber(".5"));
  CHECK_FALSE(IsJsonNumber("01"));
  CHECK_FALSE(IsJsonNumber("1_000"));
}

TEST_CASE("in text mode (CSV), numbers and booleans may be their text", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  auto c = dec.Decode(R"({"s":{"tpp":"+1_000.50","qty":"+7","dest":"DE","day":"2025-01-01","groups":[]}})");
  CHECK_FALSE(c.issues.empty());  // JSON mode: a whole number is a JSON number
  dec.SetTextScalars(true);
  c = dec.Decode(R"({"s":{"tpp":"+1_000.50","qty":"+7","dest":"DE","day":"2025-01-01","groups":[]}})");
  REQUIRE(c.issues.empty());
  const auto& fields = *c.args[0].AsRecord().fields;
  CHECK(fields[0].AsDec().ToString() == "1000.5");
  CHECK(fields[1].AsInt() == 7);
  c = dec.Decode(R"({"s":{"tpp":"","qty":"seven","dest":"DE","day":"2025-01-01","groups":[]}})");
  REQUIRE(c.issues.size() == 2);
  CHECK(c.issues[0].message == "expected a number (in tpp), found nothing");
  CHECK(c.issues[1].message == "expected a whole number, found `seven`");
}

TEST_CASE("a value quoted in a message stays on one line", "[case]") {
  Fixture f;
  CaseDecoder dec(f.types, {{"s", f.shipment}});
  auto c = dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"D\nE\u001b[31m","day":"2025-01-01","groups":[]}})");
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message == "\"D\\nE\\x1b[31m\" is not a Country");
}

TEST_CASE("an empty list decodes, as a list with items does", "[case]") {
  // Copying an empty list's items passed memcpy a null pointer (undefined behaviour, found by
  // UndefinedBehaviorSanitizer in `eval --cases` and `batch`).
  TypeTable types;
  TypeId ints = types.Intern({TypeKind::List, 0, types.integer()});
  CaseDecoder dec(types, {{"xs", ints}});
  auto empty = dec.Decode(R"({"xs":[]})");
  REQUIRE(empty.issues.empty());
  CHECK(empty.args[0].AsList().elems->empty());
  auto two = dec.Decode(R"({"xs":[4,-5]})");
  REQUIRE(two.issues.empty());
  REQUIRE(two.args[0].AsList().elems->size() == 2);
  CHECK((*two.args[0].AsList().elems)[1].AsInt() == -5);
}
