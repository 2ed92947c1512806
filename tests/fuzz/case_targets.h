// The fixed decisions whose inputs the case targets (case_json, case_csv) decode, and the checks
// every decoded case goes through.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/load/load.h"
#include "runtime/case_json.h"

namespace edict::fuzz {

struct CaseTarget {
  std::string name;  // "file decision"
  load::Program program;
  uint32_t decision = 0;
  std::vector<rt::CaseParam> params;
  std::unique_ptr<rt::CaseDecoder> decoder;       // JSON cases
  std::unique_ptr<rt::CaseDecoder> text_decoder;  // CSV records as JSON (text scalars, an `id` label)
  std::unique_ptr<interp::Interpreter> interp;

  const rt::TypeTable& types() const { return program.module.types; }
};

// `licence` of regs/ai_diffusion/r1_diffusion.edict.md (nested records, enums, sets, dates,
// decimals with domains) and `verdict` of tests/bench/peers.edict (flat), loaded once.
std::vector<std::unique_ptr<CaseTarget>>& CaseTargets();

// A case as one JSON object (rt::ValueToJson of each argument).
std::string CaseJson(const CaseTarget& t, const std::vector<rt::Value>& args);

// Decodes a JSON case both ways (flat, as native code reads it, and as Values) and checks that
// they agree; that a rejected case names its problems; that an accepted one, written back as
// JSON, decodes to the same values; and that it evaluates (an outcome or a runtime error).
// Fails the run otherwise. Returns the arguments (empty when the case was rejected). The decoder
// is t.decoder, or t.text_decoder for a CSV record (cases::CsvCases::ToJson); the case written
// back is read by t.decoder.
std::vector<rt::Value> CheckCase(CaseTarget& t, std::string_view json);
std::vector<rt::Value> CheckCase(CaseTarget& t, rt::CaseDecoder& decoder, std::string_view json);

// A case as a CSV row (one field per leaf of the inputs, in the order of CsvHeader), the
// header of every column, and fields joined into a row (cases::CsvQuote).
std::string CsvRow(const CaseTarget& t, const std::vector<rt::Value>& args);
std::string CsvHeader(const CaseTarget& t);
std::string CsvJoin(const std::vector<std::string>& fields);

// Whether two argument lists are equal.
bool SameArgs(const std::vector<rt::Value>& a, const std::vector<rt::Value>& b);

}  // namespace edict::fuzz
