// Explanations of verdicts: which rules decided, which were overridden and by what, which did
// not apply and why, each with its provision, instrument and the values that decided.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/interp/interp.h"

namespace edict::interp {

// The explanation as a tree of lines: each line's children are indented by `indent` spaces in
// text. A call (`collapsible`) nests what the call did: the called decision's explanation, or
// what a helper's body read and called. The text and HTML renderings share it.
struct ExplainNode {
  ExplainNode(std::string line, size_t kids_indent = 4, bool call = false)
      : text(std::move(line)), indent(kids_indent), collapsible(call) {}
  std::string text;
  size_t indent = 4;
  bool collapsible = false;
  std::vector<ExplainNode> kids;
};
std::vector<ExplainNode> ExplainTree(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t);

// A readable memo (plain text, indented).
std::string ExplainText(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t);
// The same content as a JSON object.
std::string ExplainJson(const ir::Module& m, const SourceManager& sm, const DecisionTrace& t);

// Short spelling of a value for explanations: long sets are abbreviated.
std::string ShortValue(const ir::Module& m, const rt::Value& v, rt::TypeId t);

}  // namespace edict::interp
