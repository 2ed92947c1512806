// Benchmarks (programs, not tests): numbers for docs/performance.md.
//
//   edict_bench check [LINES]                        parse + check a generated regulation
//   edict_bench program [LINES]                      print that regulation
//   edict_bench interp FILE DECISION CASES.jsonl     interpreter decisions per second
//   edict_bench verdicts FILE DECISION CASES.jsonl OUT   one outcome per line (for the peers harness)
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>

#include <fmt/format.h>

#include "compiler/check/check.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/load/load.h"
#include "compiler/parse/parse.h"
#include "runtime/case_json.h"
#include "runtime/layout.h"
#include "tests/bench/generated_program.h"

using Clock = std::chrono::steady_clock;
using namespace edict;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// The CPU time of this process so far, in seconds: on a shared, loaded machine the wall time
// also counts the time other processes had the core.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

int BenchCheck(int lines) {
  std::string text = GenerateProgram(lines);
  int actual = int(std::count(text.begin(), text.end(), '\n'));
  double best = 1e9, best_cpu = 1e9, best_parse = 1e9, best_check = 1e9;
  size_t decisions = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Clock::now();
    double c0 = CpuSeconds();
    SourceManager sm;
    Diagnostics d;
    uint32_t id = sm.Add("generated.edict", text);
    std::vector<ast::File> files;
    files.push_back(parse::Parse(sm, id, d));
    double c1 = CpuSeconds();
    ir::Module m = check::Check(files, sm, d);
    auto t1 = Clock::now();
    double c2 = CpuSeconds();
    if (d.error_count()) {
      for (const auto& x : d.all()) std::cerr << RenderText(x, sm, false);
      return 1;
    }
    decisions = m.decisions.size();
    best = std::min(best, Seconds(t0, t1));
    best_cpu = std::min(best_cpu, c2 - c0);
    best_parse = std::min(best_parse, c1 - c0);
    best_check = std::min(best_check, c2 - c1);
  }
  std::cout << fmt::format(
      "check: {} lines, {} bytes, {} decisions: parse + check {:.1f} ms (best of 5); CPU time {:.1f} ms (parse "
      "{:.1f} ms, check {:.1f} ms; each the best of 5)\n",
      actual, text.size(), decisions, best * 1000, best_cpu * 1000, best_parse * 1000, best_check * 1000);
  return 0;
}

// The program `check` times, on standard output (for the language server's latency measurement,
// tests/lsp/client.py).
int PrintProgram(int lines) {
  std::cout << GenerateProgram(lines) << std::flush;
  if (!std::cout) {
    std::cerr << "edict_bench: cannot write the program to the standard output\n";
    return 74;
  }
  return 0;
}

struct Loaded {
  load::Program p;
  int decision = -1;
  std::vector<std::vector<rt::Value>> cases;
};

bool LoadCases(const std::string& file, const std::string& decision, const std::string& cases_path, Loaded& l) {
  Diagnostics d;
  if (!load::Load({file}, l.p, d)) {
    for (const auto& x : d.all()) std::cerr << RenderText(x, l.p.sources, false);
    return false;
  }
  l.decision = l.p.module.FindDecision(decision);
  if (l.decision < 0) {
    std::cerr << "no decision " << decision << "\n";
    return false;
  }
  std::vector<rt::CaseParam> params;
  for (const auto& prm : l.p.module.decisions[size_t(l.decision)].params) params.push_back({prm.name, prm.type});
  rt::CaseDecoder dec(l.p.module.types, params);
  std::ifstream in(cases_path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto c = dec.Decode(line);
    if (!c.issues.empty()) {
      std::cerr << cases_path << ":" << n << ": " << c.issues[0].field << " " << c.issues[0].message << "\n";
      return false;
    }
    l.cases.push_back(std::move(c.args));
  }
  return !l.cases.empty();
}

// Decisions per second of three timed runs (after `warmups` untimed ones), sorted: each run
// repeats `pass`, which evaluates `per_pass` cases, for at least a second.
std::vector<double> Rates(int warmups, size_t per_pass, const std::function<void()>& pass) {
  std::vector<double> rates;
  for (int rep = 0; rep < warmups + 3; ++rep) {
    size_t done = 0;
    auto a = Clock::now();
    double el = 0;
    while (el < 1.0) {
      pass();
      done += per_pass;
      el = Seconds(a, Clock::now());
    }
    if (rep >= warmups) rates.push_back(double(done) / el);
  }
  std::sort(rates.begin(), rates.end());
  return rates;
}

int BenchInterp(const std::string& file, const std::string& decision, const std::string& cases_path) {
  Loaded l;
  auto t0 = Clock::now();
  if (!LoadCases(file, decision, cases_path, l)) return 1;
  auto t1 = Clock::now();
  interp::Interpreter in(l.p.module);
  for (size_t i = 0; i < std::min<size_t>(l.cases.size(), 10000); ++i)
    in.EvalDecision(uint32_t(l.decision), l.cases[i]);
  std::vector<double> rates = Rates(0, l.cases.size(), [&] {
    for (const auto& c : l.cases) in.EvalDecision(uint32_t(l.decision), c);
  });
  std::cout << fmt::format(
      "interp: program loaded and {} cases decoded in {:.3f} s; {} decisions/s (median of 3; runs {:.0f}, {:.0f}, "
      "{:.0f})\n",
      l.cases.size(), Seconds(t0, t1), size_t(rates[1]), rates[0], rates[1], rates[2]);
  std::cout << fmt::format("RESULT {{\"engine\":\"interp\",\"dps\":{:.0f},\"runs\":[{:.0f},{:.0f},{:.0f}]}}\n",
                           rates[1], rates[0], rates[1], rates[2]);
  return 0;
}

// Native throughput: cases decoded once into flat input structs, then the JIT-compiled
// decision called in a loop (one thread), median of three runs of at least a second.
int BenchJit(const std::string& file, const std::string& decision, const std::string& cases_path) {
  Loaded l;
  if (!LoadCases(file, decision, cases_path, l)) return 1;
  std::string error;
  auto t0 = Clock::now();
  auto engine =
      jit::Engine::Create(l.p.module, jit::Options{false, 2, {}, false}, &error);  // no cache: compile time is measured
  if (!engine) {
    std::cerr << error << "\n";
    return 1;
  }
  double compile_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const ir::Decision& d = l.p.module.decisions[size_t(l.decision)];
  const jit::DecisionInfo& info = engine->info(uint32_t(l.decision));
  size_t stride = info.input.size;  // the batch entry's strides
  std::vector<uint8_t> raw(stride * l.cases.size() + 16);
  uint8_t* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw.data()) + 15) / 16 * 16);
  rt::Arena arena;
  for (size_t i = 0; i < l.cases.size(); ++i)
    for (size_t k = 0; k < d.params.size(); ++k)
      rt::WriteFlat(l.cases[i][k], d.params[k].type, l.p.module.types, engine->layouts(),
                    base + i * stride + info.input.field_offsets[k], arena);
  alignas(16) uint8_t out[4096];
  jit::NativeError err;
  jit::DecisionFn fn = engine->decision(uint32_t(l.decision));
  // EDICT_BENCH_CALL=1 measures one native call per case from the host instead of the batch entry.
  jit::BatchFn batch = std::getenv("EDICT_BENCH_CALL") ? nullptr : engine->batch(uint32_t(l.decision));
  size_t out_stride = info.output_size;
  std::vector<uint8_t> outs(out_stride * l.cases.size() + 16);
  std::vector<int32_t> statuses(l.cases.size());
  std::vector<jit::NativeError> errors(l.cases.size());
  uint64_t checksum = 0;
  std::vector<double> rates = Rates(1, l.cases.size(), [&] {
    if (batch) {
      batch(base, l.cases.size(), outs.data(), statuses.data(), errors.data());
      checksum += outs[0] + uint64_t(statuses[l.cases.size() / 2]);
    } else {
      for (size_t i = 0; i < l.cases.size(); ++i) {
        checksum += uint64_t(fn(base + i * stride, out, &err, nullptr));
        checksum += out[0];
      }
    }
  });
  std::cout << fmt::format(
      "jit ({}): compile {:.1f} ms; {} decisions/s (median of 3; runs {:.0f}, {:.0f}, {:.0f}); checksum {}\n",
      batch ? "batch entry" : "one call per case", compile_ms, size_t(rates[1]), rates[0], rates[1], rates[2],
      checksum % 1000);
  std::cout << fmt::format(
      "RESULT {{\"engine\":\"jit\",\"dps\":{:.0f},\"runs\":[{:.0f},{:.0f},{:.0f}],\"compile_ms\":{:.1f}}}\n", rates[1],
      rates[0], rates[1], rates[2], compile_ms);
  return 0;
}

// JIT compile time of each decision of a file's version of the law, compiled alone with the
// decisions it calls (as `eval`, `batch` and `build` do): lowering, optimisation, machine code.
int BenchCompile(const std::vector<std::string>& files) {
  for (const auto& file : files) {
    load::Program p;
    Diagnostics d;
    if (!load::Load({file}, p, d)) return 1;
    for (const auto& [name, di] : p.module.versions.back().decisions) {
      std::vector<double> ms;
      for (int rep = 0; rep < 3; ++rep) {
        std::string error;
        auto engine = jit::Engine::Create(p.module, jit::Options{false, 2, {di}, false}, &error);
        if (!engine) {
          std::cerr << error << "\n";
          return 1;
        }
        ms.push_back(engine->compile_ms());
      }
      std::sort(ms.begin(), ms.end());
      std::cout << fmt::format("compile {} `{}` ({} rules): {:.0f} ms (median of 3)\n", file, name,
                               p.module.decisions[di].rules.size(), ms[1]);
    }
  }
  return 0;
}

int Verdicts(const std::string& file, const std::string& decision, const std::string& cases_path,
             const std::string& out) {
  Loaded l;
  if (!LoadCases(file, decision, cases_path, l)) return 1;
  interp::Interpreter in(l.p.module);
  std::ofstream o(out);
  rt::TypeId t = l.p.module.decisions[size_t(l.decision)].result;
  for (const auto& c : l.cases)
    o << rt::FormatValue(in.EvalDecision(uint32_t(l.decision), c), t, l.p.module.types) << "\n";
  return 0;
}

// Decoding alone: the cases file's lines, in memory, decoded into the flat layout on one thread
// (what each `edict batch` worker does before evaluating).
int BenchDecode(const std::string& file, const std::string& decision, const std::string& cases_path) {
  Loaded l;
  Diagnostics d;
  if (!load::Load({file}, l.p, d)) return 1;
  int dec_index = l.p.module.FindDecision(decision);
  if (dec_index < 0) {
    std::cerr << "no decision " << decision << "\n";
    return 1;
  }
  std::vector<rt::CaseParam> params;
  for (const auto& prm : l.p.module.decisions[size_t(dec_index)].params)
    params.push_back({prm.name, prm.type, nullptr});
  rt::CaseDecoder dec(l.p.module.types, params);
  std::ifstream in(cases_path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.append(rt::CaseDecoder::kPadding, ' ');
  std::vector<std::string_view> lines;
  for (size_t pos = 0, end; pos < text.size() - rt::CaseDecoder::kPadding; pos = end + 1) {
    end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size() - rt::CaseDecoder::kPadding;
    if (end > pos) lines.push_back(std::string_view(text.data() + pos, end - pos));
  }
  rt::Layouts layouts(l.p.module.types);
  std::vector<rt::TypeId> types;
  for (const auto& p : params) types.push_back(p.type);
  size_t stride = (layouts.Struct(types).size + 15) / 16 * 16;
  std::vector<uint8_t> flat(stride * lines.size() + 16);
  rt::Arena arena;
  std::vector<rt::CaseIssue> issues;
  size_t bad = 0;
  std::vector<double> rates = Rates(1, lines.size(), [&] {
    arena.Clear();
    for (size_t i = 0; i < lines.size(); ++i)
      bad += !dec.DecodeFlat(lines[i], flat.data() + i * stride, arena, &issues);
  });
  double mb = double(text.size()) / 1e6;
  std::cout << fmt::format("decode (1 thread): {:.0f} cases/s, {:.0f} MB/s (median of 3); {} lines, {} bad\n", rates[1],
                           rates[1] * mb / double(lines.size()), lines.size(), bad);
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "check") return BenchCheck(argc > 2 ? std::atoi(argv[2]) : 10000);
  if (cmd == "program") return PrintProgram(argc > 2 ? std::atoi(argv[2]) : 10000);
  if (cmd == "interp" && argc == 5) return BenchInterp(argv[2], argv[3], argv[4]);
  if (cmd == "jit" && argc == 5) return BenchJit(argv[2], argv[3], argv[4]);
  if (cmd == "compile" && argc >= 3) return BenchCompile(std::vector<std::string>(argv + 2, argv + argc));
  if (cmd == "decode" && argc == 5) return BenchDecode(argv[2], argv[3], argv[4]);
  if (cmd == "verdicts" && argc == 6) return Verdicts(argv[2], argv[3], argv[4], argv[5]);
  std::cerr
      << "usage: edict_bench check|program [LINES] | interp|jit|decode FILE DECISION CASES.jsonl | compile FILE... | "
         "verdicts FILE DECISION CASES.jsonl OUT\n";
  return 64;
}
