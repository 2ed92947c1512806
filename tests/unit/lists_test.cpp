// Lists: the typing of the operations over lists, their semantics on the interpreter and native
// code (ties, stability, errors, long lists), and the runtime's list memory and sort order.
#include <catch2/catch.hpp>
#include <cstring>

#include "compiler/jit/run.h"
#include "runtime/abi.h"
#include "runtime/ops.h"
#include "test_support.h"

using edict::rt::Value;

namespace {

const char* kProgram = R"(
  record P { id: integer; key: integer; w: decimal; }
  decision top(ps: list of P) -> integer { default then argmax(p in ps by p.key).id; }
  decision low(ps: list of P) -> integer { default then argmin(p in ps by p.w).id; }
  decision order(ps: list of P) -> list of integer { default then [p.id for p in sort(p in ps by p.key)]; }
  decision kept(ps: list of P, n: integer) -> integer {
    default then count(p in ps where p.key > n) + sum(p.key for p in ps where p.key <= n);
  }
  decision at(ps: list of P, i: integer) -> integer { default then ps[i].id; }
  decision most(ps: list of P) -> decimal { default then max(p.w for p in ps); }
)";

Value MakeP(const edict::ir::Module& m, int64_t id, int64_t key, int64_t w_num, int64_t w_den) {
  edict::rt::Decimal w;
  edict::rt::Decimal::FromRatio(w_num, w_den, &w);
  return edict::rt::MakeRecord(m.types.info(m.types.info(m.decisions[0].params[0].type).ref).ref, {id, key, w});
}

}  // namespace

TEST_CASE("lists: each form is typed, a wrong form is invalid-list-operation", "[lists]") {
  Checked good(kProgram);
  REQUIRE(good.ok());
  Checked bad(R"(
    record P { key: integer; name: text; }
    const ps: list of P = [];
    const a: integer = count(p.key for p in ps);
    const b: integer = sum(p in ps where p.key > 1);
    const c: P = argmax(p in ps where p.key > 1);
    const d: integer = median(p.key for p in ps);
    const e: P = argmax(p in ps by p.name);
    const f: integer = ps[true].key;
  )");
  CHECK(bad.kinds() == std::vector<std::string>{"invalid-list-operation", "invalid-list-operation",
                                                "invalid-list-operation", "invalid-list-operation", "type-mismatch",
                                                "type-mismatch"});
}

TEST_CASE("lists: ties, stability and errors agree on the interpreter and native code", "[lists]") {
  Checked c(kProgram);
  REQUIRE(c.ok());
  const auto& m = c.module;
  edict::interp::Interpreter in(m);
  std::string why;
  auto engine = edict::jit::Engine::Create(m, {}, &why);
  REQUIRE(engine);
  edict::jit::Runner native(m, *engine);
  auto named = [&](const char* name) {
    for (uint32_t d = 0; d < m.decisions.size(); ++d)
      if (m.decisions[d].name == name) return d;
    FAIL("no decision " << name);
    return 0u;
  };
  const uint32_t top = named("top"), low = named("low"), order = named("order"), kept = named("kept"), at = named("at"),
                 most = named("most");
  // Keys 3, 7, 7, 1, 3: the first 7 (id 2) is the greatest; the sort keeps ids 1 before 5, 2 before 3.
  std::vector<Value> ps;
  int64_t keys[] = {3, 7, 7, 1, 3};
  for (int64_t i = 0; i < 5; ++i) ps.push_back(MakeP(m, i + 1, keys[i], 5 - (i % 2), 2));
  Value list = edict::rt::MakeList(ps);
  auto ids = [](const Value& v) {
    std::vector<int64_t> out;
    for (const Value& x : *v.AsList().elems) out.push_back(x.AsInt());
    return out;
  };
  for (auto* run : {+[](edict::interp::Interpreter&i, edict::jit::Runner&, uint32_t d, std::vector<Value> a) {
                      return i.EvalDecision(d, std::move(a));
                    },
                    +[](edict::interp::Interpreter&, edict::jit::Runner&n, uint32_t d, std::vector<Value> a) {
                      return n.Eval(d, a);
                    }}) {
    CHECK(run(in, native, top, {list}).AsInt() == 2);
    CHECK(run(in, native, low, {list}).AsInt() == 2);  // w: 2.5, 2, 2.5, 2, 2.5: the first 2 is id 2
    CHECK(ids(run(in, native, order, {list})) == std::vector<int64_t>{4, 1, 5, 2, 3});
    CHECK(run(in, native, kept, {list, Value(int64_t(3))}).AsInt() == 2 + 3 + 1 + 3);
    CHECK(run(in, native, at, {list, Value(int64_t(4))}).AsInt() == 5);
    CHECK(run(in, native, most, {list}).AsDec() == *edict::rt::Decimal::Parse("2.5"));
    for (int64_t bad : {int64_t(-1), int64_t(5), INT64_MIN}) {
      try {
        run(in, native, at, {list, Value(bad)});
        FAIL("expected index_out_of_range");
      } catch (const edict::rt::EvalError& e) { CHECK(e.kind == edict::rt::RtErrorKind::IndexOutOfRange); }
    }
    Value empty = edict::rt::MakeList({});
    for (uint32_t d : {top, low, most}) {
      try {
        run(in, native, d, {empty});
        FAIL("expected empty_list");
      } catch (const edict::rt::EvalError& e) { CHECK(e.kind == edict::rt::RtErrorKind::EmptyList); }
    }
    CHECK(ids(run(in, native, order, {empty})).empty());
    CHECK(run(in, native, kept, {empty, Value(int64_t(0))}).AsInt() == 0);
  }
  // A long list: linear operations, and a sort, beyond one chunk of list memory.
  std::vector<Value> many;
  const int64_t n = 100000;
  for (int64_t i = 0; i < n; ++i) many.push_back(MakeP(m, i, (i * 7919) % 1000, 1, 1));
  Value big = edict::rt::MakeList(many);
  auto sorted = ids(native.Eval(order, {big}));
  REQUIRE(sorted.size() == size_t(n));
  CHECK(sorted == ids(in.EvalDecision(order, {big})));
  CHECK(native.Eval(kept, {big, Value(int64_t(499))}).AsInt() ==
        in.EvalDecision(kept, {big, Value(int64_t(499))}).AsInt());
}

TEST_CASE("lists: positions, list memory and the stable order of keys", "[lists]") {
  edict::SourceRange at;
  CHECK(edict::rt::ListPosition(0, 1, at) == 0);
  CHECK_THROWS_AS(edict::rt::ListPosition(1, 1, at), edict::rt::EvalError);
  CHECK_THROWS_AS(edict::rt::ListPosition(0, 0, at), edict::rt::EvalError);
  CHECK_THROWS_AS(edict::rt::EmptyList("max", at), edict::rt::EvalError);

  edict_rt_boxes_reset();
  void* a = edict_rt_list_alloc(3);
  void* b = edict_rt_list_alloc(0);
  void* big = edict_rt_list_alloc(1 << 20);
  CHECK(reinterpret_cast<uintptr_t>(a) % 16 == 0);
  CHECK(reinterpret_cast<uintptr_t>(b) % 16 == 0);
  CHECK(a != b);
  std::memset(big, 1, 1 << 20);
  edict_rt_boxes_reset();
  CHECK(edict_rt_list_alloc(3) == a);  // reused after the reset

  int64_t keys[] = {5, -1, 5, 2, -1};
  int64_t order[5];
  edict_rt_sort_order(keys, 5, EDICT_KEYS_INT64, order);
  CHECK(std::vector<int64_t>(order, order + 5) == std::vector<int64_t>{1, 4, 3, 0, 2});
  edict_decimal decs[] = {{1, 2}, {1, 3}, {2, 4}, {-1, 1}};  // 1/2, 1/3, 2/4, -1
  edict_rt_sort_order(decs, 4, EDICT_KEYS_DECIMAL, order);
  CHECK(std::vector<int64_t>(order, order + 4) == std::vector<int64_t>{3, 1, 0, 2});
}
