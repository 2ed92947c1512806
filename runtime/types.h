// The representation of Edict types, shared by the checker (which builds it), the engines and
// case decoding (which read it). Types are interned: equal types have equal TypeIds.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/decimal.h"
#include "runtime/source_range.h"

namespace edict::rt {

enum class TypeKind : uint8_t {
  Error,  // poison: a type the checker could not determine (already reported)
  Bool,
  Integer,  // 64-bit, overflow is a runtime error; carries a unit
  Decimal,  // exact rational; carries a unit
  Date,
  Duration,
  Text,
  Enum,    // ref = enum index
  Set,     // finite set of enum values; ref = enum index
  Record,  // ref = record index
  List,    // ref = element TypeId
  Sum,     // an enum some of whose members carry a value (`most_recent(Sale)`), or `optional T`;
           // ref = enum index
};

using TypeId = uint32_t;
using UnitId = uint32_t;  // 0 is the dimensionless unit

// The payload of an enum member that carries no value (EnumInfo::payloads).
inline constexpr TypeId kNoPayload = UINT32_MAX;

struct TypeInfo {
  TypeKind kind = TypeKind::Error;
  UnitId unit = 0;
  uint32_t ref = 0;
  friend bool operator==(const TypeInfo&, const TypeInfo&) = default;
};

struct EnumInfo {
  std::string name;
  std::string doc;
  std::vector<std::string> members;
  std::vector<std::string> member_docs;
  SourceRange range;
  // A sum type (TypeKind::Sum): some member carries a value. `payloads` has one entry per member,
  // the type of the value it carries or kNoPayload. An enum without payloads has none (Enum).
  bool sum = false;
  std::vector<TypeId> payloads;
  // `optional T`: the sum with members `none` and `some(T)`, made by TypeTable::Optional.
  TypeId optional_of = kNoPayload;
  bool HasPayload(uint32_t member) const { return member < payloads.size() && payloads[member] != kNoPayload; }
  bool optional() const { return optional_of != kNoPayload; }
};

// One bound of a field's declared domain (`tpp: decimal[tpp/chip] where tpp >= 0 [tpp/chip]`):
// the field compared with a literal. Case decoding rejects a value outside it; the symbolic diff
// reasons only about values inside it.
enum class BoundCmp : uint8_t { Lt, Le, Gt, Ge };
struct FieldBound {
  BoundCmp cmp = BoundCmp::Ge;
  Decimal number;         // integer and decimal fields
  int32_t date_days = 0;  // date fields
  std::string text;       // as written, e.g. `tpp >= 0 [tpp/chip]`
  SourceRange range;
  // Whether a value v with three-way comparison `c` = compare(v, bound) satisfies the bound.
  bool Holds(int c) const {
    switch (cmp) {
      case BoundCmp::Lt: return c < 0;
      case BoundCmp::Le: return c <= 0;
      case BoundCmp::Gt: return c > 0;
      case BoundCmp::Ge: return c >= 0;
    }
    return false;
  }
};

struct FieldInfo {
  std::string name;
  TypeId type = 0;
  std::string doc;
  SourceRange range;
  std::vector<FieldBound> bounds;  // the declared domain: every bound holds (empty: any value)
  // The declared default (`income: decimal[eur] = 0 [eur];`) as the JSON a case would give, which
  // case decoding reads when a case omits the field and the JSON Schema shows as `default`; empty
  // when the field is required.
  std::string default_json = {};
};

struct RecordInfo {
  std::string name;
  std::string doc;
  std::vector<FieldInfo> fields;
  SourceRange range;
  int FieldIndex(std::string_view n) const {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == n) return int(i);
    return -1;
  }
};

struct BaseUnitInfo {
  std::string name;
  std::string doc;
  SourceRange range;
  // A unit parameter of a generic helper (`u` in `def round_cents<u>(x: decimal[u])`): inside the
  // helper, an opaque unit; each call substitutes the unit its arguments have.
  bool parameter = false;
};

// A unit is a product of base units raised to non-zero integer powers, sorted by base index.
using UnitFactors = std::vector<std::pair<uint32_t, int>>;

class TypeTable {
 public:
  TypeTable();

  // Well-known types, interned at construction.
  TypeId error() const { return 0; }
  TypeId boolean() const { return 1; }
  TypeId integer() const { return 2; }  // dimensionless
  TypeId decimal() const { return 3; }  // dimensionless
  TypeId date() const { return 4; }
  TypeId duration() const { return 5; }
  TypeId text() const { return 6; }

  TypeId Intern(TypeInfo info);
  const TypeInfo& info(TypeId t) const { return types_[t]; }
  TypeKind kind(TypeId t) const { return types_[t].kind; }
  size_t type_count() const { return types_.size(); }

  UnitId InternUnit(UnitFactors factors);
  const UnitFactors& unit(UnitId u) const { return units_[u]; }
  UnitId MulUnits(UnitId a, UnitId b);
  UnitId DivUnits(UnitId a, UnitId b);
  // "tpp/chip", "" for dimensionless.
  std::string UnitName(UnitId u) const;

  // Edict spelling of a type: `decimal[tpp/chip]`, `set of Country`, `optional Sale`.
  std::string Name(TypeId t) const;

  // The type of enum `en`'s values: TypeKind::Sum when some member carries a value, else Enum.
  TypeId EnumType(uint32_t en) { return Intern({enums[en].sum ? TypeKind::Sum : TypeKind::Enum, 0, en}); }
  // `optional t`: the sum type with members `none` and `some(t)` (an enum of its own, made once).
  TypeId Optional(TypeId t);
  // The members of an optional type.
  static constexpr uint32_t kNone = 0, kSome = 1;

  std::vector<BaseUnitInfo> base_units;
  std::vector<EnumInfo> enums;
  std::vector<RecordInfo> records;

 private:
  std::vector<TypeInfo> types_;
  std::vector<UnitFactors> units_;
};

}  // namespace edict::rt
