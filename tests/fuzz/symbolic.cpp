// Fuzz target `symbolic`: the fuzzer's bytes drive a small generator of well-typed Edict
// programs (one decision over integers, decimals, booleans, an enum and a set of it, dates and
// durations, with lets, constants, helpers, exceptions and a default) and pick random cases for
// them (cases::Generator, seeded from the bytes). For each case the interpreter (the reference),
// the Z3 encoding of the decision (compiler/smt/encode.*, evaluated in a model fixing the inputs)
// and the JIT (the traced general function and the public speculative one) must agree: the same
// runtime error, or the same outcome decided by the same rules.
//
// One disagreement is expected and skipped: the encoding models a decimal's `overflow` by
// magnitude (|x| >= 2^127), while a value also fails when its reduced numerator or denominator
// does not fit in 128 bits (see compiler/smt/encode.h). So a case the interpreter fails with
// `overflow` at a decimal operation while the encoding says otherwise is not compared. The other
// direction (the encoding predicts `overflow`, the interpreter computes a value) is a defect.
//
// EDICT_FUZZ_PRINT=1 prints each generated program and its cases; EDICT_FUZZ_NO_JIT=1 leaves the
// JIT out (faster).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/args.h>
#include <fmt/format.h>
#include <z3++.h>

#include "compiler/cases/generate.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/smt/encode.h"
#include "tests/fuzz/fuzz_support.h"

using namespace edict;

namespace {

bool print = false;
bool use_jit = true;

// The fuzzer's bytes, read as small choices; past the end every choice is 0.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  uint32_t Below(uint32_t n) {
    if (n <= 1) return 0;
    uint32_t v = p_ < end_ ? *p_++ : 0;
    if (n > 256 && p_ < end_) v = v << 8 | *p_++;
    return v % n;
  }
  bool Chance(uint32_t one_in) { return Below(one_in) == 0; }
  uint64_t Seed() {
    uint64_t s = 0;
    for (int i = 0; i < 8; ++i) s = s << 8 | (p_ < end_ ? *p_++ : 0);
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

enum class T { Int, Dec, Bool, Colour, Verdict, Date, Dur, Set, Out };

const char* TypeName(T t) {
  switch (t) {
    case T::Int: return "integer";
    case T::Dec: return "decimal";
    case T::Bool: return "bool";
    case T::Colour: return "Colour";
    case T::Verdict: return "Verdict";
    case T::Date: return "date";
    case T::Dur: return "duration";
    case T::Set: return "set of Colour";
    case T::Out: return "Out";
  }
  return "?";
}

struct Helper {
  std::string name;
  T result;
};

// Generates the text of one program from the bytes.
class ProgramGen {
 public:
  explicit ProgramGen(Bytes& in) : in_(in) {}

  std::string Program() {
    std::string s =
        "enum Colour { red, green, blue }\n"
        "enum Verdict { yes, no, maybe }\n"
        "record Out { v: integer; w: Verdict; }\n"
        "record In {\n"
        "  n: integer where n >= -1000 and n <= 1000;\n"
        "  q: decimal where q >= -100 and q <= 100;\n"
        "  d: date where d >= 2000-01-01 and d <= 2030-12-31;\n"
        "}\n";
    // Constants (over literals and earlier constants).
    uint32_t consts = in_.Below(3);
    for (uint32_t i = 0; i < consts; ++i) {
      T t = ScalarType();
      std::string name = fmt::format("k{}", i);
      s += fmt::format("const {}: {} = {};\n", name, TypeName(t), Expr(t, 2));
      globals_.push_back({name, t});
    }
    // Helpers (over their parameters, constants and earlier helpers).
    uint32_t helpers = in_.Below(3);
    for (uint32_t i = 0; i < helpers; ++i) {
      T t = ScalarType();
      std::string name = fmt::format("h{}", i);
      scope_ = {{"a", T::Int}, {"p", T::Dec}, {"e", T::Date}};
      s += fmt::format("def {}(a: integer, p: decimal, e: date): {} = {};\n", name, TypeName(t), Expr(t, 3));
      helpers_.push_back({name, t});
    }
    // The decision.
    T out = OutcomeType();
    scope_ = {{"x.n", T::Int}, {"x.q", T::Dec},  {"x.d", T::Date}, {"i", T::Int}, {"k", T::Dec},
              {"b", T::Bool},  {"c", T::Colour}, {"s", T::Set},    {"t", T::Date}};
    s += fmt::format(
        "decision f(x: In, i: integer, k: decimal, b: bool, c: Colour, s: set of Colour, t: date) -> {} {{\n",
        TypeName(out));
    uint32_t lets = in_.Below(3);
    for (uint32_t i = 0; i < lets; ++i) {
      T t = ScalarType();
      std::string name = fmt::format("l{}", i);
      s += fmt::format("  let {} = {};\n", name, Expr(t, 3));
      scope_.push_back({name, t});
    }
    uint32_t rules = 1 + in_.Below(5);
    for (uint32_t r = 0; r < rules; ++r) {
      s += fmt::format("  rule r{} cite \"({})\"", r, r);
      std::string except;
      for (uint32_t o = 0; o < r; ++o)
        if (in_.Chance(3)) except += (except.empty() ? "" : ", ") + fmt::format("r{}", o);
      if (!except.empty()) s += " exception to " + except;
      if (!in_.Chance(8)) s += " when " + Expr(T::Bool, 4);
      s += " then " + Expr(out, 3) + ";\n";
    }
    if (!in_.Chance(3)) s += "  default then " + Expr(out, 2) + ";\n";
    return s + "}\n";
  }

 private:
  T ScalarType() {
    static const T kinds[] = {T::Int, T::Dec, T::Bool, T::Colour, T::Date, T::Dur, T::Int, T::Dec, T::Bool};
    return kinds[in_.Below(std::size(kinds))];
  }
  T OutcomeType() {
    static const T kinds[] = {T::Verdict, T::Verdict, T::Out,  T::Int, T::Dec,
                              T::Bool,    T::Colour,  T::Date, T::Set, T::Dur};
    return kinds[in_.Below(std::size(kinds))];
  }

  std::string Pick(const std::vector<const char*>& v) { return v[in_.Below(uint32_t(v.size()))]; }

  // The pattern, each {} replaced by the next part. The parts come in a braced list, which C++
  // evaluates in order, left to right; the arguments of a call (fmt::format's) are evaluated in an
  // unspecified order (gcc: right to left, clang: left to right). Each part reads bytes, so with
  // fmt::format the same input made another program in a gcc build than in the clang fuzz build,
  // and a regression input the fuzzer found did not replay its program there.
  static std::string Seq(std::string_view pattern, std::initializer_list<std::string> parts) {
    fmt::dynamic_format_arg_store<fmt::format_context> args;
    for (const std::string& part : parts) args.push_back(part);
    return fmt::vformat(pattern, args);
  }

  std::string Literal(T t) {
    switch (t) {
      case T::Int:
        return Pick({"0", "1", "2", "3", "7", "10", "100", "1000", "1000000", "2147483647", "4294967296", "3037000499",
                     "3037000500", "9223372036854775807", "4611686018427387904"});
      case T::Dec:
        return Pick({"0.5", "1.5", "0.1", "2.25", "1e3", "3.14159", "100.001", "1e18", "1e30", "0.000001", "7.0", "0.3",
                     "1e-6", "12345.678"});
      case T::Bool: return Pick({"true", "false"});
      case T::Colour: return Pick({"red", "green", "blue"});
      case T::Verdict: return Pick({"yes", "no", "maybe"});
      case T::Date:
        return Pick({"2000-01-01", "2024-02-29", "2025-06-01", "9999-12-31", "0001-01-01", "2030-12-31", "1970-01-01",
                     "2025-12-31"});
      case T::Dur: return Pick({"0 days", "1 day", "30 days", "365 days", "1000000 days", "7 days"});
      case T::Set: return Pick({"{red}", "{green, blue}", "{red, green, blue}", "{blue}"});
      case T::Out: return Seq("Out {{ v: {}, w: {} }}", {Literal(T::Int), Literal(T::Verdict)});
    }
    return "?";
  }

  // A name in scope of type t (constants and, in a helper or the decision, its own names).
  bool Var(T t, std::string* out) {
    std::vector<const std::string*> names;
    for (const auto& [n, vt] : globals_)
      if (vt == t) names.push_back(&n);
    for (const auto& [n, vt] : scope_)
      if (vt == t) names.push_back(&n);
    if (names.empty()) return false;
    *out = *names[in_.Below(uint32_t(names.size()))];
    return true;
  }

  std::string Leaf(T t) {
    std::string v;
    if (!in_.Chance(3) && Var(t, &v)) return v;
    return Literal(t);
  }

  std::string Call(T t, int depth) {
    std::vector<const Helper*> hs;
    for (const auto& h : helpers_)
      if (h.result == t) hs.push_back(&h);
    if (hs.empty()) return Leaf(t);
    const Helper* h = hs[in_.Below(uint32_t(hs.size()))];
    return Seq("{}({}, {}, {})", {h->name, Expr(T::Int, depth - 1), Expr(T::Dec, depth - 1), Expr(T::Date, depth - 1)});
  }

  std::string If(T t, int depth) {
    return Seq("(if {} then {} else {})", {Expr(T::Bool, depth - 1), Expr(t, depth - 1), Expr(t, depth - 1)});
  }

  // A number: an integer or a decimal (for the operands of decimal operations).
  std::string Number(int depth) { return Expr(in_.Chance(3) ? T::Int : T::Dec, depth); }

  std::string Expr(T t, int depth) {
    if (depth <= 0 || in_.Chance(4)) return Leaf(t);
    int d = depth - 1;
    switch (t) {
      case T::Int:
        switch (in_.Below(16)) {
          case 0: return Seq("({} + {})", {Expr(T::Int, d), Expr(T::Int, d)});
          case 1: return Seq("({} - {})", {Expr(T::Int, d), Expr(T::Int, d)});
          case 2: return Seq("({} * {})", {Expr(T::Int, d), Expr(T::Int, d)});
          case 3: return Seq("(-{})", {Expr(T::Int, d)});
          case 4: return If(t, depth);
          case 5: return Seq("{}({}, {})", {Pick({"min", "max"}), Expr(T::Int, d), Expr(T::Int, d)});
          case 6: return Seq("abs({})", {Expr(T::Int, d)});
          case 7:
            return Seq("{}({})", {Pick({"floor", "ceil", "truncate", "round_half_up", "round_half_even", "to_integer"}),
                                  Expr(T::Dec, d)});
          case 8: return Seq("{}({})", {Pick({"year_of", "month_of", "day_of"}), Expr(T::Date, d)});
          case 9: return Seq("days_of({})", {Expr(T::Dur, d)});
          case 10: return Seq("count({})", {Expr(T::Set, d)});
          case 11: return Call(t, depth);
          default: return Leaf(t);
        }
      case T::Dec:
        switch (in_.Below(12)) {
          case 0: return Seq("({} + {})", {Number(d), Expr(T::Dec, d)});
          case 1: return Seq("({} - {})", {Expr(T::Dec, d), Number(d)});
          case 2: return Seq("({} * {})", {Number(d), Expr(T::Dec, d)});
          case 3: return Seq("({} / {})", {Number(d), Number(d)});
          case 4: return Seq("(-{})", {Expr(T::Dec, d)});
          case 5: return If(t, depth);
          case 6: return Seq("{}({}, {})", {Pick({"min", "max"}), Expr(T::Dec, d), Expr(T::Dec, d)});
          case 7: return Seq("abs({})", {Expr(T::Dec, d)});
          case 8: return Call(t, depth);
          default: return Leaf(t);
        }
      case T::Bool:
        switch (in_.Below(14)) {
          case 0: return Seq("(not {})", {Expr(T::Bool, d)});
          case 1: return Seq("({} and {})", {Expr(T::Bool, d), Expr(T::Bool, d)});
          case 2: return Seq("({} or {})", {Expr(T::Bool, d), Expr(T::Bool, d)});
          case 3:
          case 4: {
            std::string op = Pick({"<", "<=", ">", ">=", "==", "!="});
            return Seq("({} {} {})", {Number(d), op, Number(d)});
          }
          case 5:
            return Seq("({} {} {})", {Expr(T::Date, d), Pick({"<", "<=", ">", ">=", "==", "!="}), Expr(T::Date, d)});
          case 6:
            return Seq("({} {} {})", {Expr(T::Dur, d), Pick({"<", "<=", ">", ">=", "==", "!="}), Expr(T::Dur, d)});
          case 7: return Seq("({} {} {})", {Expr(T::Colour, d), Pick({"==", "!="}), Expr(T::Colour, d)});
          case 8: return Seq("({} {} {})", {Expr(T::Colour, d), Pick({"in", "not in"}), Expr(T::Set, d)});
          case 9: return Seq("({} == {})", {Expr(T::Bool, d), Expr(T::Bool, d)});
          case 10: return If(t, depth);
          case 11: return Call(t, depth);
          default: return Leaf(t);
        }
      case T::Colour:
        switch (in_.Below(3)) {
          case 0: return If(t, depth);
          case 1: return Call(t, depth);
          default: return Leaf(t);
        }
      case T::Verdict: return in_.Chance(3) ? If(t, depth) : Leaf(t);
      case T::Date:
        switch (in_.Below(7)) {
          case 0: return Seq("({} + {})", {Expr(T::Date, d), Expr(T::Dur, d)});
          case 1: return Seq("({} - {})", {Expr(T::Date, d), Expr(T::Dur, d)});
          case 2: return Seq("make_date({}, {}, {})", {Expr(T::Int, d), Expr(T::Int, d), Expr(T::Int, d)});
          case 3: return If(t, depth);
          case 4: return Call(t, depth);
          default: return Leaf(t);
        }
      case T::Dur:
        switch (in_.Below(8)) {
          case 0: return Seq("({} - {})", {Expr(T::Date, d), Expr(T::Date, d)});
          case 1: return Seq("({} + {})", {Expr(T::Dur, d), Expr(T::Dur, d)});
          case 2: return Seq("({} - {})", {Expr(T::Dur, d), Expr(T::Dur, d)});
          case 3: return Seq("(-{})", {Expr(T::Dur, d)});
          case 4: return Seq("({} * {})", {Expr(T::Dur, d), Expr(T::Int, d)});
          case 5: return If(t, depth);
          default: return Leaf(t);
        }
      case T::Set:
        switch (in_.Below(5)) {
          case 0: return Seq("({} {} {})", {Expr(T::Set, d), Pick({"union", "inter", "minus"}), Expr(T::Set, d)});
          case 1: return If(t, depth);
          default: return Leaf(t);
        }
      case T::Out:
        switch (in_.Below(3)) {
          case 0: return Seq("({} with {{ v: {} }})", {Expr(T::Out, d), Expr(T::Int, d)});
          case 1: return If(t, depth);
          default: return Seq("Out {{ v: {}, w: {} }}", {Expr(T::Int, d), Expr(T::Verdict, d)});
        }
    }
    return Leaf(t);
  }

  Bytes& in_;
  std::vector<std::pair<std::string, T>> globals_;
  std::vector<std::pair<std::string, T>> scope_;
  std::vector<Helper> helpers_;
};

// What one engine gives on one case: an error kind, or an outcome and the rules that decided it.
struct Result {
  int error = 0;  // 0, or 1 + RtErrorKind
  std::string outcome;
  std::vector<uint32_t> deciding;
  SourceRange at;  // where the error was raised (interpreter)
  std::string Text() const {
    if (error) return fmt::format("error {}", rt::Spelling(rt::RtErrorKind(error - 1)));
    std::string r;
    for (uint32_t d : deciding) r += d == UINT32_MAX ? " default" : fmt::format(" r{}", d);
    return outcome + " by" + r;
  }
};

Result FromTrace(const ir::Module& m, const ir::Decision& d, const rt::Value& v, const interp::DecisionTrace& trace) {
  Result r;
  r.outcome = rt::FormatValue(v, d.result, m.types);
  for (const auto& rt_ : trace.rules)
    if (rt_.decided) r.deciding.push_back(rt_.rule);
  if (r.deciding.empty()) r.deciding.push_back(UINT32_MAX);
  return r;
}

// Whether the interpreter's `overflow` at `at` is at a decimal operation (the encoding's
// documented blind spot: see the top of this file).
bool DecimalOverflowSite(const ir::Module& m, SourceRange at) {
  for (const ir::Expr& e : m.exprs)
    if (e.range.file == at.file && e.range.begin == at.begin && e.range.end == at.end &&
        m.types.kind(e.type) == rt::TypeKind::Decimal)
      return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  print = std::getenv("EDICT_FUZZ_PRINT") != nullptr;
  if (const char* j = std::getenv("EDICT_FUZZ_NO_JIT"); j && *j && std::string(j) != "0") use_jit = false;
  setenv("EDICT_NO_CACHE", "1", 1);  // a compiled program is never seen again
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  std::string text = ProgramGen(in).Program();
  uint64_t seed = in.Seed();
  int opt_level = int(in.Below(3));
  fuzz::MemoryProgram p;
  if (print) std::fprintf(stderr, "---- program\n%s", text.c_str());
  if (!fuzz::LoadText(text, p)) {
    // The generator writes only well-typed programs, except two rules that conflict on every
    // case (the checker's static-conflict), which it does not try to avoid.
    for (const auto& d : p.diags.all())
      if (d.kind != DiagKind::StaticConflict) {
        std::string all;
        for (const auto& x : p.diags.Sorted()) all += RenderText(x, p.sources, false);
        fuzz::Fail("a generated program does not check:\n" + text + all);
      }
    return -1;
  }
  const ir::Module& m = p.module;
  int found = m.FindDecision("f", -1);
  if (found < 0) fuzz::Fail("no decision f");
  uint32_t dec = uint32_t(found);
  const ir::Decision& d = m.decisions[dec];

  // The encoding.
  z3::context ctx;
  smt::TextTable texts;
  smt::Encoder enc(ctx, m, texts);
  std::vector<smt::Sym> inputs;
  std::unique_ptr<smt::DecisionSym> sym;
  try {
    inputs = enc.MakeInputs(d);
    sym = std::make_unique<smt::DecisionSym>(enc.Decision(dec, inputs));
  } catch (const smt::Unsupported& u) {
    fuzz::Fail("the encoding does not support a generated construct: " + u.what + "\n" + text);
  }

  // The engines.
  interp::Interpreter interp(m);
  std::unique_ptr<jit::Engine> traced, untraced;
  std::unique_ptr<jit::Runner> traced_run, untraced_run;
  if (use_jit) {
    std::string error;
    traced = jit::Engine::Create(m, jit::Options{true, opt_level, {}, false}, &error);
    if (!traced) fuzz::Fail("the JIT cannot compile a generated program: " + error + "\n" + text);
    untraced = jit::Engine::Create(m, jit::Options{false, opt_level, {}, false}, &error);
    if (!untraced) fuzz::Fail("the JIT cannot compile a generated program: " + error + "\n" + text);
    traced_run = std::make_unique<jit::Runner>(m, *traced);
    untraced_run = std::make_unique<jit::Runner>(m, *untraced);
  }

  cases::Generator gen(m, dec, seed);
  for (int n = 0; n < 8; ++n) {
    std::vector<rt::Value> args = gen.Next();
    std::string case_text;
    for (size_t i = 0; i < args.size(); ++i)
      case_text +=
          fmt::format("{}{}: {}", i ? ", " : "", d.params[i].name, rt::FormatValue(args[i], d.params[i].type, m.types));
    if (print) std::fprintf(stderr, "-- case %s\n", case_text.c_str());

    Result want;
    try {
      interp::DecisionTrace trace;
      rt::Value v = interp.EvalDecision(dec, args, &trace);
      want = FromTrace(m, d, v, trace);
    } catch (const rt::EvalError& e) {
      want.error = 1 + int(e.kind);
      want.at = e.range;
      if (print)
        std::fprintf(stderr, "   interpreter: %s at %s\n", e.message.c_str(), p.sources.Where(e.range).c_str());
    }

    // Z3: the outcome in a model where the inputs are the case's values.
    z3::solver solver(ctx);
    solver.add(enc.domain());
    for (size_t i = 0; i < args.size(); ++i) {
      smt::Sym value = enc.Constant(args[i], d.params[i].type);
      solver.add(enc.Equal(inputs[i], value, d.params[i].type));
    }
    if (solver.check() != z3::sat)
      fuzz::Fail("a generated case lies outside the encoded domain: " + case_text + "\n" + text);
    z3::model model = solver.get_model();
    Result z;
    int64_t err = 0;
    if (!model.eval(sym->outcome.err, true).is_numeral_i64(err)) fuzz::Fail("the encoded error is not a number");
    z.error = int(err);
    if (!z.error) {
      z.outcome = rt::FormatValue(enc.Decode(model, sym->outcome, d.result), d.result, m.types);
      for (uint32_t r = 0; r < sym->winners.size(); ++r)
        if (model.eval(sym->winners[r], true).is_true()) z.deciding.push_back(r);
      if (z.deciding.empty()) z.deciding.push_back(UINT32_MAX);
    }
    bool blind_spot =
        want.error == 1 + int(rt::RtErrorKind::Overflow) && z.error != want.error && DecimalOverflowSite(m, want.at);
    if (!blind_spot &&
        (z.error != want.error || (!want.error && (z.outcome != want.outcome || z.deciding != want.deciding))))
      fuzz::Fail(fmt::format("the interpreter and Z3 disagree on case {}:\n  interpreter: {}{}\n  Z3:          {}\n{}",
                             case_text, want.Text(), want.error ? " at " + p.sources.Where(want.at) : "", z.Text(),
                             text));

    if (!use_jit) continue;
    for (int t = 0; t < 2; ++t) {
      Result j;
      try {
        interp::DecisionTrace trace;
        rt::Value v = t ? untraced_run->Eval(dec, args, nullptr) : traced_run->Eval(dec, args, &trace);
        j = FromTrace(m, d, v, trace);
        if (t) j.deciding = want.deciding;  // an untraced engine reports no rules
      } catch (const rt::EvalError& e) {
        j.error = 1 + int(e.kind);
      } catch (const std::logic_error& e) {  // the runner's own cross-check of errors
        fuzz::Fail(fmt::format("{} on case {}\n{}", e.what(), case_text, text));
      }
      if (j.error != want.error || (!want.error && (j.outcome != want.outcome || j.deciding != want.deciding)))
        fuzz::Fail(fmt::format(
            "the interpreter and the JIT ({}) disagree on case {}:\n  interpreter: {}\n  JIT:         {}\n{}",
            t ? "public function" : "traced", case_text, want.Text(), j.Text(), text));
    }
  }
  return 0;
}
