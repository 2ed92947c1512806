#include "runtime/case_json.h"

#include "runtime/text.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace edict::rt {

namespace od = simdjson::ondemand;

namespace {

// Parses a decimal literal into an unreduced num/10^k when both fit in 64 bits (the common case,
// with no gcd); otherwise falls back to Decimal::Parse (reduced, boxed if large).
bool ParseDecimalFast(std::string_view s, int64_t* num, int64_t* den, int* decimals) {
  const char* p = s.data();
  const char* end = p + s.size();
  bool neg = false;
  if (p < end && (*p == '-' || *p == '+')) neg = *p++ == '-';
  // Unsigned arithmetic may wrap on a long literal, which the length check below then rejects.
  uint64_t mant = 0;
  const char* int_start = p;
  while (p < end && unsigned(*p - '0') < 10) mant = mant * 10 + unsigned(*p++ - '0');
  size_t int_digits = size_t(p - int_start), frac = 0;
  if (p < end && *p == '.') {
    const char* frac_start = ++p;
    while (p < end && unsigned(*p - '0') < 10) mant = mant * 10 + unsigned(*p++ - '0');
    frac = size_t(p - frac_start);
    if (frac == 0) return false;  // `1.`: not a JSON number
  }
  // At most 18 digits (below 10^18 < 2^63); exponents, separators, longer literals, spellings
  // JSON does not allow (`01`): the general parser.
  if (p != end || int_digits == 0 || int_digits + frac > 18 || (int_digits > 1 && *int_start == '0')) return false;
  static constexpr int64_t kPow10[] = {1,
                                       10,
                                       100,
                                       1000,
                                       10000,
                                       100000,
                                       1000000,
                                       10000000,
                                       100000000,
                                       1000000000,
                                       10000000000,
                                       100000000000,
                                       1000000000000,
                                       10000000000000,
                                       100000000000000,
                                       1000000000000000,
                                       10000000000000000,
                                       100000000000000000,
                                       1000000000000000000};
  *num = neg ? -int64_t(mant) : int64_t(mant);
  *den = kPow10[frac];
  *decimals = int(frac);
  return true;
}

// num/den (den = 10^decimals, from ParseDecimalFast) in the flat layout: over `scale` when it
// is a whole number of 1/scale within 64 bits (see CanonicalScale), as written otherwise.
void WriteParsedDecimal(int64_t num, int64_t den, int decimals, int64_t scale, uint8_t* dst) {
  static_assert(kFlatDecimalScale == 1'000'000);
  static constexpr int64_t kScaleUp[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  int64_t scaled;
  if (scale == kFlatDecimalScale && decimals <= 6) {  // the common case: by a table, no division
    if (!__builtin_mul_overflow(num, kScaleUp[decimals], &scaled)) {
      num = scaled;
      den = scale;
    }
  } else if (ScaleToFlat(num, den, scale, &scaled)) {
    num = scaled;
    den = scale;
  }
  std::memcpy(dst, &num, 8);
  std::memcpy(dst + 8, &den, 8);
}

}  // namespace

// A value as quoted in a message: whole when short, otherwise its start and its length (a
// malformed case may hold megabytes in one field); control characters (a line break in a CSV
// field, an escape sequence) and the invisible U+FEFF are written as escapes, so a message stays
// one plain, visible line.
std::string Shown(std::string_view s) { return rt::TerminalSafe(rt::Shorten(s, 80)); }

bool IsJsonNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&] {
    size_t from = i;
    while (i < n && unsigned(s[i] - '0') < 10) ++i;
    return i - from;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0')
    ++i;
  else if (digits() == 0)
    return false;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

namespace {}  // namespace

std::string JsonSyntaxProblem(std::string_view t) {
  const size_t n = t.size();
  size_t first_nl = t.find('\n');
  bool several_lines =
      first_nl != std::string_view::npos && t.find_first_not_of(" \t\r\n", first_nl) != std::string_view::npos;
  auto at = [&](size_t pos) {
    size_t line = 1, start = 0;
    for (size_t k = 0; k < pos && k < n; ++k)
      if (t[k] == '\n') {
        ++line;
        start = k + 1;
      }
    return several_lines ? fmt::format("line {}, column {}", line, pos - start + 1)
                         : fmt::format("column {}", pos - start + 1);
  };
  // What is at pos, for a message: the token that starts there, or the byte.
  auto found = [&](size_t pos) -> std::string {
    unsigned char c = static_cast<unsigned char>(t[pos]);
    if (c < 0x20 || c == 0x7f) return fmt::format("the control character 0x{:02X}", c);
    if (c >= 0x80 && Utf8Length(t, pos) == 0) return fmt::format("the byte 0x{:02X}, which is not UTF-8", c);
    if (c == '"') {  // a string: up to its closing quote
      size_t close = t.find('"', pos + 1);
      if (close != std::string_view::npos && close - pos < 24)
        return fmt::format("`{}`", Shown(t.substr(pos, close - pos + 1)));
      return fmt::format("`{}...`", Shown(t.substr(pos, std::min<size_t>(n - pos, 20))));
    }
    size_t end = pos;
    while (end < n && end - pos < 24 && std::string_view(" \t\r\n,:[]{}\"").find(t[end]) == std::string_view::npos &&
           static_cast<unsigned char>(t[end]) >= 0x20)
      end += std::max<size_t>(1, Utf8Length(t, end));
    if (end == pos) return fmt::format("`{}`", t[pos]);
    bool cut = end < n && end - pos >= 24;
    return fmt::format("`{}{}`", t.substr(pos, end - pos), cut ? "..." : "");
  };
  auto is_delim = [&](size_t pos) {
    return pos >= n || std::string_view(" \t\r\n,]}").find(t[pos]) != std::string_view::npos;
  };
  enum class Want { kValue, kValueOrClose, kAfterValue, kKeyOrClose, kKey, kColon } want = Want::kValue;
  std::vector<std::pair<char, size_t>> open;  // the containers open, and where
  char top_kind = 0;                          // the first character of the top-level value
  size_t i = 0;
  for (;;) {
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
    if (i == n) {
      if (open.empty() && want == Want::kAfterValue) return "";
      if (open.empty()) return n == 0 ? "it is empty" : "it holds only blank space";
      return fmt::format("it ends before the {} opened at {} is closed (is it cut short?)",
                         open.back().first == '{' ? "object" : "array", at(open.back().second));
    }
    char c = t[i];
    if (c == '\0') return fmt::format("a NUL byte at {} (is this a binary file?)", at(i));
    if (t.substr(i, 3) == "\xEF\xBB\xBF")
      return fmt::format("a byte order mark (U+FEFF) at {}; only one at the very start of a file is skipped", at(i));
    switch (want) {
      case Want::kAfterValue:
        if (open.empty())
          return fmt::format("unexpected {} at {}, after the JSON {} ended", found(i), at(i),
                             top_kind == '{' ? "object" : "value");
        if (c == ',') {
          ++i;
          want = open.back().first == '{' ? Want::kKey : Want::kValue;
          continue;
        }
        if (c == (open.back().first == '{' ? '}' : ']')) {
          open.pop_back();
          ++i;
          continue;
        }
        return fmt::format("expected `,` or `{}` at {}, found {}", open.back().first == '{' ? '}' : ']', at(i),
                           found(i));
      case Want::kKeyOrClose:
        if (c == '}') {
          open.pop_back();
          ++i;
          want = Want::kAfterValue;
          continue;
        }
        [[fallthrough]];
      case Want::kKey:
        if (c != '"') return fmt::format("expected a key (a name in double quotes) at {}, found {}", at(i), found(i));
        break;  // the string is read below
      case Want::kColon:
        if (c != ':') return fmt::format("expected `:` after the key at {}, found {}", at(i), found(i));
        ++i;
        want = Want::kValue;
        continue;
      case Want::kValueOrClose:
        if (c == ']') {
          open.pop_back();
          ++i;
          want = Want::kAfterValue;
          continue;
        }
        [[fallthrough]];
      case Want::kValue: break;
    }
    if (open.empty() && !top_kind) top_kind = c;
    bool key = want == Want::kKey || want == Want::kKeyOrClose;
    if (c == '{' || c == '[') {
      open.emplace_back(c, i++);
      want = c == '{' ? Want::kKeyOrClose : Want::kValueOrClose;
      continue;
    }
    if (c == '"') {  // a string: escapes, no control characters, UTF-8
      size_t start = i++;
      for (;;) {
        if (i >= n) return fmt::format("the string opened at {} is not closed", at(start));
        unsigned char b = static_cast<unsigned char>(t[i]);
        if (b == '"') break;
        if (b == '\0') return fmt::format("a NUL byte at {} (is this a binary file?)", at(i));
        if (b < 0x20)
          return fmt::format("the control character 0x{:02X} at {}, inside a string: write it as an escape ({})", b,
                             at(i),
                             b == '\n'   ? "`\\n`"
                             : b == '\t' ? "`\\t`"
                             : b == '\r' ? "`\\r`"
                                         : fmt::format("`\\u{:04x}`", b));
        if (b == '\\') {
          char e = i + 1 < n ? t[i + 1] : '\0';
          if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos && e != '\0') {
            i += 2;
            continue;
          }
          if (e == 'u' && i + 6 <= n && std::all_of(t.begin() + long(i) + 2, t.begin() + long(i) + 6, [](char h) {
                return std::isxdigit(static_cast<unsigned char>(h)) != 0;
              })) {
            i += 6;
            continue;
          }
          return fmt::format("an invalid escape at {}: JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                             at(i));
        }
        size_t len = Utf8Length(t, i);
        if (len == 0) return fmt::format("the byte 0x{:02X} at {}, inside a string, is not UTF-8", b, at(i));
        i += len;
      }
      ++i;
      want = key ? Want::kColon : Want::kAfterValue;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = i;
      while (!is_delim(i) && t[i] != ':' && t[i] != '"' && t[i] != '{' && t[i] != '[') ++i;
      if (!IsJsonNumber(t.substr(start, i - start)))
        return fmt::format("{} at {} is not a JSON number (such as 12, -0.5 or 1e6)", found(start), at(start));
      want = Want::kAfterValue;
      continue;
    }
    bool literal = false;
    for (std::string_view word : {"true", "false", "null"})
      if (t.substr(i, word.size()) == word && is_delim(i + word.size())) {
        i += word.size();
        literal = true;
        break;
      }
    if (literal) {
      want = Want::kAfterValue;
      continue;
    }
    if (c == '\'') return fmt::format("a single quote at {}: JSON strings take double quotes", at(i));
    return fmt::format("expected a value at {}, found {}", at(i), found(i));
  }
}

// Where a value is in the case: rendered (`s.consignee.country`, `s.end_uses[2]`) only when
// there is something to report.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;
  int index = -1;  // list element
  std::string Render() const {
    std::string base = parent ? parent->Render() : std::string();
    if (index >= 0) return base + "[" + std::to_string(index) + "]";
    if (name.empty()) return base;
    return base.empty() ? std::string(name) : base + "." + std::string(name);
  }
};

// Enum member names -> index: open addressing over a power-of-two table (member names are
// short: hashing them is cheaper than a node-based map's bucket walk).
class MemberTable {
 public:
  explicit MemberTable(const std::vector<std::string>& members) {
    size_t cap = 16;
    while (cap < members.size() * 3) cap *= 2;
    slots_.assign(cap, {std::string_view(), -1});
    mask_ = cap - 1;
    for (size_t i = 0; i < members.size(); ++i) {
      size_t h = Hash(members[i]) & mask_;
      while (slots_[h].second >= 0) h = (h + 1) & mask_;
      slots_[h] = {members[i], int(i)};
    }
  }
  int Find(std::string_view s) const {
    for (size_t h = Hash(s) & mask_;; h = (h + 1) & mask_) {
      const auto& [name, idx] = slots_[h];
      if (idx < 0) return -1;
      if (name.size() == s.size() && Same(name.data(), s.data(), s.size())) return idx;
    }
  }

 private:
  static bool Same(const char* a, const char* b, size_t n) {  // names are short: no call to memcmp
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  static size_t Hash(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return size_t(h ^ (h >> 29));
  }
  std::vector<std::pair<std::string_view, int>> slots_;
  size_t mask_ = 0;
};

struct CaseDecoder::Impl {
  const TypeTable& types;
  std::vector<CaseParam> params;
  Layouts layouts;
  TypeLayout input;
  od::parser parser;
  od::parser default_parser;  // reads the declared default of a field a case omits
  std::vector<CaseIssue>* issues = nullptr;
  Arena* arena = nullptr;
  bool text_scalars = false;  // SetTextScalars
  std::string label_key;      // SetLabelKey
  std::string label;          // of the case last decoded

  std::vector<MemberTable> member_index;              // by enum
  std::vector<std::vector<CaseParam>> record_fields;  // by record

  Impl(const TypeTable& t, std::vector<CaseParam> p) : types(t), params(std::move(p)), layouts(t) {
    std::vector<TypeId> ts;
    for (const auto& prm : params) ts.push_back(prm.type);
    input = layouts.Struct(ts);
    for (const auto& e : types.enums) member_index.emplace_back(e.members);
    for (const auto& r : types.records) {
      record_fields.emplace_back();
      for (const auto& f : r.fields)
        record_fields.back().push_back({f.name, f.type, f.bounds.empty() ? nullptr : &f.bounds,
                                        CanonicalScale(f.bounds), f.default_json.empty() ? nullptr : &f.default_json});
    }
  }

  // A field's path is data too (a key of the case): shown like a value, but longer.
  void Issue(const Path& path, std::string msg) {
    issues->push_back({rt::TerminalSafe(rt::Shorten(path.Render(), 200)), std::move(msg)});
  }

  // A member named in another Unicode normalisation form than the program's (NFC) is found too.
  int MemberIndex(uint32_t en, std::string_view s) const {
    int idx = member_index[en].Find(s);
    if (idx < 0 && !IsAscii(s)) idx = member_index[en].Find(Nfc(s));
    return idx;
  }
  static bool IsAscii(std::string_view s) {
    for (char c : s)
      if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
  }

  static std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
      s.remove_suffix(1);
    return s;
  }

  static const char* JsonTypeName(od::json_type t) {
    switch (t) {
      case od::json_type::array: return "an array";
      case od::json_type::object: return "an object";
      case od::json_type::number: return "a number";
      case od::json_type::string: return "a string";
      case od::json_type::boolean: return "a boolean";
      case od::json_type::null: return "null";
    }
    return "a value";
  }

  static bool ParseDuration(std::string_view s, Duration* out) {
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos) return false;
    auto n = Decimal::Parse(s.substr(0, sp));
    if (!n || !n->IsInteger() || n->num() > 100000000 || n->num() < -100000000) return false;
    int64_t k = int64_t(n->num());
    std::string_view u = s.substr(sp + 1);
    if (u == "day" || u == "days")
      *out = Duration{0, k};
    else if (u == "month" || u == "months")
      *out = Duration{k, 0};
    else if (u == "year" || u == "years")
      *out = Duration{k * 12, 0};
    else
      return false;
    return true;
  }

  // The common scalars (booleans, plain numbers, enum names without escapes), in a small
  // function: true when done; false leaves the value to Read, which handles (and reports) all.
  bool ReadFast(od::value v, TypeId t, int64_t scale, uint8_t* dst) {
    const TypeInfo& ti = types.info(t);
    switch (ti.kind) {
      case TypeKind::Bool: {
        bool b;
        if (v.get_bool().get(b)) return false;
        *dst = b ? 1 : 0;
        return true;
      }
      case TypeKind::Integer:
      case TypeKind::Decimal: {
        std::string_view raw = Trim(v.raw_json_token());
        if (raw.empty() || !(raw[0] == '-' || unsigned(raw[0] - '0') < 10)) return false;  // not a JSON number
        int64_t num, den;
        int decimals;
        if (!ParseDecimalFast(raw, &num, &den, &decimals)) return false;
        if (ti.kind == TypeKind::Integer) {
          if (decimals != 0) return false;
          std::memcpy(dst, &num, 8);
          return true;
        }
        WriteParsedDecimal(num, den, decimals, scale, dst);
        return true;
      }
      case TypeKind::Enum: {
        std::string_view s = Trim(v.raw_json_token());
        if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
        s = s.substr(1, s.size() - 2);
        for (char c : s)
          if (c == '\\') return false;
        int idx = MemberIndex(ti.ref, s);
        if (idx < 0) return false;
        int32_t x = idx;
        std::memcpy(dst, &x, 4);
        return true;
      }
      case TypeKind::Error:
      case TypeKind::Date:
      case TypeKind::Duration:
      case TypeKind::Text:
      case TypeKind::Set:
      case TypeKind::Record:
      case TypeKind::List:
      case TypeKind::Sum: break;
    }
    return false;
  }

  // Reads a value of type t into dst; false (with an issue recorded) when it does not fit.
  bool Read(od::value v, TypeId t, const Path& path, uint8_t* dst, int64_t scale = kFlatDecimalScale) {
    const TypeInfo& ti = types.info(t);
    od::json_type jt;
    if (v.type().get(jt)) {
      Issue(path, "not valid JSON");
      return false;
    }
    if (jt == od::json_type::null && Trim(v.raw_json_token()).substr(0, 4) != "null") {
      Issue(path, "not valid JSON");
      return false;
    }
    // `what` describes the expected value; it is only built when there is a mismatch.
    auto expect = [&](od::json_type want, auto what) {
      if (jt == want) return true;
      Issue(path, fmt::format("expected {}, found {}", what(), JsonTypeName(jt)));
      return false;
    };
    switch (ti.kind) {
      case TypeKind::Error: return false;
      case TypeKind::Bool: {
        if (text_scalars && jt == od::json_type::string) {  // a CSV field that is not true or false
          std::string_view s;
          if (v.get_string().get(s)) {
            Issue(path, "expected true or false");
            return false;
          }
          Issue(path, s.empty() ? std::string("expected true or false, found nothing")
                                : fmt::format("expected true or false, found `{}`", Shown(s)));
          return false;
        }
        if (!expect(od::json_type::boolean, [] { return "true or false"; })) return false;
        bool b;
        if (v.get_bool().get(b)) {
          Issue(path, "expected true or false");
          return false;
        }
        *dst = b ? 1 : 0;
        return true;
      }
      case TypeKind::Integer:
      case TypeKind::Decimal: {
        std::string_view raw;
        std::string owned;
        auto what = [&] {
          std::string w = ti.kind == TypeKind::Integer ? "a whole number" : "a number";
          if (ti.unit) w += " (in " + types.UnitName(ti.unit) + ")";
          return w;
        };
        bool quoted = jt == od::json_type::string && (ti.kind == TypeKind::Decimal || text_scalars);
        if (quoted) {  // a decimal literal in a string (`"1e26"`), or a CSV field's text
          std::string_view s;
          if (v.get_string().get(s)) {
            Issue(path, "expected " + what());
            return false;
          }
          owned = std::string(s);
          raw = owned;
          if (raw.empty()) {
            Issue(path, fmt::format("expected {}, found nothing", what()));
            return false;
          }
        } else {
          if (!expect(od::json_type::number, what)) return false;
          raw = Trim(v.raw_json_token());
        }
        int64_t num, den;
        int decimals;
        if (ParseDecimalFast(raw, &num, &den, &decimals)) {
          if (ti.kind == TypeKind::Decimal) {
            WriteParsedDecimal(num, den, decimals, scale, dst);
            return true;
          }
          if (num % den == 0) {
            int64_t x = num / den;
            std::memcpy(dst, &x, 8);
            return true;
          }
          Issue(path, fmt::format("expected {}, found `{}`", what(), Shown(raw)));
          return false;
        }
        if (!quoted && !IsJsonNumber(raw)) {
          Issue(path, fmt::format("`{}` is not a JSON number (such as 12, -0.5 or 1e6)", Shown(raw)));
          return false;
        }
        Decimal::ParseProblem problem;
        auto d = Decimal::Parse(raw, &problem);
        if (ti.kind == TypeKind::Integer && problem == Decimal::ParseProblem::kTooLarge) {
          Issue(path, fmt::format("`{}` is out of the range of integer (64-bit)", Shown(raw)));
          return false;
        }
        if (!d && (problem == Decimal::ParseProblem::kSyntax || ti.kind == TypeKind::Integer)) {
          Issue(path, fmt::format("expected {}, found `{}`", what(), Shown(raw)));
          return false;
        }
        if (!d) {
          Issue(path, fmt::format("`{}` is {}", Shown(raw), Decimal::Describe(problem)));
          return false;
        }
        if (ti.kind == TypeKind::Decimal) {
          WriteDecimalFlat(*d, dst, *arena, scale);
          return true;
        }
        if (!d->IsInteger()) {
          Issue(path, fmt::format("expected {}, found `{}`", what(), Shown(raw)));
          return false;
        }
        if (d->num() > INT64_MAX || d->num() < INT64_MIN) {
          Issue(path, fmt::format("`{}` is out of the range of integer (64-bit)", Shown(raw)));
          return false;
        }
        int64_t x = int64_t(d->num());
        std::memcpy(dst, &x, 8);
        return true;
      }
      case TypeKind::Date: {
        if (!expect(od::json_type::string, [] { return "a date \"YYYY-MM-DD\""; })) return false;
        std::string_view s;
        if (v.get_string().get(s)) {
          Issue(path, "not a valid JSON string");
          return false;
        }
        auto d = ParseDate(s);
        if (!d) {
          Issue(path, fmt::format("expected a date \"YYYY-MM-DD\", found \"{}\"", Shown(s)));
          return false;
        }
        std::memcpy(dst, &d->days, 4);
        return true;
      }
      case TypeKind::Duration: {
        if (!expect(od::json_type::string, [] { return "a duration such as \"30 days\""; })) return false;
        std::string_view s;
        if (v.get_string().get(s)) {
          Issue(path, "not a valid JSON string");
          return false;
        }
        Duration dur;
        if (!ParseDuration(s, &dur)) {
          Issue(path, fmt::format("expected a duration such as \"30 days\" or \"2 months\", found \"{}\"", Shown(s)));
          return false;
        }
        std::memcpy(dst, &dur.months, 8);
        std::memcpy(dst + 8, &dur.days, 8);
        return true;
      }
      case TypeKind::Text: {
        if (!expect(od::json_type::string, [] { return "a string"; })) return false;
        std::string_view s;
        if (v.get_string().get(s)) {
          Issue(path, "not a valid JSON string");
          return false;
        }
        const char* p = arena->CopyText(std::string(s));
        int64_t len = int64_t(s.size());
        std::memcpy(dst, &p, 8);
        std::memcpy(dst + 8, &len, 8);
        return true;
      }
      case TypeKind::Enum: {
        const EnumInfo& e = types.enums[ti.ref];
        if (!expect(od::json_type::string, [&] { return "a " + e.name + " name"; })) return false;
        // A name with no escape is read in place; one with escapes is unescaped first.
        std::string_view s = Trim(v.raw_json_token());
        if (s.size() >= 2 && s.front() == '"' && s.back() == '"' &&
            std::none_of(s.begin(), s.end(), [](char c) { return c == '\\'; })) {
          s = s.substr(1, s.size() - 2);
        } else if (v.get_string().get(s)) {
          Issue(path, "not a valid JSON string");
          return false;
        }
        int idx = MemberIndex(ti.ref, s);
        if (idx < 0) {
          Issue(path, fmt::format("\"{}\" is not a {}", Shown(s), e.name));
          return false;
        }
        int32_t x = idx;
        std::memcpy(dst, &x, 4);
        return true;
      }
      case TypeKind::Set: {
        const EnumInfo& e = types.enums[ti.ref];
        if (!expect(od::json_type::array, [&] { return "an array of " + e.name + " names"; })) return false;
        od::array arr;
        if (v.get_array().get(arr)) {
          Issue(path, "expected an array");
          return false;
        }
        std::memset(dst, 0, layouts.of(t).size);
        bool ok = true;
        size_t i = 0;
        for (auto el : arr) {
          od::value ev;
          Path ep{&path, {}, int(i++)};
          std::string_view s;
          if (el.get(ev) || ev.get_string().get(s)) {
            Issue(ep, "expected a " + e.name + " name");
            ok = false;
            continue;
          }
          int idx = MemberIndex(ti.ref, s);
          if (idx < 0) {
            Issue(ep, fmt::format("\"{}\" is not a {}", Shown(s), e.name));
            ok = false;
            continue;
          }
          dst[idx / 8] |= uint8_t(1u << (idx % 8));
        }
        return ok;
      }
      case TypeKind::List: {
        if (!expect(od::json_type::array, [] { return "an array"; })) return false;
        od::array arr;
        if (v.get_array().get(arr)) {
          Issue(path, "expected an array");
          return false;
        }
        const TypeLayout& el = layouts.of(ti.ref);
        std::vector<uint8_t> elems;  // grown element by element, then copied into the arena
        bool ok = true;
        size_t i = 0;
        std::vector<uint8_t> tmp(el.size + 16);
        uint8_t* slot = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(tmp.data()) + 15) / 16 * 16);
        for (auto item : arr) {
          od::value ev;
          Path ep{&path, {}, int(i++)};
          std::memset(slot, 0, el.size);
          if (item.get(ev) || !Read(ev, ti.ref, ep, slot)) {
            ok = false;
            continue;
          }
          elems.insert(elems.end(), slot, slot + el.size);
        }
        if (!ok) return false;
        int64_t count = int64_t(elems.size() / std::max<uint32_t>(el.size, 1));
        void* mem = arena->Allocate(std::max<size_t>(elems.size(), 1), el.align);
        if (!elems.empty()) std::memcpy(mem, elems.data(), elems.size());  // an empty vector's data() may be null
        std::memcpy(dst, &mem, 8);
        std::memcpy(dst + 8, &count, 8);
        return true;
      }
      case TypeKind::Record: {
        const RecordInfo& r = types.records[ti.ref];
        if (!expect(od::json_type::object, [&] { return "an object (" + r.name + ")"; })) return false;
        od::object obj;
        if (v.get_object().get(obj)) {
          Issue(path, "expected an object");
          return false;
        }
        return ReadObject(obj, record_fields[ti.ref], layouts.of(t).field_offsets, path, dst);
      }
      case TypeKind::Sum: return ReadSum(v, jt, t, path, dst);
    }
    return false;
  }

  // A value of a sum type: `optional T` is null (none) or a T; another sum is a member's name
  // (a member without a value) or an object with one key, the member, whose value is the member's.
  bool ReadSum(od::value v, od::json_type jt, TypeId t, const Path& path, uint8_t* dst) {
    const EnumInfo& e = types.enums[types.info(t).ref];
    uint8_t* payload = dst + layouts.of(t).payload_offset;
    auto tag = [&](uint32_t m) {
      int32_t x = int32_t(m);
      std::memcpy(dst, &x, 4);
    };
    if (e.optional()) {
      if (jt == od::json_type::null) {
        tag(TypeTable::kNone);
        return true;
      }
      tag(TypeTable::kSome);
      return Read(v, e.optional_of, path, payload);
    }
    auto example = [&] {
      for (size_t i = 0; i < e.members.size(); ++i)
        if (e.HasPayload(uint32_t(i))) return fmt::format("{{\"{}\": ...}}", e.members[i]);
      return std::string();
    };
    if (jt == od::json_type::string) {
      std::string_view s;
      if (v.get_string().get(s)) {
        Issue(path, "not a valid JSON string");
        return false;
      }
      int idx = MemberIndex(types.info(t).ref, s);
      if (idx < 0) {
        Issue(path, fmt::format("\"{}\" is not a {}", Shown(s), e.name));
        return false;
      }
      if (e.HasPayload(uint32_t(idx))) {
        Issue(path, fmt::format("`{}` carries a value ({}): write {{\"{}\": ...}}", e.members[size_t(idx)],
                                types.Name(e.payloads[size_t(idx)]), e.members[size_t(idx)]));
        return false;
      }
      tag(uint32_t(idx));
      return true;
    }
    if (jt != od::json_type::object) {
      Issue(path, fmt::format("expected a {} member: its name, or an object such as {}, found {}", e.name, example(),
                              JsonTypeName(jt)));
      return false;
    }
    od::object obj;
    if (v.get_object().get(obj)) {
      Issue(path, "expected an object");
      return false;
    }
    size_t keys = 0;
    bool ok = true;
    for (auto field_result : obj) {
      od::field kv;
      std::string_view key;
      if (std::move(field_result).get(kv) || kv.unescaped_key().get(key)) {
        Issue(path, "not a valid JSON object");
        return false;
      }
      if (++keys > 1) continue;
      std::string name(key);
      int idx = MemberIndex(types.info(t).ref, name);
      Path mp{&path, name};
      if (idx < 0) {
        Issue(mp, fmt::format("\"{}\" is not a {}", Shown(name), e.name));
        ok = false;
        continue;
      }
      if (!e.HasPayload(uint32_t(idx))) {
        Issue(mp, fmt::format("`{}` carries no value: write \"{}\"", e.members[size_t(idx)], e.members[size_t(idx)]));
        ok = false;
        continue;
      }
      tag(uint32_t(idx));
      od::value pv = std::move(kv).value();
      if (!Read(pv, e.payloads[size_t(idx)], mp, payload)) ok = false;
    }
    if (keys != 1) {
      Issue(path, fmt::format("expected an object with one key, the {} member (such as {}), found {} keys", e.name,
                              example(), keys));
      return false;
    }
    return ok;
  }

  // Whether an integer, an unboxed decimal or a date certainly lies in its domain, read straight
  // from the flat layout: num/den against each bound's, cross-multiplied in 128 bits (a product
  // that would overflow sends the field to the exact path below, as does any bound that fails).
  bool InDomainFast(const CaseParam& field, const uint8_t* src) const {
    TypeKind kind = types.kind(field.type);
    i128 num = 0, den = 1;
    int32_t days = 0;
    if (kind == TypeKind::Integer) {
      int64_t x;
      std::memcpy(&x, src, 8);
      num = x;
    } else if (kind == TypeKind::Decimal) {
      int64_t n, d;
      std::memcpy(&n, src, 8);
      std::memcpy(&d, src + 8, 8);
      if (d <= 0) return false;  // boxed
      num = n;
      den = d;
    } else if (kind == TypeKind::Date) {
      std::memcpy(&days, src, 4);
    } else {
      return false;
    }
    for (const FieldBound& b : *field.bounds) {
      int c;
      if (kind == TypeKind::Date) {
        c = days < b.date_days ? -1 : days > b.date_days ? 1 : 0;
      } else {
        i128 l, r;  // num/den against b.num/b.den, both denominators positive
        if (__builtin_mul_overflow(num, b.number.den(), &l) || __builtin_mul_overflow(b.number.num(), den, &r))
          return false;
        c = l < r ? -1 : l > r ? 1 : 0;
      }
      if (!b.Holds(c)) return false;
    }
    return true;
  }

  // Whether a decoded field lies in its declared domain (`where`); an issue names the bound.
  bool InDomain(const CaseParam& field, const uint8_t* src, const Path& path) {
    if (InDomainFast(field, src)) return true;
    Value v = ReadFlat(src, field.type, types, layouts);
    const FieldBound* b = OutsideDomain(v, field.type, types, *field.bounds);
    if (!b) return true;
    Issue(path,
          fmt::format("{} is outside the field's domain: `{}` must hold", FormatValue(v, field.type, types), b->text));
    return false;
  }

  // A field's declared default (JSON the checker wrote from a literal), read as a case's value.
  bool ReadDefault(const CaseParam& field, const Path& path, uint8_t* dst) {
    simdjson::padded_string text("[" + *field.default_json + "]");
    od::document doc;
    od::array arr;
    if (default_parser.iterate(text).get(doc) == simdjson::SUCCESS && doc.get_array().get(arr) == simdjson::SUCCESS)
      for (auto element : arr) {
        od::value v;
        if (element.get(v) != simdjson::SUCCESS) break;
        return Read(v, field.type, path, dst, field.scale);
      }
    Issue(path, "its declared default cannot be read");
    return false;
  }

  bool ReadObject(od::object& obj, const std::vector<CaseParam>& fields, const std::vector<uint32_t>& offsets,
                  const Path& prefix, uint8_t* dst) {
    uint64_t seen = 0;  // records have at most 64 fields in practice; more use the vector below
    std::vector<bool> seen_many(fields.size() > 64 ? fields.size() : 0, false);
    bool ok = true;
    size_t hint = 0;  // keys usually come in the same order as the fields
    for (auto field_result : obj) {
      od::field kv;
      if (std::move(field_result).get(kv)) {
        Issue(prefix, "not a valid JSON object");
        return false;
      }
      // Keys are matched in place (field names are identifiers: no quote, no backslash), and
      // unescaped only when that fails.
      const char* raw = kv.key().raw();           // the key's bytes, after its opening quote
      auto is = [raw](const std::string& name) {  // names are short: an inline loop beats memcmp
        for (size_t i = 0; i < name.size(); ++i)
          if (raw[i] != name[i]) return false;
        return raw[name.size()] == '"';
      };
      int idx = -1;
      if (hint < fields.size() && is(fields[hint].name))
        idx = int(hint);
      else
        for (size_t i = 0; i < fields.size(); ++i)
          if (is(fields[i].name)) {
            idx = int(i);
            break;
          }
      std::string_view key;
      if (idx < 0) {
        if (kv.unescaped_key().get(key)) {
          Issue(prefix, "not a valid JSON object");
          return false;
        }
        for (size_t i = 0; i < fields.size(); ++i)
          if (fields[i].name == key) {
            idx = int(i);
            break;
          }
        // A name in another Unicode normalisation form than the program's (NFC).
        if (idx < 0 && !IsAscii(key)) {
          std::string nfc = Nfc(key);
          for (size_t i = 0; i < fields.size(); ++i)
            if (fields[i].name == nfc) {
              idx = int(i);
              key = fields[i].name;
              break;
            }
        }
      } else {
        key = fields[size_t(idx)].name;
      }
      if (idx < 0 && &fields == &params && !label_key.empty() && key == label_key) {
        od::value v = std::move(kv).value();
        std::string_view text;
        if (v.get_string().get(text) == simdjson::SUCCESS) {
          label.assign(text);
        } else {
          std::string_view raw = v.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
            raw.remove_suffix(1);
          label.assign(raw);
        }
        label = rt::TerminalSafe(rt::Shorten(label, 200));
        continue;
      }
      if (idx < 0) {
        Path path{&prefix, key};
        std::string names;
        for (const auto& f : fields) names += (names.empty() ? "`" : ", `") + f.name + "`";
        Issue(path, fmt::format("unknown field; expected one of {}", names));
        ok = false;
        continue;
      }
      hint = size_t(idx) + 1;
      bool already = fields.size() > 64 ? bool(seen_many[size_t(idx)]) : ((seen >> idx) & 1) != 0;
      if (already) {
        Issue(Path{&prefix, key}, "given twice");
        ok = false;
        continue;
      }
      if (fields.size() > 64)
        seen_many[size_t(idx)] = true;
      else
        seen |= uint64_t(1) << idx;
      od::value v = std::move(kv).value();
      const CaseParam& field = fields[size_t(idx)];
      if (!ReadFast(v, field.type, field.scale, dst + offsets[size_t(idx)]) &&
          !Read(v, field.type, Path{&prefix, field.name}, dst + offsets[size_t(idx)], field.scale))
        ok = false;
      else if (field.bounds && !InDomain(field, dst + offsets[size_t(idx)], Path{&prefix, field.name}))
        ok = false;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      bool was = fields.size() > 64 ? bool(seen_many[i]) : ((seen >> i) & 1) != 0;
      if (was) continue;
      if (fields[i].default_json) {  // the declared default, as if the case gave it
        if (!ReadDefault(fields[i], Path{&prefix, fields[i].name}, dst + offsets[i])) ok = false;
        continue;
      }
      if (types.kind(fields[i].type) == TypeKind::Sum && types.enums[types.info(fields[i].type).ref].optional()) {
        int32_t none = int32_t(TypeTable::kNone);  // an optional field left out is none
        std::memcpy(dst + offsets[i], &none, 4);
        continue;
      }
      Issue(Path{&prefix, fields[i].name}, fmt::format("missing (expected {})", types.Name(fields[i].type)));
      ok = false;
    }
    return ok;
  }
};

CaseDecoder::CaseDecoder(const TypeTable& types, std::vector<CaseParam> params)
    : impl_(std::make_unique<Impl>(types, std::move(params))) {}
CaseDecoder::~CaseDecoder() = default;

const TypeLayout& CaseDecoder::input_layout() const { return impl_->input; }
const Layouts& CaseDecoder::layouts() const { return impl_->layouts; }

void CaseDecoder::SetTextScalars(bool on) { impl_->text_scalars = on; }

void CaseDecoder::SetLabelKey(std::string key) {
  for (const auto& p : impl_->params)
    if (p.name == key) return;  // an input of that name is an input
  impl_->label_key = std::move(key);
}
const std::string& CaseDecoder::label() const { return impl_->label; }

bool CaseDecoder::DecodeFlat(std::string_view json, uint8_t* dst, Arena& arena, std::vector<CaseIssue>* issues) {
  impl_->label.clear();
  impl_->issues = issues;
  impl_->arena = &arena;
  size_t before = issues->size();
  // Parsing is lazy: a syntax error may surface as any of the problems below, or as a field's.
  // On every failure the text is checked whole, and a syntax error, with its position, replaces
  // what the decoder saw of it.
  auto syntax = [&](std::string fallback) {
    std::string problem = JsonSyntaxProblem(json);
    if (problem.empty() && fallback.empty()) return false;
    issues->resize(before);
    issues->push_back({"", problem.empty() ? std::move(fallback) : "not valid JSON: " + problem});
    return false;
  };
  od::document doc;
  auto error =
      impl_->parser.iterate(simdjson::padded_string_view(json.data(), json.size(), json.size() + kPadding)).get(doc);
  if (error) return syntax(fmt::format("not valid JSON ({})", simdjson::error_message(error)));
  od::object obj;
  if (doc.get_object().get(obj)) {
    od::json_type type;
    std::string found = doc.type().get(type) ? "" : std::string(", found ") + Impl::JsonTypeName(type);
    return syntax("expected a JSON object with one key per decision input" + found);
  }
  bool ok = impl_->ReadObject(obj, impl_->params, impl_->input.field_offsets, Path{}, dst);
  // On-demand parsing validates lazily: make sure nothing after the object is malformed.
  const char* where = nullptr;
  if (ok && doc.current_location().get(where) == simdjson::SUCCESS)
    return syntax("trailing characters after the JSON object");
  if (!ok) syntax(issues->size() == before ? "not valid JSON" : "");
  return issues->size() == before;
}

DecodedCase CaseDecoder::Decode(std::string_view json) {
  DecodedCase result;
  std::string padded(json);
  padded.append(kPadding, ' ');
  std::vector<uint8_t> raw(impl_->input.size + 16, 0);
  uint8_t* dst = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw.data()) + 15) / 16 * 16);
  Arena arena;
  if (!DecodeFlat(std::string_view(padded.data(), json.size()), dst, arena, &result.issues)) return result;
  for (size_t i = 0; i < impl_->params.size(); ++i)
    result.args.push_back(
        ReadFlat(dst + impl_->input.field_offsets[i], impl_->params[i].type, impl_->types, impl_->layouts));
  return result;
}

}  // namespace edict::rt
