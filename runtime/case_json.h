// Decoding of cases: one JSON object per case, one key per decision input. Every number is read
// from its raw JSON text, so `15831.2` is exactly 15831.2 (never a binary double). Problems are
// collected per field (path and message); a case with any problem is not evaluated.
//
// The decoder writes the flat layout (runtime/layout.h) directly, which is what native code
// reads; Values for the interpreter are read back from it, so both engines see the same input.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/layout.h"
#include "runtime/types.h"
#include "runtime/value.h"

namespace edict::rt {

struct CaseParam {
  std::string name;
  TypeId type = 0;
  const std::vector<FieldBound>* bounds = nullptr;  // the field's declared domain, if any
  int64_t scale = kFlatDecimalScale;                // a decimal's canonical denominator (CanonicalScale)
  const std::string* default_json = nullptr;        // a record field's declared default, read when omitted
};

struct CaseIssue {
  std::string field;    // dotted path to the field, e.g. `shipment.destination`; empty for the case
  std::string message;  // what was expected and what was found
};

struct DecodedCase {
  std::vector<Value> args;  // one per parameter, in parameter order, when issues is empty
  std::vector<CaseIssue> issues;
};

// Whether s is a number as JSON writes it (RFC 8259: no `+`, no leading zero, digits on both
// sides of a point).
bool IsJsonNumber(std::string_view s);

// What makes `text` not a single valid JSON value, with its position (`line 3, column 7` in a
// text of several lines, `column 7` in one line); empty when it is valid. Runs only on the
// error path of the decoder, which reads lazily, to say precisely what is wrong.
std::string JsonSyntaxProblem(std::string_view text);

class CaseDecoder {
 public:
  CaseDecoder(const TypeTable& types, std::vector<CaseParam> params);
  ~CaseDecoder();
  CaseDecoder(const CaseDecoder&) = delete;
  CaseDecoder& operator=(const CaseDecoder&) = delete;

  // The parameters as a C struct: where DecodeFlat writes.
  const TypeLayout& input_layout() const;
  const Layouts& layouts() const;

  // Decodes into the parameter struct at `dst` (input_layout().size bytes, 16-byte aligned);
  // lists, texts and large decimals go into `arena`. `json` must be followed by at least
  // kPadding readable bytes (SIMD parsing reads ahead). Returns false with issues on problems.
  static constexpr size_t kPadding = 64;
  bool DecodeFlat(std::string_view json, uint8_t* dst, Arena& arena, std::vector<CaseIssue>* issues);

  // Decodes into Values (copies the text, so no padding is needed).
  DecodedCase Decode(std::string_view json);

  // Text mode, for cases converted from CSV: a number or a boolean may also be a JSON string
  // holding its text (`"+5"`, `"1_000"`, `"maybe"`), read as a decimal literal or `true`/`false`
  // and reported with the text when it is not one.
  void SetTextScalars(bool on);

  // A top-level key that labels the case (`"id": "deal 7"`) rather than giving an input: it is
  // not reported as an unknown field, and its value (a string, or a number as written) is the
  // label of the case last decoded. Empty (the default): no label key. Not used when an input
  // has that name.
  void SetLabelKey(std::string key);
  const std::string& label() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edict::rt
