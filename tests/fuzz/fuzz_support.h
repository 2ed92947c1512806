// What the fuzz targets of tests/fuzz/ share (see docs/fuzzing.md).
//
// Every target is one function, LLVMFuzzerTestOneInput, compiled twice: with clang and
// libFuzzer for fuzzing (EDICT_FUZZ), and as a plain executable with replay_main.cpp that runs
// the files it is given through it, which is how the regression inputs of
// tests/fuzz/regressions/<target>/ run in every build. A target reports a defect by crashing:
// Fail() prints what went wrong and aborts, and so does any exception that escapes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/source.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace edict::fuzz {

// Prints `what` (and the input's size) on stderr and aborts: libFuzzer keeps the input.
[[noreturn]] void Fail(const std::string& what);

// A program read from memory: a root text and the standard-library modules it imports by name.
// Nothing else is read: an import by path or an `amends` header is reported as a file that
// cannot be found (the same diagnostic as for a missing file), so a fuzzed text never reaches
// the file system.
//
// The standard library is parsed once: its modules are files 0 to n-1 of `sources` in every
// program (the root text comes after them), and the trees of those it imports are lent to
// `files` and given back when the program is destroyed.
struct MemoryProgram {
  MemoryProgram() = default;
  MemoryProgram(const MemoryProgram&) = delete;
  MemoryProgram& operator=(const MemoryProgram&) = delete;
  ~MemoryProgram();

  SourceManager sources;
  std::vector<ast::File> files;  // the root first
  ir::Module module;
  Diagnostics diags;
  std::vector<bool> borrowed;  // per stdlib file id: its tree in `files` is lent
};

// Reads and parses the standard library now rather than on the first input.
void WarmUp();

// Parses the root text, lends it the trees of its stdlib imports and checks them, as load::Load does for files.
// Returns whether the program has no errors.
bool LoadText(std::string_view text, MemoryProgram& p);

// Runs f on a thread with a stack of `bytes` (the size of the first call; the thread is kept for
// the next ones) and waits for it; an exception f throws is rethrown here.
void RunOnStack(size_t bytes, const std::function<void()>& f);

// Whether the parser still throws on overlong UTF-8 or a code point past U+10FFFF, even in a
// comment (issue 12, item 5): probed once with a reproducer by the targets that parse text, which
// then set such inputs aside (OverlongOrBeyondUnicode) until the fix is merged.
bool ParserThrowsOnInvalidUtf8();

// Whether a text holds a UTF-8 sequence that is complete but overlong, or encodes a code point
// past U+10FFFF.
bool OverlongOrBeyondUnicode(std::string_view text);

// The path of the repository's source tree (for the fixed decisions of the case targets).
std::string SourceDir();

}  // namespace edict::fuzz
