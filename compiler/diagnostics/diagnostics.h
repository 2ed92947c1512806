// Compile-time diagnostics: the registry of kinds, the collector, and the two renderings (text
// for people, JSON for editors and tools).
#pragma once
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "compiler/base/source.h"
#include "runtime/text.h"

namespace edict {

enum class DiagKind : uint16_t {
#define EDICT_DIAG(Name, Severity, Format) Name,
#include "compiler/diagnostics/diagnostic_kinds.def"
#undef EDICT_DIAG
};

enum class Severity : uint8_t { Error, Warning };

const char* DiagName(DiagKind k);  // "unknown-name"
Severity DiagSeverity(DiagKind k);
std::vector<DiagKind> AllDiagKinds();

struct DiagNote {
  SourceRange range;  // may be invalid for a note without a place
  std::string message;
};

struct Diagnostic {
  DiagKind kind;
  Severity severity;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
};

class Diagnostics {
 public:
  // Emits a diagnostic of kind k at r; the arguments fill the kind's format.
  // Text arguments (names, tokens, values) are quoted by their start when long: a source file
  // may hold a name or a string of megabytes.
  template <class... Args>
  Diagnostic& Emit(DiagKind k, SourceRange r, Args&&... args) {
    return Add(k, r, fmt::format(fmt::runtime(Format(k)), Bounded(std::forward<Args>(args))...));
  }
  Diagnostic& Add(DiagKind k, SourceRange r, std::string message);

  template <class T>
  static decltype(auto) Bounded(T&& x) {
    if constexpr (std::is_convertible_v<T, std::string_view>)
      return rt::Shorten(std::string_view(x), 200);
    else
      return std::forward<T>(x);
  }

  // Notes added to every diagnostic emitted until the matching PopContext (for example "`r2`
  // replaces the rule declared here" while checking a replaced rule).
  void PushContext(std::vector<DiagNote> notes) { context_.push_back(std::move(notes)); }
  void PopContext() { context_.pop_back(); }

  size_t error_count() const { return errors_; }
  const std::vector<Diagnostic>& all() const { return diags_; }

  // Sorted by file and position (stable for equal positions).
  std::vector<Diagnostic> Sorted() const;

 private:
  static const char* Format(DiagKind k);
  std::vector<Diagnostic> diags_;
  std::vector<std::vector<DiagNote>> context_;
  Diagnostic discarded_;  // returned for a repeat of an emitted diagnostic; its notes are dropped
  size_t errors_ = 0;
};

// path:line:col: error: message [kind], the source line, an underline, then the notes.
std::string RenderText(const Diagnostic& d, const SourceManager& sm, bool color);
// A JSON array of {kind, severity, file, line, column, end_line, end_column, message, notes}.
std::string RenderJson(const std::vector<Diagnostic>& ds, const SourceManager& sm);

// The underlined source excerpt used by both diagnostics and runtime errors.
std::string RenderSnippet(SourceRange r, const SourceManager& sm, bool color);

}  // namespace edict
