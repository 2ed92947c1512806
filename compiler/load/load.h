// Loading a program: a root file and, transitively, everything it imports (stdlib modules by
// name, other files by relative path), parsed once each, then checked together.
//
// Confinement: a root file is whatever the user named, but an import (or the base an amendment
// names) must resolve, symbolic links followed, inside the folder of the root file it was reached
// from (or below), inside the standard library, or inside a folder allowed with AllowImportsFrom
// (`--allow-import DIR`). Anything else is rejected at the import without being opened, so that a
// rule file cannot make diagnostics quote files it has no business reading. Every file is read
// with ReadInputFile (regular files of bounded size only), and an imported file that is not UTF-8
// text, or any file holding a NUL byte, is rejected before it is parsed (never quoted).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"

namespace edict::load {

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

// Folders (besides each root's own and the standard library) that imports may name files in, for
// the rest of the process (`--allow-import DIR`, repeatable).
void AllowImportsFrom(const std::vector<std::string>& dirs);

// Texts that stand for files on disk, by canonical path (see Canonical): an editor's unsaved
// buffers (`edict lsp`). A file named here is read from here, whether or not it exists on disk;
// it is still confined and checked as text like a file read from disk.
using Unsaved = std::map<std::string, std::string>;

// The trees of the files an earlier Load parsed, for the next Load to reuse instead of parsing
// again (`edict lsp` keeps one per open document: after an edit, only the files whose text changed
// are parsed). By canonical path. A file is reused when its text is the same and it gets the same
// file id (its tree's source ranges name it), with what parsing it reported.
struct ParsedFile {
  std::string text;
  uint32_t file_id = 0;
  std::vector<Diagnostic> diags;  // the parser's
  std::optional<ast::File> tree;  // absent while a Program holds it
};
using ParseCache = std::map<std::string, ParsedFile>;

// Parses the roots and their imports and checks them. Returns false when there are errors (the
// diagnostics say which); the program is filled in as far as it could be built. With a cache,
// files are taken from it when they can be, and every file parsed is recorded in it (its tree
// stays in the program: KeepTrees gives the trees back when the program is no longer needed).
bool Load(const std::vector<std::string>& paths, Program& p, Diagnostics& diags, const Unsaved* unsaved = nullptr,
          ParseCache* cache = nullptr);

// Moves the trees of `p`, which Load filled with `cache`, back into the cache (p is then left
// without them: for a program about to be discarded).
void KeepTrees(Program& p, ParseCache& cache);

}  // namespace edict::load
