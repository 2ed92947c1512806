#include <catch2/catch.hpp>

#include "runtime/ops.h"
#include "test_support.h"

using edict::rt::Value;

TEST_CASE("default logic: exceptions override, ties conflict", "[interp]") {
  Checked c(R"(
    enum P { approve, deny, review }
    decision d(g2g: bool, military: bool, big: bool) -> P {
      rule base when big then review;
      rule g2g_rule exception to base when g2g then approve;
      rule mil exception to g2g_rule when military then deny;
      rule other when military and not big then review;
      default then approve;
    })");
  REQUIRE(c.ok());
  edict::interp::Interpreter in(c.module);
  auto run = [&](bool g, bool m, bool b) {
    return c.module.types.enums[0].members[in.EvalDecision(0, {Value(g), Value(m), Value(b)}).AsEnum().index];
  };
  CHECK(run(false, false, false) == "approve");  // default
  CHECK(run(false, false, true) == "review");
  CHECK(run(true, false, true) == "approve");
  CHECK(run(true, true, true) == "deny");  // transitive override of base
  try {
    run(false, true, false);  // mil (deny) and other (review) both apply
    FAIL("expected a conflict");
  } catch (const edict::rt::EvalError& e) {
    CHECK(e.kind == edict::rt::RtErrorKind::Conflict);
    CHECK(e.message.find("`mil`") != std::string::npos);
    CHECK(e.message.find("`other`") != std::string::npos);
  }
}

TEST_CASE("the trace records atoms and their inputs", "[interp]") {
  Checked c(R"(
    unit tpp;
    const limit: decimal[tpp] = 100 [tpp] cite "740.29";
    decision d(t: decimal[tpp]) -> bool {
      rule small cite "740.29" when t <= limit and t > 0 [tpp] then true;
      default then false;
    })");
  REQUIRE(c.ok());
  edict::interp::Interpreter in(c.module);
  edict::interp::DecisionTrace tr;
  in.EvalDecision(0, {Value(edict::rt::Decimal::FromInt(100))}, &tr);
  REQUIRE(tr.rules.size() == 1);
  CHECK(tr.rules[0].decided);
  REQUIRE(tr.rules[0].atoms.size() == 2);
  CHECK(tr.rules[0].atoms[0].inputs.empty());  // until the trace is explained
  in.Explain(&tr);
  CHECK(tr.rules[0].atoms[0].inputs.size() == 2);  // t and limit
}

TEST_CASE("integer overflow is a runtime error at the operation", "[interp]") {
  CHECK_THROWS_AS(edict::rt::IntMul(INT64_MAX, 2, {}), edict::rt::EvalError);
  CHECK_THROWS_AS(edict::rt::IntNeg(INT64_MIN, {}), edict::rt::EvalError);
  CHECK(edict::rt::IntAdd(INT64_MAX - 1, 1, {}) == INT64_MAX);
}
