#include <catch2/catch.hpp>
#include <functional>

#include "compiler/base/limits.h"
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

TEST_CASE("an explanation traces nested calls, up to the limit", "[interp]") {
  // d0 calls d1 at two sites, d1 calls d2 at two sites ... : 2 + 4 + ... + 2^11 calls in all.
  Checked c(R"(
    decision d0(x: integer) -> integer { default then d1(x) + d1(x + 1); }
    decision d1(x: integer) -> integer { default then d2(x) + d2(x + 1); }
    decision d2(x: integer) -> integer { default then d3(x) + d3(x + 1); }
    decision d3(x: integer) -> integer { default then d4(x) + d4(x + 1); }
    decision d4(x: integer) -> integer { default then d5(x) + d5(x + 1); }
    decision d5(x: integer) -> integer { default then d6(x) + d6(x + 1); }
    decision d6(x: integer) -> integer { default then d7(x) + d7(x + 1); }
    decision d7(x: integer) -> integer { default then d8(x) + d8(x + 1); }
    decision d8(x: integer) -> integer { default then d9(x) + d9(x + 1); }
    decision d9(x: integer) -> integer { default then d10(x) + d10(x + 1); }
    decision d10(x: integer) -> integer { default then d11(x) + d11(x + 1); }
    decision d11(x: integer) -> integer { default then x; }
  )");
  REQUIRE(c.ok());
  edict::interp::Interpreter in(c.module);
  edict::interp::DecisionTrace tr;
  in.EvalDecision(0, {Value(int64_t(0))}, &tr);
  in.Explain(&tr);
  size_t traced = 0, omitted = 0;
  std::function<void(const edict::interp::DecisionTrace&)> walk = [&](const edict::interp::DecisionTrace& t) {
    for (const auto& p : t.outcome_parts)
      for (const auto& call : p.calls) {
        CHECK(call.result.has_value());
        if (call.omitted) {
          ++omitted;
          CHECK(!call.decision);
        } else {
          ++traced;
          REQUIRE(call.decision);
          walk(*call.decision);
        }
      }
  };
  REQUIRE(tr.outcome_parts.size() == 1);
  CHECK(tr.outcome_parts[0].calls.size() == 2);  // the two call sites of d0, each with its own trace
  walk(tr);
  CHECK(traced == edict::limits::kMaxTracedCalls);
  CHECK(omitted > 0);
}

TEST_CASE("integer overflow is a runtime error at the operation", "[interp]") {
  CHECK_THROWS_AS(edict::rt::IntMul(INT64_MAX, 2, {}), edict::rt::EvalError);
  CHECK_THROWS_AS(edict::rt::IntNeg(INT64_MIN, {}), edict::rt::EvalError);
  CHECK(edict::rt::IntAdd(INT64_MAX - 1, 1, {}) == INT64_MAX);
}
