// What `edict batch` writes for one case, shared with the Python package's batches written as
// text (python/edict/dask.py), so that both give the same bytes: the JSON Lines record of an
// outcome, of an invalid case and of a runtime error, and the diagnostics (`FILE:LINE: error:
// ...`) of the last two.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/case_json.h"

namespace edict::cases {

// {"line":N,"outcome":OUTCOME}
std::string JsonlOutcome(uint64_t line, std::string_view outcome_json);
// {"line":N,"error":{"kind":"invalid_case","issues":[{"field":...,"message":...},...]}}
std::string JsonlInvalidCase(uint64_t line, const std::vector<rt::CaseIssue>& issues);
// {"line":N,"error":{"kind":KIND,"message":MESSAGE,"at":AT or null}}
std::string JsonlRuntimeError(uint64_t line, std::string_view kind, std::string_view message, std::string_view at);

// One line per issue: `NAME:LINE: error: field `x`: message [invalid_case]`.
std::string InvalidCaseDiagnostics(std::string_view name, uint64_t line, const std::vector<rt::CaseIssue>& issues);
// `NAME:LINE: error: WHAT [KIND]: MESSAGE (AT)`, WHAT being "runtime error" or "invalid case".
std::string RuntimeErrorDiagnostic(std::string_view name, uint64_t line, std::string_view what, std::string_view kind,
                                   std::string_view message, std::string_view at);

}  // namespace edict::cases
