// Checking: AST of every file of a program -> typed IR. Resolves names (globals, enum members,
// locals), checks types and units, resolves rule exceptions, and reports conflicts that are
// certain without evaluation. Every mistake is reported once; the offending node becomes an
// Error node of Error type, on which later checks stay silent.
#pragma once
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"

namespace edict::check {

// `root` is the file the user named; its chain of `amends` bases defines the versions.
ir::Module Check(const std::vector<ast::File>& files, const SourceManager& sources, Diagnostics& diags,
                 uint32_t root = UINT32_MAX);

}  // namespace edict::check
