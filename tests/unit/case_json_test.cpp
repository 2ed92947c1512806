#include <catch2/catch.hpp>

#include "runtime/case_json.h"

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
  CHECK_FALSE(dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}} trailing)").issues.empty());
  CHECK(dec.Decode(R"({"s":{"tpp":1,"qty":1,"dest":"DE","day":"2025-01-01","groups":[]}})").issues.empty());
  CHECK_FALSE(dec.Decode(R"({"s":{"tpp":1,"qty":99999999999999999999,"dest":"DE","day":"2025-01-01","groups":[]}})").issues.empty());
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
  auto d = dec.Decode(R"({"s":{"tpp":1,"qty":2,"dest":"DE","d\u0065st":"US","day":"2025-05-15","groups":[],"\u0078":1}})");
  std::vector<std::string> where, what;
  for (const auto& i : d.issues) {
    where.push_back(i.field);
    what.push_back(i.message.substr(0, 10));
  }
  CHECK(where == std::vector<std::string>{"s.dest", "s.x"});
  CHECK(what == std::vector<std::string>{"given twic", "unknown fi"});
}
