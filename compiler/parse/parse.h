// Parsing: source text -> AST. The only part of Edict that sees ANTLR.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"

namespace edict::parse {

// Parses one file. Syntax errors are reported in Edict's terms (what was expected, what was
// found), at most one per mistake; the returned AST holds Error nodes where text was unreadable.
ast::File Parse(const SourceManager& sources, uint32_t file_id, Diagnostics& diags);

}  // namespace edict::parse
