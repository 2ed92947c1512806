// One open document's program, loaded and checked with the editor's unsaved buffers, and what the
// editor asks of it: diagnostics, hover, definitions, references, renames, symbols, completion.
// Internal to compiler/lsp/ (it speaks JSON: nlohmann's, which only this folder sees).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/load/load.h"
#include "compiler/lsp/text.h"
#include "compiler/names/names.h"

namespace edict::lsp {

using Json = nlohmann::json;

using names::Occurrence;
using names::Place;
using names::SymbolKind;

class Analysis {
 public:
  // Loads `path` (which `text` stands for) with `unsaved` overriding files on disk, and checks it.
  // With `trees`, the files whose text did not change since the analysis that filled it are not
  // parsed again (see load::ParseCache).
  Analysis(const std::string& path, const load::Unsaved& unsaved, load::ParseCache* trees = nullptr);

  // Gives this analysis's trees to `trees`, for the next analysis of the document; this one is
  // then no longer usable (it is about to be replaced).
  void KeepTrees(load::ParseCache& trees) { load::KeepTrees(program_, trees); }

  // The diagnostics located in the document, as LSP Diagnostic objects.
  Json Diagnostics() const;
  // textDocument/hover at a byte offset of the document: a Hover or null.
  Json Hover(size_t offset) const;
  // The declaration of the name at the offset, if it is a name the checker resolved.
  std::optional<Place> Definition(size_t offset) const;
  // Every place that names the same declaration (with the declaration when asked), in order.
  std::vector<Place> References(size_t offset, bool with_declaration) const;
  // The name at the offset that can be renamed, with its current text.
  std::optional<std::pair<Place, std::string>> RenameTarget(size_t offset) const;
  // textDocument/documentSymbol of the document.
  Json DocumentSymbols() const;
  // workspace/symbol over every file of the program: SymbolInformation whose name contains `query`
  // (ignoring case), each declaration once (`seen`: the locations already listed, as JSON).
  void WorkspaceSymbols(const std::string& query, Json& out, std::set<std::string>& seen) const;
  // textDocument/completion at a byte offset of `text` (the document as the editor has it now).
  Json Completion(const std::string& text, size_t offset) const;

  // textDocument/codeLens: "Run test" on each test of the document, "Explain on a case file" on
  // each decision (commands edict.runTest and edict.explain, run by workspace/executeCommand).
  Json CodeLenses(const std::string& uri) const;
  // edict.runTest: runs the document's test `name` on the interpreter.
  Json RunTest(const std::string& name) const;
  // edict.explain: decision `name` (the document's version) on the case in the JSON file
  // `case_path`, with its explanation.
  Json Explain(const std::string& name, const std::string& case_path) const;
  // The findings of `edict verify` about the decisions the document declares (its own version),
  // as LSP diagnostics of source "edict verify" (Z3's `solver_limit` for each question).
  Json VerifyDiagnostics(uint64_t solver_limit) const;
  // Loaded and checked without errors: the IR can be evaluated and verified.
  bool checked() const;

  // An LSP Location / Range of a place.
  Json LocationOf(const Place& p) const;
  Json RangeOf(const Place& p) const;
  std::string PathOf(uint32_t file) const;
  bool loaded() const { return root_ != UINT32_MAX; }

 private:
  const Occurrence* At(size_t offset) const;
  Json Describe(const Occurrence& o) const;
  std::string TypeName(uint32_t type) const;

  load::Program program_;
  std::vector<edict::Diagnostic> diags_;
  uint32_t root_ = UINT32_MAX;
  std::vector<Occurrence> occurrences_;  // uses and declarations, sorted by use
};

}  // namespace edict::lsp
