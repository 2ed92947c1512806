// `edict verify FILES... [-d DECISION] [--as-of DATE | --version NAME]`: every decision of every
// file (each file its own program, with the versions of its amendment chain), verified by
// compiler/verify/; the report printed, exit 1 when a runtime error is reachable.
#include <iostream>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/driver/commands.h"
#include "compiler/load/load.h"
#include "compiler/verify/verify.h"

namespace edict::driver {

int RunVerify(const Common& c, const VerifyOptions& o) {
  std::vector<std::string> files;
  bool unreadable = !EdictFiles(o.paths, &files);
  std::vector<verify::FileReport> reports;
  bool compile_error = false, found_decision = o.decision.empty();
  // A decision of an imported file is verified once, with the first file that brings it.
  std::set<std::tuple<std::string, std::string, std::string>> done;
  verify::Options vo{o.solver_limit, o.rules};
  for (const std::string& file : files) {
    load::Program p;
    if (!LoadOrReport(c, {file}, p)) {
      compile_error = true;
      continue;
    }
    const ir::Module& m = p.module;
    std::vector<size_t> versions;
    if (!o.as_of.empty()) {
      int v = SelectVersion(p, o.as_of);
      if (v < 0) return kUsage;
      versions.push_back(size_t(v));
    } else if (!o.version.empty()) {
      std::string names;
      for (size_t v = 0; v < m.versions.size(); ++v) {
        if (m.versions[v].name == o.version) versions.push_back(v);
        names += (v ? ", " : "") + fmt::format("`{}`", m.versions[v].name);
      }
      if (versions.empty()) {
        std::cerr << fmt::format("error: `{}` has no version `{}`; its versions are: {}\n", file, o.version, names);
        return kUsage;
      }
    } else {
      for (size_t v = 0; v < m.versions.size(); ++v) versions.push_back(v);
    }
    verify::FileReport fr{file, {}};
    std::set<uint32_t> chosen;  // a decision unchanged from an earlier version is one decision
    for (size_t v : versions)
      for (const auto& [name, index] : m.versions[v].decisions)
        if (o.decision.empty() || name == o.decision) chosen.insert(index);
    found_decision = found_decision || !chosen.empty();
    for (uint32_t index : chosen) {  // in the order of the program: by version, then as declared
      const ir::Decision& d = m.decisions[index];
      std::string amended;
      for (const SourceRange& r : d.amended_by) amended += p.sources.Where(r) + ";";
      if (!done.insert({p.sources.Where(d.range), m.versions[d.version].name, amended}).second) continue;
      fr.decisions.push_back(verify::VerifyDecision(m, p.sources, index, vo));
    }
    if (!fr.decisions.empty()) reports.push_back(std::move(fr));
  }
  if (!found_decision && !compile_error) {
    std::cerr << fmt::format("error: no file given declares a decision `{}`\n", o.decision);
    return kUsage;
  }
  Output out;
  if (!out.Open(o.output)) {
    std::cerr << "error: " << out.error() << "\n";
    return kOutputError;
  }
  out.Write(o.format == "json" ? verify::Json(reports) : verify::Text(reports));
  if (!out.Close()) {
    std::cerr << "error: " << out.error() << "\n";
    return kOutputError;
  }
  if (unreadable) return kInputError;
  if (compile_error) return kCompileError;
  for (const auto& fr : reports)
    for (const auto& d : fr.decisions)
      if (d.errors()) return kFailed;
  return kOk;
}

}  // namespace edict::driver
