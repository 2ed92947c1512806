// Inside the verdict diff: the two sides (shared by the corpus and the symbolic diff), which
// program, version and decision each side is, and how to name its provisions. sides.cpp loads and
// compiles them; report.cpp holds the report pieces both diffs share.
#pragma once
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/command.h"
#include "compiler/jit/engine.h"
#include "compiler/load/load.h"
#include "runtime/value.h"

namespace edict::diff {

// One side of the diff: a version of the law and its decision.
struct Side {
  load::Program* program = nullptr;
  int version = 0;
  uint32_t decision = 0;
  std::shared_ptr<jit::Engine> engine;  // traced, for the deciding provisions; shared by sides of one module

  const ir::Module& m() const { return program->module; }
  const ir::Decision& dec() const { return m().decisions[decision]; }
  std::string Name() const {
    const ir::Version& v = m().versions[size_t(version)];
    return v.name.empty() ? program->sources.file(v.file).path : v.name;
  }
  std::string Label() const {
    const ir::Version& v = m().versions[size_t(version)];
    std::string s = "`" + Name() + "`";
    if (v.instrument >= 0) {
      const ir::Instrument& ins = m().instruments[size_t(v.instrument)];
      std::string title = ins.Field("title"), cit = ins.Field("citation");
      if (!title.empty()) s += " " + title;
      if (!cit.empty()) s += " (" + cit + ")";
    }
    if (!v.effective.empty()) s += ", effective " + v.effective;
    return s;
  }
  // The pieces of Label(), for a report that sets them out itself (HTML).
  struct LabelPieces {
    std::string name, title, citation, effective;
  };
  LabelPieces Pieces() const {
    const ir::Version& v = m().versions[size_t(version)];
    LabelPieces p{Name(), "", "", v.effective};
    if (v.instrument >= 0) {
      const ir::Instrument& ins = m().instruments[size_t(v.instrument)];
      p.title = ins.Field("title");
      p.citation = ins.Field("citation");
    }
    return p;
  }
  // "rule `aia` (15 CFR 740.27) [r1]"
  std::string Provision(uint32_t rule) const {
    const ir::Rule& r = rule == UINT32_MAX ? dec().default_rule : dec().rules[rule];
    std::string s = "rule `" + r.name + "`";
    if (!r.cite.empty()) s += " (" + r.cite.cite + ")";
    int ins = r.name_range.file < m().file_instrument.size() ? m().file_instrument[r.name_range.file] : -1;
    if (ins >= 0) s += " [" + m().instruments[size_t(ins)].name + "]";
    return s;
  }
  struct ProvisionParts {
    std::string rule, cite, instrument, at;
  };
  ProvisionParts Parts(uint32_t rule) const {
    const ir::Rule& r = rule == UINT32_MAX ? dec().default_rule : dec().rules[rule];
    int ins = r.name_range.file < m().file_instrument.size() ? m().file_instrument[r.name_range.file] : -1;
    return {r.name, r.cite.empty() ? std::string() : r.cite.cite,
            ins >= 0 ? m().instruments[size_t(ins)].name : std::string(), program->sources.Where(r.name_range)};
  }
  std::string ProvisionJson(uint32_t rule) const {
    const ir::Rule& r = rule == UINT32_MAX ? dec().default_rule : dec().rules[rule];
    int ins = r.name_range.file < m().file_instrument.size() ? m().file_instrument[r.name_range.file] : -1;
    return fmt::format("{{\"rule\":{},\"citation\":{},\"instrument\":{},\"at\":{}}}", rt::JsonQuote(r.name),
                       r.cite.empty() ? "null" : rt::JsonQuote(r.cite.cite),
                       ins >= 0 ? rt::JsonQuote(m().instruments[size_t(ins)].name) : "null",
                       rt::JsonQuote(program->sources.Where(r.name_range)));
  }
};

// Loads the two versions (two files, or one file against the version it amends), finds the
// decision on each side and checks that their outcomes can be compared; reports problems.
bool LoadSides(const Common& c, const std::string& old_file, const std::string& new_file, const std::string& decision,
               std::unique_ptr<load::Program> programs[2], Side* old_side, Side* new_side);

// Report pieces shared by the corpus and the symbolic diff.
// For outcomes that are records: the fields that differ, (field, old, new); null: that side failed.
using FieldChange = std::tuple<std::string, std::string, std::string>;
std::vector<FieldChange> FieldChanges(const Side& s, const rt::Value* a, const rt::Value* b);
// {"version", "label", "effective", "file"} of a side.
std::string SideJson(const Side& s);
// {"outcome", "provisions"}, or {"outcome": null, "error": kind} when `error` is not empty.
std::string VerdictJson(const Side& s, const std::string& error, const rt::Value& outcome,
                        const std::vector<uint32_t>& deciding);
// "rule `aia` (15 CFR 740.27) [r1], ..."
std::string ProvisionList(const Side& s, const std::vector<uint32_t>& deciding);

// Prints a report, or writes it to `output` when given; false (reported) when it cannot.
// Writes a report to `output` (standard output when empty). Text and Markdown reports are for
// people: control characters from case data in them are written as escapes (rt::TerminalSafe).
bool WriteReport(const std::string& report, const std::string& output, const std::string& format);

// Compiles each side's decision with the traced JIT (one engine when both sides are one module);
// returns an exit code, having reported a failure.
int CompileSides(Side* a, Side* b);

// LoadSides, then CompileSides; returns an exit code.
int LoadAndCompile(const Common& c, const std::string& old_file, const std::string& new_file,
                   const std::string& decision, std::unique_ptr<load::Program> programs[2], Side* a, Side* b);

}  // namespace edict::diff
