// The names of a loaded program and what each one denotes: every use of a declaration that the
// checker resolved (read from the IR nodes that refer to a declaration by index: `Const`, `Call`,
// `Field`, `EnumLit`, `LetRef` ...), the names the AST alone tells (types, units, rule labels), and
// each declaration's own name. The language server answers go-to-definition, references and
// renames from it (`lsp/analysis.*`); `edict doc` links every name of a page to its declaration.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/load/load.h"

namespace edict::names {

// A place in the program: which file and which bytes.
struct Place {
  uint32_t file = 0;
  uint32_t begin = 0, end = 0;
  friend bool operator==(const Place&, const Place&) = default;
  friend auto operator<=>(const Place&, const Place&) = default;
};

inline Place PlaceOf(SourceRange r) { return {r.file, r.begin, r.end}; }

// The name at the start of a declaration's range (`chip: Chip` -> `chip`).
Place NamePrefix(SourceRange r, const std::string& name);

// Whether a byte may be part of a name (a letter, a digit, `_`, or any byte of a non-ASCII letter).
bool WordByte(char c);

// What a name denotes: its kind and where it is declared (the declaration's name).
enum class SymbolKind : uint8_t { Const, Def, Decision, Record, Field, Enum, Member, Unit, Rule, Let, Param };

struct Occurrence {
  Place use;   // the name as written at the use (only the name: `chip` of `s.chip`)
  Place decl;  // the name in its declaration
  SymbolKind kind;
  uint32_t index = 0;  // into the module's table of that kind (consts, defs, ...) when it has one
  uint32_t owner = 0;  // Field: the record, Member: the enum; Let, Param: the decision or def
};

// Every use and declaration of a name in every file of `p` (loaded, even with errors: what the
// checker resolved), sorted by use, each (use, declaration) pair once. A declaration is an
// occurrence whose use is its decl.
std::vector<Occurrence> Index(const load::Program& p);

}  // namespace edict::names
