// Runtime errors: the closed list of kinds, and the exception that carries one with its source
// position out of an evaluation. Every engine raises the same kind at the same position.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source_range.h"

namespace edict::rt {

enum class RtErrorKind : uint8_t {
#define EDICT_RUNTIME_ERROR(Name, spelling, summary) Name,
#include "runtime/runtime_errors.def"
#undef EDICT_RUNTIME_ERROR
};

const char* Spelling(RtErrorKind k);
const char* Summary(RtErrorKind k);
std::optional<RtErrorKind> RtErrorKindFromSpelling(std::string_view s);
std::vector<RtErrorKind> AllRtErrorKinds();

struct RtNote {
  SourceRange range;
  std::string message;
};

// Thrown by evaluation; never escapes to the user unreported.
struct EvalError : std::exception {
  RtErrorKind kind;
  SourceRange range;
  std::string message;
  std::vector<RtNote> notes;
  EvalError(RtErrorKind k, SourceRange r, std::string m, std::vector<RtNote> n = {})
      : kind(k), range(r), message(std::move(m)), notes(std::move(n)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

}  // namespace edict::rt
