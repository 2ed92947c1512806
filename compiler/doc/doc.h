// `edict doc`: a regulation as a static documentation site. One page per source file (the
// Markdown of a literate file beside its code, every name linked to its declaration), one page per
// decision and version (the input as a table, the rules with their provisions, the tests run on
// the interpreter with rule coverage, the symbolic diff against the previous version), and an
// index with the amendment chain as a timeline and a search box. Self-contained: the pages, one
// style sheet, one script and the search index, with nothing fetched from elsewhere, so that the
// folder works opened from disk or behind any static web server (docs/publishing.md).
#pragma once
#include <string>
#include <vector>

#include "compiler/base/command.h"
#include "compiler/load/load.h"

namespace edict::doc {

// One file given on the command line, loaded and checked without errors.
struct Source {
  std::string path;
  load::Program program;
};

struct SiteOptions {
  std::string output;  // the folder to write; created if missing
  bool diff = true;    // the symbolic diff of each version against the one it amends (Z3; slow)
  bool progress = true;
  // The address of an `edict serve` of the same regulation (https://decisions.example.org): the
  // site then carries the page for trying a case (compiler/page/) in try/, calling that service.
  std::string api;
};

// Writes the site of `sources` into o.output. Returns kOk, or kOutputError after saying on
// standard error what could not be written.
int WriteSite(const Common& c, const std::vector<Source>& sources, const SiteOptions& o);

}  // namespace edict::doc
