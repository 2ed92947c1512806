// Differential testing of the engines: seeded random cases (cases::Generator, biased to the
// boundaries the rules compare against) run through the interpreter (the oracle) and the JIT;
// every outcome, trace (rules applied, overridden, deciding; every atom evaluated and its value)
// and runtime error (kind and position) must be identical.
//
//   edict_differential [--cases N] [--seed S] FILE...    every decision of each file's version
#include <chrono>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "compiler/cases/generate.h"
#include "compiler/driver/load.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"

using namespace edict;

namespace {

std::string TraceText(const ir::Module& m, const interp::DecisionTrace& t) {
  std::string s;
  for (const auto& r : t.rules) {
    s += fmt::format("r{}:{}{}[", r.rule == UINT32_MAX ? -1 : int(r.rule), r.applicable ? "A" : "-", r.decided ? "D" : "-");
    for (uint32_t o : r.overridden_by) s += fmt::format("o{} ", o);
    for (const auto& a : r.atoms) s += fmt::format("{}={} ", a.expr, a.value ? 1 : 0);
    s += "] ";
  }
  (void)m;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  size_t cases = 100000;
  uint64_t seed = 20261122;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--cases" && i + 1 < argc) cases = std::stoul(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else files.push_back(a);
  }
  int failures = 0;
  for (const std::string& file : files) {
    driver::Program p;
    Diagnostics diags;
    if (!driver::Load({file}, p, diags)) {
      for (const auto& d : diags.all()) std::cerr << RenderText(d, p.sources, false);
      return 2;
    }
    std::string error;
    auto engine = jit::Engine::Create(p.module, jit::Options{true, 2}, &error);
    if (!engine) {
      std::cerr << file << ": " << error << "\n";
      return 2;
    }
    jit::Runner runner(p.module, *engine);
    interp::Interpreter interp(p.module);
    for (const auto& [name, d] : p.module.versions.back().decisions) {
      auto t0 = std::chrono::steady_clock::now();
      cases::Generator gen(p.module, d, seed);
      std::map<std::string, size_t> outcomes;
      size_t mismatches = 0;
      for (size_t i = 0; i < cases; ++i) {
        std::vector<rt::Value> args = gen.Next();
        interp::DecisionTrace ti, tj;
        std::string expected, actual;
        try {
          rt::Value v = interp.EvalDecision(d, args, &ti);
          expected = "ok " + rt::FormatValue(v, p.module.decisions[d].result, p.module.types);
        } catch (const rt::EvalError& e) {
          expected = fmt::format("error {} at {}:{}", rt::Spelling(e.kind), e.range.begin, e.range.end);
        }
        auto n = runner.RunNative(d, args, &tj, false);
        if (n.status == 0) {
          actual = "ok " + rt::FormatValue(n.value, p.module.decisions[d].result, p.module.types);
        } else {
          SourceRange at = engine->site(n.error.site);
          actual = fmt::format("error {} at {}:{}", rt::Spelling(rt::RtErrorKind(n.error.kind)), at.begin, at.end);
        }
        std::string trace_i = TraceText(p.module, ti), trace_j = TraceText(p.module, tj);
        outcomes[expected.substr(0, expected.find(' ', 6))]++;
        if (expected != actual || trace_i != trace_j) {
          if (++mismatches <= 3) {
            std::cerr << fmt::format("MISMATCH {} `{}` case {}: {}\n  interpreter: {}\n  jit:         {}\n", file, name, i,
                                     gen.ToJson(args), expected, actual);
            if (trace_i != trace_j) std::cerr << "  trace interpreter: " << trace_i << "\n  trace jit:         " << trace_j << "\n";
          }
        }
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::string mix;
      for (const auto& [k, v] : outcomes) mix += fmt::format("{}{} {}", mix.empty() ? "" : ", ", k, v);
      if (outcomes.size() > 12) mix = fmt::format("{} distinct outcomes", outcomes.size());
      std::cout << fmt::format("{} `{}`: {} cases, {} mismatches ({:.1f} s; {})\n", file, name, cases, mismatches, s, mix);
      if (mismatches) ++failures;
    }
  }
  return failures ? 1 : 0;
}
