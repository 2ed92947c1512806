// Runtime values. Types are static (the checker proved them), so a Value carries only what the
// engines need to compute; units live in the TypeId that accompanies a value when it is printed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/date.h"
#include "runtime/decimal.h"
#include "runtime/types.h"

namespace edict::rt {

struct EnumValue {
  uint32_t enum_id = 0;
  uint32_t index = 0;
  friend bool operator==(const EnumValue&, const EnumValue&) = default;
};

// A finite set of members of one enum, one bit per member.
struct SetValue {
  uint32_t enum_id = 0;
  std::shared_ptr<const std::vector<uint64_t>> bits;
  bool Contains(uint32_t index) const { return ((*bits)[index / 64] >> (index % 64)) & 1; }
};

struct Value;
struct RecordValue {
  uint32_t record_id = 0;
  std::shared_ptr<const std::vector<Value>> fields;
};
struct ListValue {
  std::shared_ptr<const std::vector<Value>> elems;
};
struct TextValue {
  std::shared_ptr<const std::string> str;
};
// A value of a sum type: a member, and the value it carries (null for a member that carries none).
struct SumValue {
  uint32_t enum_id = 0;
  uint32_t index = 0;
  std::shared_ptr<const Value> payload;
};

using ValueVariant = std::variant<std::monostate, bool, int64_t, Decimal, Date, Duration, EnumValue, SetValue,
                                  RecordValue, ListValue, TextValue, SumValue>;

struct Value : ValueVariant {
  using ValueVariant::ValueVariant;
  using ValueVariant::operator=;
  bool AsBool() const { return std::get<bool>(*this); }
  int64_t AsInt() const { return std::get<int64_t>(*this); }
  const Decimal& AsDec() const { return std::get<Decimal>(*this); }
  Date AsDate() const { return std::get<Date>(*this); }
  const Duration& AsDur() const { return std::get<Duration>(*this); }
  const EnumValue& AsEnum() const { return std::get<EnumValue>(*this); }
  const SetValue& AsSet() const { return std::get<SetValue>(*this); }
  const RecordValue& AsRecord() const { return std::get<RecordValue>(*this); }
  const ListValue& AsList() const { return std::get<ListValue>(*this); }
  const std::string& AsText() const { return *std::get<TextValue>(*this).str; }
  const SumValue& AsSum() const { return std::get<SumValue>(*this); }
};

Value MakeText(std::string s);
Value MakeRecord(uint32_t record_id, std::vector<Value> fields);
Value MakeList(std::vector<Value> elems);
Value MakeSet(uint32_t enum_id, size_t member_count, const std::vector<uint32_t>& members);
Value MakeSetFromBits(uint32_t enum_id, std::vector<uint64_t> bits);
// A member of a sum type, with the value it carries (none for a member without one).
Value MakeSum(uint32_t enum_id, uint32_t index);
Value MakeSum(uint32_t enum_id, uint32_t index, Value payload);

// Structural equality of two values of the same type.
bool ValuesEqual(const Value& a, const Value& b);

// Edict source spelling of a value of type t: `15831.2 [tpp]`, `{CN, MO}`, `Verdict { ... }`.
std::string FormatValue(const Value& v, TypeId t, const TypeTable& types);

// JSON spelling: numbers as exact JSON numbers (non-terminating fractions as strings
// "num/den"), dates as "YYYY-MM-DD", enums as member names, sets and lists as arrays; a member of
// a sum type that carries a value as {"member": value}, and `optional T` as null or the value.
std::string ValueToJson(const Value& v, TypeId t, const TypeTable& types);

// The first bound of a field's declared domain that v (of type t) breaks, or null when v lies in it.
const FieldBound* OutsideDomain(const Value& v, TypeId t, const TypeTable& types,
                                const std::vector<FieldBound>& bounds);

// Escapes a string for inclusion in JSON (with the quotes).
std::string JsonQuote(std::string_view s);

}  // namespace edict::rt
