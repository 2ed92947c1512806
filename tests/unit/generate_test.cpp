// The case generator: every case it writes is one the decoders accept.
#include <catch2/catch.hpp>

#include "compiler/cases/generate.h"
#include "runtime/case_json.h"
#include "test_support.h"

TEST_CASE("boundary neighbours stay inside the calendar", "[cases]") {
  // Comparisons with the first and the last day of the calendar: their neighbours one day out
  // (0000-12-31, 10000-01-01) are no dates, and must not be generated.
  Checked c(
      "enum V { a, b }\n"
      "decision d(t: date) -> V {\n"
      "  rule last cite \"x\" when t == 9999-12-31 then a;\n"
      "  rule first cite \"x\" when t == 0001-01-01 then a;\n"
      "  default then b;\n"
      "}\n");
  REQUIRE(c.ok());
  edict::cases::Generator gen(c.module, 0, 7);
  edict::rt::CaseDecoder decoder(c.module.types, {{"t", c.module.decisions[0].params[0].type}});
  int extremes = 0;
  for (int i = 0; i < 2000; ++i) {
    auto args = gen.Next();
    int32_t days = args[0].AsDate().days;
    CHECK(days >= edict::rt::kMinDateDays);
    CHECK(days <= edict::rt::kMaxDateDays);
    extremes += days == edict::rt::kMinDateDays || days == edict::rt::kMaxDateDays;
    auto decoded = decoder.Decode(gen.ToJson(args));
    CHECK(decoded.issues.empty());
  }
  CHECK(extremes > 0);  // the boundaries themselves are generated
}
