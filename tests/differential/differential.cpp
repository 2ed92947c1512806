// Differential testing of the engines: seeded random cases (cases::Generator, biased to the
// boundaries the rules compare against) run through the interpreter (the oracle) and the JIT;
// every outcome, trace (rules applied, overridden, deciding; every atom evaluated and its value)
// and runtime error (kind and position) must be identical. The JIT runs twice more without
// traces, as `batch`, `eval` and built libraries do (speculative code with its exact fallback):
// once on inputs in the canonical form Edict's decoders write, once with every decimal of the
// input in another form (lowest terms), which native code must read exactly too.
//
//   edict_differential [--cases N] [--seed S] FILE...    every decision of each file's version
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "compiler/base/stack.h"
#include "compiler/cases/generate.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/load/load.h"
#include "runtime/abi.h"
#include "runtime/value.h"

using namespace edict;

namespace {

std::string TraceText(const ir::Module& m, const interp::DecisionTrace& t) {
  std::string s;
  for (const auto& r : t.rules) {
    s += fmt::format("r{}:{}{}[", r.rule == UINT32_MAX ? -1 : int(r.rule), r.applicable ? "A" : "-",
                     r.decided ? "D" : "-");
    for (uint32_t o : r.overridden_by) s += fmt::format("o{} ", o);
    for (const auto& a : r.atoms) s += fmt::format("{}={} ", a.expr, a.value ? 1 : 0);
    s += "] ";
  }
  (void)m;
  return s;
}

// Rewrites every decimal of a flat value that is not boxed in lowest terms (a canonical one,
// over its field's scale, then differs from what the decoders write).
void Decanonicalise(uint8_t* p, rt::TypeId t, const rt::TypeTable& types, const rt::Layouts& L) {
  const auto& ti = types.info(t);
  if (ti.kind == rt::TypeKind::Decimal) {
    int64_t num, den;
    std::memcpy(&num, p, 8);
    std::memcpy(&den, p + 8, 8);
    if (den <= 0) return;  // boxed
    int64_t g = std::gcd(num < 0 ? -num : num, den);
    num /= g;
    den /= g;
    std::memcpy(p, &num, 8);
    std::memcpy(p + 8, &den, 8);
  } else if (ti.kind == rt::TypeKind::Record) {
    const auto& r = types.records[ti.ref];
    for (size_t i = 0; i < r.fields.size(); ++i)
      Decanonicalise(p + L.of(t).field_offsets[i], r.fields[i].type, types, L);
  } else if (ti.kind == rt::TypeKind::Sum) {  // the value of the member held
    int32_t member;
    std::memcpy(&member, p, 4);
    const auto& en = types.enums[ti.ref];
    if (en.HasPayload(uint32_t(member)))
      Decanonicalise(p + L.of(t).payload_offset, en.payloads[size_t(member)], types, L);
  } else if (ti.kind == rt::TypeKind::List) {
    uint8_t* elems;
    int64_t count;
    std::memcpy(&elems, p, 8);
    std::memcpy(&count, p + 8, 8);
    for (int64_t i = 0; i < count; ++i) Decanonicalise(elems + i * L.of(ti.ref).size, ti.ref, types, L);
  }
}

// The outcome of the engine's public (untraced) function, as text.
std::string RunUntraced(const ir::Module& m, const jit::Engine& e, uint32_t d, const std::vector<rt::Value>& args,
                        bool canonical, rt::Arena& arena) {
  const jit::DecisionInfo& info = e.info(d);
  const rt::Layouts& L = e.layouts();
  arena.Clear();
  std::vector<std::max_align_t> in(info.input.size / sizeof(std::max_align_t) + 1);
  std::vector<std::max_align_t> out(info.output_size / sizeof(std::max_align_t) + 1);
  auto* in_bytes = reinterpret_cast<uint8_t*>(in.data());
  for (size_t i = 0; i < args.size(); ++i) {
    uint8_t* p = in_bytes + info.input.field_offsets[i];
    rt::WriteFlat(args[i], m.decisions[d].params[i].type, m.types, L, p, arena);
    if (!canonical) Decanonicalise(p, m.decisions[d].params[i].type, m.types, L);
  }
  edict_rt_boxes_reset();
  jit::NativeError err{};
  int32_t status = e.decision(d)(in_bytes, reinterpret_cast<uint8_t*>(out.data()), &err, nullptr);
  if (status == 0)
    return "ok " +
           rt::FormatValue(rt::ReadFlat(reinterpret_cast<uint8_t*>(out.data()), m.decisions[d].result, m.types, L),
                           m.decisions[d].result, m.types);
  SourceRange at = e.site(err.site);
  return fmt::format("error {} at {}:{}", rt::Spelling(rt::RtErrorKind(err.kind)), at.begin, at.end);
}

int Run(int argc, char** argv) {
  size_t cases = 100000;
  uint64_t seed = 20261122;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--cases" && i + 1 < argc)
      cases = std::stoul(argv[++i]);
    else if (a == "--seed" && i + 1 < argc)
      seed = std::stoull(argv[++i]);
    else
      files.push_back(a);
  }
  int failures = 0;
  for (const std::string& file : files) {
    load::Program p;
    Diagnostics diags;
    if (!load::Load({file}, p, diags)) {
      for (const auto& d : diags.all()) std::cerr << RenderText(d, p.sources, false);
      return 2;
    }
    std::string error;
    auto engine = jit::Engine::Create(p.module, jit::Options{true, 2}, &error);
    if (!engine) {
      std::cerr << file << ": " << error << "\n";
      return 2;
    }
    auto untraced = jit::Engine::Create(p.module, jit::Options{false, 2}, &error);
    if (!untraced) {
      std::cerr << file << ": " << error << "\n";
      return 2;
    }
    rt::Arena arena;
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
        std::string fast = RunUntraced(p.module, *untraced, d, args, true, arena);
        std::string other = RunUntraced(p.module, *untraced, d, args, false, arena);
        outcomes[expected.substr(0, expected.find(' ', 6))]++;
        if (expected != actual || trace_i != trace_j || expected != fast || expected != other) {
          if (++mismatches <= 3) {
            std::cerr << fmt::format(
                "MISMATCH {} `{}` case {}: {}\n  interpreter: {}\n  jit:         {}\n"
                "  jit untraced: {}\n  jit untraced, decimals in lowest terms: {}\n",
                file, name, i, gen.ToJson(args), expected, actual, fast, other);
            if (trace_i != trace_j)
              std::cerr << "  trace interpreter: " << trace_i << "\n  trace jit:         " << trace_j << "\n";
          }
        }
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::string mix;
      for (const auto& [k, v] : outcomes) mix += fmt::format("{}{} {}", mix.empty() ? "" : ", ", k, v);
      if (outcomes.size() > 12) mix = fmt::format("{} distinct outcomes", outcomes.size());
      std::cout << fmt::format("{} `{}`: {} cases, {} mismatches ({:.1f} s; {})\n", file, name, cases, mismatches, s,
                               mix);
      if (mismatches) ++failures;
    }
  }
  return failures ? 1 : 0;
}

}  // namespace

// The compiler's passes recurse as deep as the nesting limits allow and expect the stack `edict`
// gives its commands (compiler/base/stack.h): on the main thread's 8 MiB, lowering a 900-term sum
// overflowed the stack under AddressSanitizer.
int main(int argc, char** argv) {
  return RunWithStack(kCommandStackBytes, [&] { return Run(argc, argv); });
}
