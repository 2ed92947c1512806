#include "runtime/errors.h"

namespace edict::rt {

const char* Spelling(RtErrorKind k) {
  switch (k) {
#define EDICT_RUNTIME_ERROR(Name, spelling, summary) \
  case RtErrorKind::Name:                            \
    return spelling;
#include "runtime/runtime_errors.def"
#undef EDICT_RUNTIME_ERROR
  }
  return "?";
}

const char* Summary(RtErrorKind k) {
  switch (k) {
#define EDICT_RUNTIME_ERROR(Name, spelling, summary) \
  case RtErrorKind::Name:                            \
    return summary;
#include "runtime/runtime_errors.def"
#undef EDICT_RUNTIME_ERROR
  }
  return "?";
}

std::vector<RtErrorKind> AllRtErrorKinds() {
  return {
#define EDICT_RUNTIME_ERROR(Name, spelling, summary) RtErrorKind::Name,
#include "runtime/runtime_errors.def"
#undef EDICT_RUNTIME_ERROR
  };
}

std::optional<RtErrorKind> RtErrorKindFromSpelling(std::string_view s) {
  for (RtErrorKind k : AllRtErrorKinds())
    if (s == Spelling(k)) return k;
  return std::nullopt;
}

}  // namespace edict::rt
