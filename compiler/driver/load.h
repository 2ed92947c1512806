// Loading a program: a root file and, transitively, everything it imports (stdlib modules by
// name, other files by relative path), parsed once each, then checked together.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"

namespace edict::driver {

struct Program {
  SourceManager sources;
  std::vector<ast::File> files;
  std::vector<uint32_t> roots;  // file ids given by the user
  ir::Module module;
};

// The directory of the standard library: $EDICT_STDLIB, else the one next to the executable
// (`../share/edict/stdlib`), else the source tree's.
std::string StdlibDir();

// The path with `.`, `..` and symbolic links resolved as far as it exists (the path itself on error).
std::string Canonical(const std::string& path);

// The index of the version that the file at `path` declares in p, or -1.
int VersionOfFile(const Program& p, const std::string& path);

// Parses the roots and their imports and checks them. Returns false when there are errors (the
// diagnostics say which); the program is filled in as far as it could be built.
bool Load(const std::vector<std::string>& paths, Program& p, Diagnostics& diags);

}  // namespace edict::driver
