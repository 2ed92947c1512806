// Mutation robustness: damaged sources must give diagnostics, never a crash, and programs that
// still check must evaluate their tests without internal errors. Deterministic (fixed seed).
#include <catch2/catch.hpp>

#include <atomic>
#include <new>
#include <random>

#include "compiler/base/source.h"
#include "compiler/cases/pipeline.h"
#include "test_support.h"

TEST_CASE("mutated sources never crash the front end or the interpreter", "[robustness]") {
  std::string original;
  REQUIRE(edict::ReadFile(EDICT_SOURCE_DIR "/tests/bench/peers.edict", &original));
  std::string countries;
  REQUIRE(edict::ReadFile(EDICT_SOURCE_DIR "/stdlib/countries.edict", &countries));
  // Inline the import so that the test is self-contained.
  original.replace(original.find("import countries;"), 17, countries);
  const std::vector<std::string> tokens = {"(",
                                           ")",
                                           "{",
                                           "}",
                                           "[",
                                           "]",
                                           ";",
                                           ",",
                                           ":",
                                           ".",
                                           "rule",
                                           "when",
                                           "then",
                                           "exception to",
                                           "default",
                                           "let",
                                           "1e99",
                                           "0",
                                           "\"",
                                           "2025-02-30",
                                           "in",
                                           "not",
                                           "union",
                                           "with",
                                           "[tpp]",
                                           "/",
                                           "*",
                                           "x",
                                           "decision",
                                           "->",
                                           "99999999999999999999",
                                           "\n",
                                           "é",
                                           "all",
                                           "exists"};
  std::mt19937 rng(20261122);
  int checked_ok = 0;
  for (int i = 0; i < 600; ++i) {
    std::string s = original;
    int edits = 1 + int(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      size_t p = rng() % s.size();
      switch (rng() % 3) {
        case 0: s.erase(p, 1 + rng() % 20); break;
        case 1: s.insert(p, tokens[rng() % tokens.size()]); break;
        default: s.insert(p, s.substr(p, 1 + rng() % 40)); break;
      }
    }
    Checked c(s);
    if (!c.ok()) continue;
    ++checked_ok;
    REQUIRE(edict::ir::Verify(c.module).empty());
    edict::interp::Interpreter in(c.module);
    for (uint32_t t = 0; t < c.module.tests.size(); ++t) CHECK_NOTHROW(in.RunTest(t));
  }
  CHECK(checked_ok > 0);  // some mutations are harmless (inside comments, duplicated blank space)
}

TEST_CASE("newlines are counted exactly, a block of bytes at a time", "[pipeline]") {
  // Bytes next to '\n' (0x0a) in value or bit pattern, and high bytes, must never count.
  std::string s;
  uint64_t seed = 12345;
  size_t expected = 0;
  for (int i = 0; i < 10000; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    const unsigned char pool[] = {'\n', 0x0b, 0x09, 0x8a, 0x0a ^ 0x80, 0xff, 0x00, 'a', 0x1a, 0x4a};
    unsigned char c = pool[(seed >> 33) % sizeof(pool)];
    s.push_back(char(c));
    expected += c == '\n';
    if (i < 64 || i % 997 == 0) CHECK(edict::cases::CountNewlines(s) == expected);  // each tail length
  }
  CHECK(edict::cases::CountNewlines(s) == expected);
  CHECK(edict::cases::CountNewlines("") == 0);
  CHECK(edict::cases::CountNewlines("\n\n\n\n\n\n\n\n\n") == 9);
  // Every byte a newline, for more blocks than a byte lane can count before it is summed.
  CHECK(edict::cases::CountNewlines(std::string(16 * 600 + 7, '\n')) == 16 * 600 + 7);
}

TEST_CASE("an exception on a worker or the writer stops the pipeline and reaches the caller", "[pipeline]") {
  // 1,000,000 short lines, about 16 chunks of 1 MiB: the failure happens while others are in flight.
  std::string text;
  for (int i = 0; i < 1000000; ++i) text += "{\"x\": " + std::to_string(i) + "}\n";
  for (int where = 0; where < 2; ++where) {  // 0: a worker throws; 1: the writer does
    std::FILE* in = std::tmpfile();
    REQUIRE(in);
    REQUIRE(std::fwrite(text.data(), 1, text.size(), in) == text.size());
    std::rewind(in);
    edict::cases::PipelineOptions options;
    options.threads = 4;
    options.name = "cases";
    std::atomic<int> processed{0};
    std::atomic<int> consumed{0};
    auto make_worker = [&] {
      return std::function<void(edict::cases::LineChunk&)>([&](edict::cases::LineChunk&) {
        if (where == 0 && processed++ == 3) throw std::bad_alloc();
      });
    };
    auto consume = [&](edict::cases::LineChunk&) {
      if (where == 1 && consumed++ == 2) throw std::bad_alloc();
    };
    std::string error;
    CHECK_THROWS_AS(edict::cases::RunLinePipeline(in, options, make_worker, consume, &error), std::bad_alloc);
    std::fclose(in);
  }
}
