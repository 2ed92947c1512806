// `edict batch`: evaluates a decision on a stream of cases with every core.
//
// The input is read in chunks of whole lines; a pool of workers decodes each chunk straight into
// the flat layout and evaluates it (natively, through the decision's batch entry point, or with
// the interpreter); a writer emits the chunks' results in input order. At most a few chunks per
// worker are in flight, so memory stays constant whatever the size of the input.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "compiler/driver/batch.h"

#include "compiler/base/output.h"
#include "compiler/cases/csv_cases.h"
#include "compiler/cases/pipeline.h"
#include "compiler/cases/results.h"
#include "compiler/interp/interp.h"
#include "compiler/jit/run.h"
#include "compiler/load/load.h"
#include "runtime/abi.h"
#include "runtime/case_json.h"

namespace edict::driver {
namespace {

class Batch {
 public:
  Batch(const Common& c, const BatchOptions& o, load::Program& p, uint32_t decision)
      : c_(c), o_(o), p_(p), d_(decision), dec_(p.module.decisions[decision]) {
    for (const auto& prm : dec_.params) params_.push_back({prm.name, prm.type});
    csv_.Bind(&p_.module.types, params_);
    csv_.SetLabelColumn("id");
    cases::Leaves(p_.module.types, dec_.result, "", &out_leaves_);
    const auto& ti = p_.module.types.info(dec_.result);
    if (o_.format == "lines" && ti.kind == rt::TypeKind::Enum)
      for (const std::string& m : p_.module.types.enums[ti.ref].members) enum_lines_.push_back(m + "\n");
  }

  // Runs the batch; when it is over before the native code is (the interpreter decided every
  // case), it does not wait for the compiler: see Settle.
  int Run() {
    int rc;
    try {
      rc = RunCases();
    } catch (const std::system_error& e) {  // a thread the system would not start
      std::cerr << "error: " << e.what() << "\n";
      rc = kSystemError;
    } catch (...) {
      if (compiler_.joinable()) {
        abandon_->Request();
        compiler_.join();
      }
      throw;
    }
    return Settle(rc);
  }

 private:
  int RunCases() {
    std::string read_error;
    std::FILE* in = cases::OpenCaseInput(o_.cases, &read_error);
    if (!in) {
      std::cerr << read_error << "\n";
      return kInputError;
    }
    // Writing the results over the cases would erase them before they are read.
    struct stat cases_st, out_st;
    if (!o_.output.empty() && o_.output != "-" && fstat(fileno(in), &cases_st) == 0 &&
        stat(o_.output.c_str(), &out_st) == 0 && cases_st.st_dev == out_st.st_dev && cases_st.st_ino == out_st.st_ino) {
      std::cerr << fmt::format(
          "error: the output `{}` is the cases file: writing it would erase the cases; choose another -o\n", o_.output);
      if (in != stdin) std::fclose(in);
      return kUsage;
    }
    Output out;
    if (!out.Open(o_.output)) {
      std::cerr << "error: " << out.error() << "\n";
      if (in != stdin) std::fclose(in);
      return kOutputError;
    }
    csv_in_ = o_.input_format == "csv" || (o_.input_format == "auto" && cases::IsCsvPath(o_.cases));
    // The JIT compiles on its own thread while the workers read and decode their first chunks.
    // Until the native code is ready, all workers but one wait for it (leaving a core to the
    // compiler), and that one evaluates its chunks with the interpreter, which gives the same
    // outcomes, errors and positions (tests/differential).
    if (o_.engine == "jit") StartCompiling();
    unsigned threads = o_.threads > 0 ? unsigned(o_.threads) : std::max(1u, std::thread::hardware_concurrency());
    threads_ = threads;
    progress_ = o_.progress && isatty(2);
    start_ = std::chrono::steady_clock::now();
    if (o_.format == "csv") WriteCsvHeader(out);
    cases::PipelineOptions po;
    po.threads = threads;
    po.progress = progress_;
    po.csv = csv_in_;
    po.name = o_.cases;
    bool header_ok = true;
    if (csv_in_) po.header = [&](std::string_view h) { return header_ok = csv_.SetHeader(h, o_.cases, std::cerr); };
    cases::DiagnosticLimit errors(o_.max_errors);
    std::atomic<bool> stop{false};
    po.stop = &stop;
    bool ok = cases::RunLinePipeline(
        in, po, [this] { return MakeWorker(); },
        [&](cases::LineChunk& chunk) {
          if (!out.Write(chunk.output)) stop = true;  // results are being lost: read no further
          errors.Write(chunk.diagnostics);
          cases_ += chunk.cases;
          failed_ += chunk.failed;
        },
        &read_error);
    if (in != stdin) std::fclose(in);
    bool written = out.Close();
    errors.Finish();
    if (!written) {
      // Every result after the failed write is lost: never report them as decided.
      std::cerr << "error: " << out.error() << "\n";
      return kOutputError;
    }
    // The native code is needed no more once every case is decided: if it is not ready, it is
    // not waited for (Settle).
    bool compiled = engine_.valid() && engine_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    if (compiled && !engine_.get()) {
      std::cerr << "error: the JIT could not compile the program: " << compile_error_ << "\n";
      return kCompileError;
    }
    if (!header_ok) return kInputError;
    if (!ok) {
      std::cerr << read_error << "\n";
      return kInputError;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::cerr << fmt::format("{} case{}: {} decided, {} failed", cases_, cases_ == 1 ? "" : "s", cases_ - failed_,
                             failed_);
    if (o_.stats || progress_) {
      std::cerr << fmt::format(" ({:.3f} s, {:.0f} cases/s, {} thread{}, engine {}", secs,
                               double(cases_) / std::max(secs, 1e-9), threads, threads == 1 ? "" : "s", o_.engine);
      if (compiled && engine_.get()->from_cache()) std::cerr << ", code from the cache";
      if (engine_.valid() && !compiled)
        std::cerr << fmt::format(
            "; {} by the interpreter, the native code not being ready: its compilation was abandoned",
            interpreted_.load());
      else if (interpreted_ > 0)
        std::cerr << fmt::format("; {} by the interpreter while it compiled", interpreted_.load());
      std::cerr << ")";
    }
    std::cerr << "\n";
    return failed_ ? kFailed : kOk;
  }

  // The compilation runs on a thread of its own, which owns nothing the process frees before it
  // ends (see Settle). If the system will not start a thread, the code is compiled first.
  void StartCompiling() {
    abandon_ = std::make_shared<jit::Abandon>();
    auto promise = std::make_shared<std::promise<std::shared_ptr<jit::Engine>>>();
    engine_ = promise->get_future().share();
    auto compile = [this, promise] {
      jit::Options options{false, 2, {d_}};
      options.abandon = abandon_;
      promise->set_value(std::shared_ptr<jit::Engine>(jit::Engine::Create(p_.module, options, &compile_error_)));
    };
    try {
      compiler_ = std::thread(compile);
    } catch (const std::system_error&) { compile(); }
  }

  // Waits for the compilation if it is over or running while the batch stopped for another
  // reason; but when every case was decided before the native code was ready, the process ends
  // here without waiting for a compilation it no longer needs (on a very large program that took
  // minutes). That is safe: output is flushed first, the compiler is asked to stop (it then never
  // starts writing the code cache), and the process ends with _Exit, so nothing the compiling
  // thread uses (the program, LLVM's state) is destroyed under it.
  int Settle(int rc) {
    if (!compiler_.joinable()) return rc;
    if (engine_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      abandon_->Request();
      std::fflush(nullptr);
      std::cerr.flush();
      std::_Exit(rc);
    }
    compiler_.join();
    return rc;
  }

  // A worker's chunk processor, owning its decoder, interpreter and buffers.
  std::function<void(cases::LineChunk&)> MakeWorker() {
    struct State {
      rt::CaseDecoder decoder;
      interp::Interpreter interp;
      std::unique_ptr<uint8_t[]> in_raw, out_raw;
      size_t in_cap = 0, out_cap = 0;
      std::vector<int32_t> statuses;
      std::vector<jit::NativeError> errors;
      std::vector<uint64_t> line_of;
      std::vector<rt::CaseIssue> issues;
      rt::Arena arena;
      bool early = false;  // this worker interprets while the JIT compiles
      State(const ir::Module& m, std::vector<rt::CaseParam> ps) : decoder(m.types, std::move(ps)), interp(m) {}
    };
    auto st = std::make_shared<State>(p_.module, params_);
    st->decoder.SetTextScalars(csv_in_);  // CSV fields arrive as text
    st->decoder.SetLabelKey("id");        // a case's label, as `edict diff` reads it, is not an input
    return [this, st](cases::LineChunk& chunk) { ProcessChunk(chunk, *st); };
  }

  template <class State>
  void ProcessChunk(cases::LineChunk& chunk_ref, State& st) {
    cases::LineChunk* chunk = &chunk_ref;
    rt::CaseDecoder& decoder = st.decoder;
    interp::Interpreter& interp = st.interp;
    const rt::TypeLayout& il = decoder.input_layout();
    size_t stride = il.size;  // the batch entry's strides: arrays of the flat types
    const rt::TypeLayout& ol = decoder.layouts().of(dec_.result);
    size_t out_stride = ol.size;
    // Grown as needed and never cleared: the decoder writes every field of a case it accepts.
    std::unique_ptr<uint8_t[]>& in_raw = st.in_raw;
    std::unique_ptr<uint8_t[]>& out_raw = st.out_raw;
    size_t& in_cap = st.in_cap;
    size_t& out_cap = st.out_cap;
    auto reserve = [](std::unique_ptr<uint8_t[]>& buf, size_t& cap, size_t bytes) {
      if (bytes > cap) {
        buf.reset(new uint8_t[bytes]);
        cap = bytes;
      }
      return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(buf.get()) + 15) / 16 * 16);
    };
    std::vector<int32_t>& statuses = st.statuses;
    std::vector<jit::NativeError>& errors = st.errors;
    std::vector<uint64_t>& line_of = st.line_of;
    std::vector<rt::CaseIssue>& issues = st.issues;
    rt::Arena& arena = st.arena;
    {
      // 1. Decode every line into consecutive flat slots.
      size_t max_cases = chunk->line_count;
      uint8_t* base = reserve(in_raw, in_cap, stride * max_cases + 16);
      line_of.clear();
      arena.Clear();
      std::vector<std::pair<uint64_t, std::string>> rejected;  // line, output
      std::string csv_json;
      cases::ForEachCaseLine(*chunk, [&](uint64_t this_line, std::string_view row) {
        ++chunk->cases;
        issues.clear();
        uint8_t* slot = base + line_of.size() * stride;
        bool ok;
        if (csv_in_) {
          ok = csv_.ToJson(row, this_line, &csv_json, &issues);
          csv_json.append(rt::CaseDecoder::kPadding, ' ');
          ok = ok && decoder.DecodeFlat(std::string_view(csv_json.data(), csv_json.size() - rt::CaseDecoder::kPadding),
                                        slot, arena, &issues);
        } else {
          ok = decoder.DecodeFlat(row, slot, arena, &issues);
        }
        if (!ok) {
          ++chunk->failed;
          std::memset(slot, 0, stride);
          rejected.emplace_back(this_line, InvalidCase(this_line, issues, chunk->diagnostics));
          return;
        }
        line_of.push_back(this_line);
      });
      // 2. Evaluate the valid ones.
      size_t n = line_of.size();
      uint8_t* outs = reserve(out_raw, out_cap, out_stride * n + 16);
      statuses.assign(n, 0);
      errors.resize(n);
      edict_rt_boxes_reset();
      bool native = engine_.valid();
      if (native && engine_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        bool interpret = false;
        {
          std::lock_guard<std::mutex> lock(early_mu_);
          if (early_workers_ + 1 < threads_) {
            ++early_workers_;
            st.early = true;
          }
          interpret = st.early;
        }
        native = !interpret;
      }
      if (native) {
        const std::shared_ptr<jit::Engine>& engine = engine_.get();
        if (!engine) return;  // it could not compile: Run says so
        engine->batch(d_)(base, n, outs, statuses.data(), errors.data());
      } else {
        if (engine_.valid()) interpreted_ += n;
        for (size_t i = 0; i < n; ++i) {
          std::vector<rt::Value> args;
          for (size_t k = 0; k < params_.size(); ++k)
            args.push_back(rt::ReadFlat(base + i * stride + il.field_offsets[k], params_[k].type, p_.module.types,
                                        decoder.layouts()));
          try {
            rt::WriteFlat(interp.EvalDecision(d_, args), dec_.result, p_.module.types, decoder.layouts(),
                          outs + i * out_stride, arena);
          } catch (const rt::EvalError& e) { statuses[i] = int32_t(e.kind) + 1; }
        }
      }
      // 3. Format, merging rejected lines back in order.
      std::string& o = chunk->output;
      size_t r = 0;
      for (size_t i = 0; i < n; ++i) {
        while (r < rejected.size() && rejected[r].first < line_of[i]) o += rejected[r++].second;
        if (statuses[i] == 0) {
          AppendOutcome(o, line_of[i], outs + i * out_stride, decoder.layouts());
        } else {
          ++chunk->failed;
          o += FormatError(line_of[i], base + i * stride, il, decoder.layouts(), interp, chunk->diagnostics);
        }
      }
      while (r < rejected.size()) o += rejected[r++].second;
    }
  }

  std::string InvalidCase(uint64_t line, const std::vector<rt::CaseIssue>& issues, std::string& diag) {
    diag += cases::InvalidCaseDiagnostics(o_.cases, line, issues);
    std::string first =
        issues.empty()
            ? ""
            : (issues[0].field.empty() ? "the case: " : "field `" + issues[0].field + "`: ") + issues[0].message;
    if (o_.format == "jsonl") return cases::JsonlInvalidCase(line, issues);
    if (o_.format == "csv")
      return fmt::format("{},{}{}\n", line, std::string(out_leaves_.size(), ','),
                         cases::CsvQuote("invalid_case: " + first));
    return "error: invalid_case: " + first + "\n";
  }

  // The message of a runtime error comes from the interpreter on that one case (the kind and
  // position from the engine itself).
  std::string FormatError(uint64_t line, const uint8_t* in, const rt::TypeLayout& il, const rt::Layouts& layouts,
                          interp::Interpreter& interp, std::string& diag) {
    std::vector<rt::Value> args;
    for (size_t k = 0; k < params_.size(); ++k)
      args.push_back(rt::ReadFlat(in + il.field_offsets[k], params_[k].type, p_.module.types, layouts));
    std::string kind = "error", message, at;
    const char* what = "runtime error";
    try {
      interp.EvalDecision(d_, args);
      message = "the engines disagree on this case (internal error)";
    } catch (const rt::EvalError& e) {
      kind = rt::Spelling(e.kind);
      message = e.message;
      if (e.kind == rt::RtErrorKind::InvalidCase) what = "invalid case";
      at = e.range.file < p_.sources.size() ? p_.sources.Where(e.range) : "";
    }
    diag += cases::RuntimeErrorDiagnostic(o_.cases, line, what, kind, message, at);
    if (o_.format == "jsonl") return cases::JsonlRuntimeError(line, kind, message, at);
    if (o_.format == "csv")
      return fmt::format("{},{}{}\n", line, std::string(out_leaves_.size(), ','),
                         cases::CsvQuote(kind + ": " + message));
    return "error: " + kind + ": " + message + "\n";
  }

  void AppendOutcome(std::string& o, uint64_t line, const uint8_t* out, const rt::Layouts& layouts) {
    if (!enum_lines_.empty()) {  // --format lines of an enum outcome: the member's name
      int32_t idx;
      std::memcpy(&idx, out, 4);
      o += enum_lines_[size_t(idx)];
      return;
    }
    o += FormatOutcome(line, out, layouts);
  }

  std::string FormatOutcome(uint64_t line, const uint8_t* out, const rt::Layouts& layouts) {
    const auto& types = p_.module.types;
    if (o_.format == "lines")
      return rt::FormatValue(rt::ReadFlat(out, dec_.result, types, layouts), dec_.result, types) + "\n";
    rt::Value v = rt::ReadFlat(out, dec_.result, types, layouts);
    if (o_.format == "jsonl") return cases::JsonlOutcome(line, rt::ValueToJson(v, dec_.result, types));
    // CSV: one column per leaf of the outcome.
    std::string row = std::to_string(line);
    std::function<void(const rt::Value&, rt::TypeId)> leaves = [&](const rt::Value& x, rt::TypeId t) {
      const auto& info = types.info(t);
      if (info.kind == rt::TypeKind::Record) {
        const auto& rec = types.records[info.ref];
        for (size_t i = 0; i < rec.fields.size(); ++i) leaves((*x.AsRecord().fields)[i], rec.fields[i].type);
        return;
      }
      std::string s = rt::FormatValue(x, t, types);
      if (info.kind == rt::TypeKind::Text) s = x.AsText();
      if (info.kind == rt::TypeKind::Integer || info.kind == rt::TypeKind::Decimal) {
        size_t sp = s.find(" [");
        if (sp != std::string::npos) s = s.substr(0, sp);
      }
      row += "," + cases::CsvQuote(s);
    };
    leaves(v, dec_.result);
    return row + ",\n";
  }

  void WriteCsvHeader(Output& out) {
    std::string h = "line";
    for (const auto& [path, _] : out_leaves_) h += "," + cases::CsvQuote(path.empty() ? "outcome" : path);
    h += ",error\n";
    out.Write(h);
  }

  const Common& c_;
  const BatchOptions& o_;
  load::Program& p_;
  uint32_t d_;
  const ir::Decision& dec_;
  std::vector<rt::CaseParam> params_;
  std::vector<std::pair<std::string, rt::TypeId>> out_leaves_;
  std::vector<std::string> enum_lines_;  // "NAME\n" per member, for --format lines of an enum
  cases::CsvCases csv_;
  bool csv_in_ = false;
  bool progress_ = false;
  std::shared_future<std::shared_ptr<jit::Engine>> engine_;  // valid with --engine=jit
  std::shared_ptr<jit::Abandon> abandon_;
  std::string compile_error_;
  std::thread compiler_;
  std::chrono::steady_clock::time_point start_;

  uint64_t cases_ = 0, failed_ = 0;
  std::atomic<uint64_t> interpreted_{0};  // cases evaluated before the JIT's code was ready
  unsigned threads_ = 1;
  std::mutex early_mu_;
  unsigned early_workers_ = 0;  // workers that interpret while the JIT compiles
};

}  // namespace

int RunBatch(const Common& c, const BatchOptions& o) {
  load::Program p;
  Diagnostics d;
  bool ok = load::Load({o.file}, p, d);
  if (!d.all().empty())
    for (const auto& x : d.Sorted()) std::cerr << RenderText(x, p.sources, c.color);
  if (!ok) return kCompileError;
  int version = int(p.module.versions.size()) - 1;
  if (!o.as_of.empty()) {
    if (!rt::ParseDate(o.as_of)) {
      std::cerr << fmt::format("error: --as-of needs a date such as 2025-06-01, found `{}`\n", o.as_of);
      return kUsage;
    }
    version = p.module.VersionAt(o.as_of);
    if (version < 0) {
      std::cerr << fmt::format("error: no version of the law is in force on {}\n", o.as_of);
      return kUsage;
    }
  }
  int di = p.module.FindDecision(o.decision, version);
  if (di < 0) {
    std::cerr << fmt::format("error: `{}` declares no decision `{}`\n", o.file, o.decision);
    return kUsage;
  }
  return Batch(c, o, p, uint32_t(di)).Run();
}

}  // namespace edict::driver
