// The impact of a transition class for a reader: how the new verdict compares with the old one,
// derived from the outcome type's `impact` declaration (ir::Impact) or from the default below.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/value.h"

namespace edict::diff {

// In the order reports list them: changes of verdict first, then errors (defects of the
// encoding), then changes that leave the verdict as it was.
enum class ImpactKind { Tightened, Loosened, Mixed, Error, Detail, Explanation };
inline constexpr ImpactKind kImpactKinds[] = {ImpactKind::Tightened, ImpactKind::Loosened, ImpactKind::Mixed,
                                              ImpactKind::Error,     ImpactKind::Detail,   ImpactKind::Explanation};

// "tightened", "loosened", "mixed", "error", "detail", "explanation" (the JSON contract).
const char* ImpactName(ImpactKind k);
// What the group of classes of that impact means, for a summary line ("the new version is
// stricter").
const char* ImpactMeaning(ImpactKind k);

// How outcomes of type t compare: the declaration of `m` (or of `fallback`, when only that side
// declares it), else the default: in a record, text fields are explanation and every other field
// is an unordered verdict; any other type is an unordered verdict.
ir::Impact ImpactFor(const ir::Module& m, const ir::Module& fallback, rt::TypeId t);

// The impact of a change from `a` to `b` (null: that side failed with a runtime error). Fields
// listed in `ignored` (by index; sets reported as flags, say) do not count. When no counted field
// changes, `otherwise` is the result.
ImpactKind ClassImpact(const ir::Impact& impact, const rt::Value* a, const rt::Value* b,
                       const std::vector<bool>& ignored = {}, ImpactKind otherwise = ImpactKind::Explanation);

// Whether two outcome values are equal when the two sides are separate programs: an enum value is
// compared by member (its enum's number may differ between the programs), records and lists
// element by element; other values as rt::ValuesEqual.
bool SameValue(const rt::Value& a, const rt::Value& b);

// The numbers of classes (given 0-based, in increasing order) as a summary prints them, 1-based,
// with every run of three or more consecutive numbers as a range: "1-138, 140, 142, 143". A
// group of classes in impact order is mostly one run, and a corpus can have hundreds of classes.
// `number` writes one number (a link, in HTML); `dash` joins a range's ends.
std::string ClassNumbers(const std::vector<size_t>& zero_based, const std::function<std::string(size_t)>& number = {},
                         const std::string& separator = ", ", const std::string& dash = "-");

// The role of a change limited to field `field` (of a record outcome).
ImpactKind FieldImpact(const ir::Impact& impact, size_t field);

}  // namespace edict::diff
