// Helpers for unit tests: check a program given as text.
#pragma once
#include <string>

#include "compiler/check/check.h"
#include "compiler/interp/interp.h"
#include "compiler/parse/parse.h"

struct Checked {
  edict::SourceManager sources;
  edict::Diagnostics diags;
  std::vector<edict::ast::File> files;
  edict::ir::Module module;

  explicit Checked(const std::string& text) {
    uint32_t id = sources.Add("test.edict", text);
    files.push_back(edict::parse::Parse(sources, id, diags));
    module = edict::check::Check(files, sources, diags);
  }
  bool ok() const { return diags.error_count() == 0; }
  std::vector<std::string> kinds() const {
    std::vector<std::string> k;
    for (const auto& d : diags.Sorted()) k.push_back(edict::DiagName(d.kind));
    return k;
  }
};
