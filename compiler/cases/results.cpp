#include "compiler/cases/results.h"

#include <fmt/format.h>

#include "runtime/value.h"

namespace edict::cases {

std::string JsonlOutcome(uint64_t line, std::string_view outcome_json) {
  return fmt::format("{{\"line\":{},\"outcome\":{}}}\n", line, outcome_json);
}

std::string JsonlInvalidCase(uint64_t line, const std::vector<rt::CaseIssue>& issues) {
  std::string arr;
  for (const auto& is : issues)
    arr += fmt::format("{}{{\"field\":{},\"message\":{}}}", arr.empty() ? "" : ",",
                       is.field.empty() ? "null" : rt::JsonQuote(is.field), rt::JsonQuote(is.message));
  return fmt::format("{{\"line\":{},\"error\":{{\"kind\":\"invalid_case\",\"issues\":[{}]}}}}\n", line, arr);
}

std::string JsonlRuntimeError(uint64_t line, std::string_view kind, std::string_view message, std::string_view at) {
  return fmt::format("{{\"line\":{},\"error\":{{\"kind\":{},\"message\":{},\"at\":{}}}}}\n", line, rt::JsonQuote(kind),
                     rt::JsonQuote(message), at.empty() ? "null" : rt::JsonQuote(at));
}

std::string InvalidCaseDiagnostics(std::string_view name, uint64_t line, const std::vector<rt::CaseIssue>& issues) {
  std::string out;
  for (const auto& is : issues)
    out += fmt::format("{}:{}: error: {}: {} [invalid_case]\n", name, line,
                       is.field.empty() ? "the case" : "field `" + is.field + "`", is.message);
  return out;
}

std::string RuntimeErrorDiagnostic(std::string_view name, uint64_t line, std::string_view what, std::string_view kind,
                                   std::string_view message, std::string_view at) {
  return fmt::format("{}:{}: error: {} [{}]: {}{}\n", name, line, what, kind, message,
                     at.empty() ? "" : " (" + std::string(at) + ")");
}

}  // namespace edict::cases
