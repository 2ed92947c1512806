// Fuzz target `case_json`: one JSON case, decoded (runtime/case_json.*) for the inputs of two
// fixed decisions (case_targets.h). Besides never crashing, hanging or leaking, the decoder must
// agree with itself: the flat decoding (what native code reads) and the Value decoding accept
// the same cases and give the same values; a rejected case names its problems; an accepted case
// written back as JSON decodes to the same values, and evaluates on the interpreter.
#include "tests/fuzz/case_targets.h"
#include "tests/fuzz/fuzz_support.h"

using namespace edict;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CaseTargets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  for (auto& t : fuzz::CaseTargets()) fuzz::CheckCase(*t, json);
  return 0;
}
