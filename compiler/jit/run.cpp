#include "compiler/jit/run.h"

#include <fmt/format.h>

#include "runtime/abi.h"

#include <algorithm>
#include <cstring>

namespace edict::jit {

Runner::Runner(const ir::Module& m, const Engine& engine) : m_(m), engine_(engine), interp_(m) {}

Runner::Native Runner::RunNative(uint32_t decision, const std::vector<rt::Value>& args, interp::DecisionTrace* trace,
                                 bool trace_inputs) {
  const ir::Decision& d = m_.decisions[decision];
  const DecisionInfo& info = engine_.info(decision);
  const rt::Layouts& L = engine_.layouts();
  arena_.Clear();
  // Aligned buffers for the input struct and the outcome.
  std::vector<std::max_align_t> in((info.input.size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t) + 1);
  std::vector<std::max_align_t> out((info.output_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t) + 1);
  auto* in_bytes = reinterpret_cast<uint8_t*>(in.data());
  auto* out_bytes = reinterpret_cast<uint8_t*>(out.data());
  for (size_t i = 0; i < d.params.size(); ++i)
    rt::WriteFlat(args[i], d.params[i].type, m_.types, L, in_bytes + info.input.field_offsets[i], arena_);
  std::vector<uint8_t> buffer(trace ? std::max<uint32_t>(info.trace_size, 1) : 0, 0);
  Native result;
  edict_rt_boxes_reset();
  result.status = engine_.decision(decision)(in_bytes, out_bytes, &result.error, trace ? buffer.data() : nullptr);
  if (result.status == 0) result.value = rt::ReadFlat(out_bytes, d.result, m_.types, L);
  // Whether the error arose in an assertion (which precede the rules), by its site.
  auto in_assertion = [&] {
    SourceRange at = engine_.site(result.error.site);
    for (const auto& a : d.assertions)
      if (at.file == a.range.file && at.begin >= a.range.begin && at.end <= a.range.end) return true;
    return false;
  };
  if (trace && result.status != 0 &&
      (rt::RtErrorKind(result.error.kind) == rt::RtErrorKind::InvalidCase || in_assertion())) {
    // An input broke an invariant, or an assertion failed or could not be evaluated: no rule was
    // evaluated (as in the interpreter's trace).
    trace->decision = decision;
    trace->args = args;
    trace->rules.clear();
    trace->outcome.reset();
    trace->outcome_parts.clear();
  } else if (trace) {
    BuildTrace(decision, args, buffer, result.status == 0, trace);
    if (result.status == 0) trace->outcome = result.value;
    // What the atoms read and called, and how the outcome was built: the interpreter recomputes
    // them (Edict is pure), nested decision calls included.
    if (trace_inputs) interp_.Explain(trace);
  }
  return result;
}

rt::Value Runner::Eval(uint32_t decision, const std::vector<rt::Value>& args, interp::DecisionTrace* trace) {
  Native n = RunNative(decision, args, trace, true);
  if (n.status == 0) return n.value;
  auto kind = rt::RtErrorKind(n.error.kind);
  SourceRange at = engine_.site(n.error.site);
  try {
    interp_.EvalDecision(decision, args);
  } catch (const rt::EvalError& e) {
    if (e.kind == kind && e.range == at) throw rt::EvalError(kind, at, e.message, e.notes);
    throw std::logic_error(
        fmt::format("internal error: the engines disagree: native `{}` at {}:{}, interpreter `{}` at {}:{}",
                    rt::Spelling(kind), at.begin, at.end, rt::Spelling(e.kind), e.range.begin, e.range.end));
  }
  throw std::logic_error(
      fmt::format("internal error: the engines disagree: native `{}`, the interpreter succeeds", rt::Spelling(kind)));
}

void Runner::BuildTrace(uint32_t decision, const std::vector<rt::Value>& args, const std::vector<uint8_t>& buffer,
                        bool ok, interp::DecisionTrace* trace) {
  const ir::Decision& d = m_.decisions[decision];
  const DecisionInfo& info = engine_.info(decision);
  trace->decision = decision;
  trace->args = args;
  trace->rules.clear();
  trace->outcome.reset();
  trace->outcome_parts.clear();
  size_t n = d.rules.size();
  for (uint32_t r = 0; r < n; ++r) {
    // A rule with no byte was not evaluated: an error stopped evaluation in its condition, and
    // like the interpreter the trace keeps it (not applicable, with the atoms evaluated before
    // the error) and stops there.
    bool failed_here = buffer[r] == 0;
    if (failed_here && ok) break;
    interp::RuleTrace rt_;
    rt_.rule = r;
    rt_.applicable = buffer[r] == 2;
    for (size_t a = 0; a < info.atoms.size(); ++a) {
      uint8_t v = buffer[n + a];
      if (info.atom_rule[a] != r || v == 0) continue;
      rt_.atoms.push_back(interp::AtomTrace{info.atoms[a], v == 2, {}, {}});
    }
    trace->rules.push_back(std::move(rt_));
    if (failed_here) return;
  }
  bool all_rules = trace->rules.size() == n;
  std::vector<uint32_t> applicable;
  for (const auto& r : trace->rules)
    if (r.applicable) applicable.push_back(r.rule);
  if (!all_rules) return;
  std::vector<std::vector<uint32_t>> overridden_by(n);
  std::vector<uint32_t> winners = ir::Winners(d, applicable, &overridden_by);
  for (uint32_t r : applicable) trace->rules[r].overridden_by = std::move(overridden_by[r]);
  if (!ok) return;
  if (winners.empty())
    trace->rules.push_back(interp::RuleTrace{UINT32_MAX, true, true, {}, {}});
  else
    for (uint32_t w : winners) trace->rules[w].decided = true;
}

}  // namespace edict::jit
