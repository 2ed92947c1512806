#include "runtime/value.h"

#include "runtime/text.h"

#include <fmt/format.h>

namespace edict::rt {

Value MakeText(std::string s) { return TextValue{std::make_shared<const std::string>(std::move(s))}; }

Value MakeRecord(uint32_t record_id, std::vector<Value> fields) {
  return RecordValue{record_id, std::make_shared<const std::vector<Value>>(std::move(fields))};
}

Value MakeList(std::vector<Value> elems) {
  return ListValue{std::make_shared<const std::vector<Value>>(std::move(elems))};
}

Value MakeSet(uint32_t enum_id, size_t member_count, const std::vector<uint32_t>& members) {
  std::vector<uint64_t> bits((member_count + 63) / 64, 0);
  for (uint32_t m : members) bits[m / 64] |= uint64_t(1) << (m % 64);
  return MakeSetFromBits(enum_id, std::move(bits));
}

Value MakeSetFromBits(uint32_t enum_id, std::vector<uint64_t> bits) {
  return SetValue{enum_id, std::make_shared<const std::vector<uint64_t>>(std::move(bits))};
}

Value MakeSum(uint32_t enum_id, uint32_t index) { return SumValue{enum_id, index, nullptr}; }

Value MakeSum(uint32_t enum_id, uint32_t index, Value payload) {
  return SumValue{enum_id, index, std::make_shared<const Value>(std::move(payload))};
}

static bool ElementsEqual(const std::vector<Value>& xs, const std::vector<Value>& ys) {
  if (xs.size() != ys.size()) return false;
  for (size_t i = 0; i < xs.size(); ++i)
    if (!ValuesEqual(xs[i], ys[i])) return false;
  return true;
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, SetValue>) {
          return *x.bits == *y.bits;
        } else if constexpr (std::is_same_v<T, RecordValue>) {
          return ElementsEqual(*x.fields, *y.fields);
        } else if constexpr (std::is_same_v<T, ListValue>) {
          return ElementsEqual(*x.elems, *y.elems);
        } else if constexpr (std::is_same_v<T, TextValue>) {
          return *x.str == *y.str;
        } else if constexpr (std::is_same_v<T, SumValue>) {
          if (x.index != y.index || bool(x.payload) != bool(y.payload)) return false;
          return !x.payload || ValuesEqual(*x.payload, *y.payload);
        } else {
          return x == y;
        }
      },
      static_cast<const ValueVariant&>(a));
}

namespace {

// A text as the reader sees it: quoted, with quotes and backslashes escaped, and every control
// character written as an escape (rt::TerminalSafe), so case data cannot drive the terminal.
std::string Quote(std::string_view s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return "\"" + TerminalSafe(r) + "\"";
}

template <class Elem>
std::string Join(const std::vector<Value>& xs, Elem elem, const char* open, const char* close) {
  std::string s = open;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i) s += ", ";
    s += elem(i, xs[i]);
  }
  return s + close;
}

std::vector<uint32_t> SetMembers(const SetValue& s, size_t count) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < count; ++i)
    if (s.Contains(i)) out.push_back(i);
  return out;
}

}  // namespace

std::string FormatValue(const Value& v, TypeId t, const TypeTable& types) {
  const TypeInfo& ti = types.info(t);
  auto unit = [&]() { return ti.unit ? " [" + types.UnitName(ti.unit) + "]" : std::string(); };
  switch (ti.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return v.AsBool() ? "true" : "false";
    case TypeKind::Integer: return std::to_string(v.AsInt()) + unit();
    case TypeKind::Decimal: return v.AsDec().ToString() + unit();
    case TypeKind::Date: return ToString(v.AsDate());
    case TypeKind::Duration: return ToString(v.AsDur());
    case TypeKind::Text: return Quote(v.AsText());
    case TypeKind::Enum: return types.enums[ti.ref].members[v.AsEnum().index];
    case TypeKind::Set: {
      const EnumInfo& e = types.enums[ti.ref];
      std::string s = "{";
      bool first = true;
      for (uint32_t m : SetMembers(v.AsSet(), e.members.size())) {
        if (!first) s += ", ";
        first = false;
        s += e.members[m];
      }
      return s + "}";
    }
    case TypeKind::Record: {
      const RecordInfo& r = types.records[ti.ref];
      return r.name + " " +
             Join(
                 *v.AsRecord().fields,
                 [&](size_t i, const Value& f) {
                   return r.fields[i].name + ": " + FormatValue(f, r.fields[i].type, types);
                 },
                 "{ ", " }");
    }
    case TypeKind::List:
      return Join(
          *v.AsList().elems, [&](size_t, const Value& e) { return FormatValue(e, ti.ref, types); }, "[", "]");
    case TypeKind::Sum: {
      const EnumInfo& e = types.enums[ti.ref];
      const SumValue& s = v.AsSum();
      std::string out = e.members[s.index];
      if (s.payload) out += "(" + FormatValue(*s.payload, e.payloads[s.index], types) + ")";
      return out;
    }
  }
  return "?";
}

std::string JsonQuote(std::string_view s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\r': r += "\\r"; break;
      case '\t': r += "\\t"; break;
      default:
        if (c < 0x20)
          r += fmt::format("\\u{:04x}", c);
        else
          r += char(c);
    }
  }
  return r + "\"";
}

std::string ValueToJson(const Value& v, TypeId t, const TypeTable& types) {
  const TypeInfo& ti = types.info(t);
  switch (ti.kind) {
    case TypeKind::Error: return "null";
    case TypeKind::Bool: return v.AsBool() ? "true" : "false";
    case TypeKind::Integer: return std::to_string(v.AsInt());
    case TypeKind::Decimal: {
      std::string s = v.AsDec().ToString();
      return s.find('/') == std::string::npos ? s : JsonQuote(s);
    }
    case TypeKind::Date: return JsonQuote(ToString(v.AsDate()));
    case TypeKind::Duration: return JsonQuote(ToString(v.AsDur()));
    case TypeKind::Text: return JsonQuote(v.AsText());
    case TypeKind::Enum: return JsonQuote(types.enums[ti.ref].members[v.AsEnum().index]);
    case TypeKind::Set: {
      const EnumInfo& e = types.enums[ti.ref];
      std::string s = "[";
      bool first = true;
      for (uint32_t m : SetMembers(v.AsSet(), e.members.size())) {
        if (!first) s += ",";
        first = false;
        s += JsonQuote(e.members[m]);
      }
      return s + "]";
    }
    case TypeKind::Record: {
      const RecordInfo& r = types.records[ti.ref];
      std::string s = "{";
      const auto& fs = *v.AsRecord().fields;
      for (size_t i = 0; i < fs.size(); ++i) {
        if (i) s += ",";
        s += JsonQuote(r.fields[i].name) + ":" + ValueToJson(fs[i], r.fields[i].type, types);
      }
      return s + "}";
    }
    case TypeKind::List: {
      std::string s = "[";
      const auto& es = *v.AsList().elems;
      for (size_t i = 0; i < es.size(); ++i) {
        if (i) s += ",";
        s += ValueToJson(es[i], ti.ref, types);
      }
      return s + "]";
    }
    case TypeKind::Sum: {
      const EnumInfo& e = types.enums[ti.ref];
      const SumValue& s = v.AsSum();
      if (e.optional()) return s.payload ? ValueToJson(*s.payload, e.optional_of, types) : "null";
      if (!s.payload) return JsonQuote(e.members[s.index]);
      return "{" + JsonQuote(e.members[s.index]) + ":" + ValueToJson(*s.payload, e.payloads[s.index], types) + "}";
    }
  }
  return "null";
}

const FieldBound* OutsideDomain(const Value& v, TypeId t, const TypeTable& types,
                                const std::vector<FieldBound>& bounds) {
  for (const FieldBound& b : bounds) {
    int c = 0;
    switch (types.kind(t)) {
      case TypeKind::Integer: c = Decimal::Compare(Decimal::FromInt(v.AsInt()), b.number); break;
      case TypeKind::Decimal: c = Decimal::Compare(v.AsDec(), b.number); break;
      case TypeKind::Date: c = v.AsDate().days < b.date_days ? -1 : (v.AsDate().days > b.date_days ? 1 : 0); break;
      case TypeKind::Error:
      case TypeKind::Bool:
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::Enum:
      case TypeKind::Set:
      case TypeKind::Record:
      case TypeKind::List:
      case TypeKind::Sum: continue;
    }
    if (!b.Holds(c)) return &b;
  }
  return nullptr;
}

}  // namespace edict::rt
