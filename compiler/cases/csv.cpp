#include "compiler/cases/csv.h"

#include <cstring>

#include <fmt/format.h>

namespace edict::cases::csv {

// Scanning jumps from quote to quote. Outside quotes, every line feed ends a record, and a quote
// opens a quoted field only at the start of a field (after a comma, a line feed or at the start
// of the text); elsewhere it is a stray quote, an error ParseRecord reports, and is taken as data
// here too. Inside quotes, a doubled quote is data and a single one closes the field. A quote
// that is the last byte scanned inside quotes waits for the next byte (doubled or not).
void RecordEnds::Scan(std::string_view text, bool stop_at_first) {
  const char* p = text.data();
  size_t i = scanned_, n = text.size();
  auto found = [&](size_t from, size_t to) {  // record ends in p[from, to), outside quotes
    if (to <= from) return false;
    const void* f = std::memchr(p + from, '\n', to - from);
    if (!f) return false;
    size_t first = size_t(static_cast<const char*>(f) - p) + 1;
    if (first_ == npos) first_ = first;
    last_ = stop_at_first ? first : size_t(static_cast<const char*>(memrchr(p + from, '\n', to - from)) - p) + 1;
    return true;
  };
  if (!csv_) {
    if (found(i, n) && stop_at_first) {
      scanned_ = first_;
      return;
    }
    scanned_ = n;
    return;
  }
  while (i < n) {
    if (quoted_) {
      const void* q = std::memchr(p + i, '"', n - i);
      if (!q) {
        i = n;
        break;
      }
      size_t k = size_t(static_cast<const char*>(q) - p);
      if (k + 1 == n) {  // doubled or closing: the next byte decides
        i = k;
        break;
      }
      if (p[k + 1] == '"') {
        i = k + 2;
      } else {
        quoted_ = false;
        i = k + 1;
      }
      continue;
    }
    // Looking for the first end only, quotes past the next line feed do not matter.
    size_t limit = n;
    if (stop_at_first)
      if (const void* f = std::memchr(p + i, '\n', n - i)) limit = size_t(static_cast<const char*>(f) - p) + 1;
    const void* q = std::memchr(p + i, '"', limit - i);
    size_t k = q ? size_t(static_cast<const char*>(q) - p) : limit;
    if (found(i, k) && stop_at_first) {
      scanned_ = first_;
      return;
    }
    if (!q) {
      i = limit;
      continue;
    }
    if (k == 0 || p[k - 1] == ',' || p[k - 1] == '\n') quoted_ = true;
    i = k + 1;
  }
  scanned_ = i;
}

size_t FirstRecord(std::string_view text, bool csv) {
  RecordEnds ends(csv);
  ends.Scan(text, true);
  return ends.first() == RecordEnds::npos ? text.size() : ends.first() - 1;
}

bool IsBlank(std::string_view record) {
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  return record.find_first_not_of(" \t") == std::string_view::npos;
}

namespace {

// A byte as quoted in a message.
std::string ShowByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("`{}`", c);
  return fmt::format("the byte 0x{:02X}", u);
}

}  // namespace

bool ParseRecord(std::string_view r, std::vector<std::string>* fields, Error* error) {
  fields->clear();
  if (!r.empty() && r.back() == '\r') r.remove_suffix(1);
  const size_t n = r.size();
  auto fail = [&](size_t at, std::string message) {
    error->line = 1;
    size_t line_start = 0;
    for (size_t k = 0; k < at && k < n; ++k)
      if (r[k] == '\n') {
        ++error->line;
        line_start = k + 1;
      }
    error->column = at - line_start + 1;
    error->field = fields->size() + 1;
    error->message = std::move(message);
    return false;
  };
  size_t i = 0;
  for (;;) {
    std::string field;
    if (i < n && r[i] == '"') {  // a quoted field: up to the next quote that is not doubled
      size_t open = i++;
      for (;;) {
        const void* q = std::memchr(r.data() + i, '"', n - i);
        if (!q)
          return fail(
              open,
              "the quote here opens a field that is never closed (a quote inside a quoted field is written `\"\"`)");
        size_t k = size_t(static_cast<const char*>(q) - r.data());
        field.append(r.data() + i, k - i);
        if (k + 1 < n && r[k + 1] == '"') {
          field += '"';
          i = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      if (i < n && r[i] != ',')
        return fail(
            i,
            fmt::format("{} after the closing quote of a quoted field: only a comma or the end of the line may follow "
                        "it (a quote inside a quoted field is written `\"\"`)",
                        ShowByte(r[i])));
    } else {  // unquoted: up to the next comma
      const void* c = std::memchr(r.data() + i, ',', n - i);
      size_t end = c ? size_t(static_cast<const char*>(c) - r.data()) : n;
      for (size_t k = i; k < end; ++k) {
        if (r[k] == '"')
          return fail(
              k,
              "a quote inside a field that does not start with one: quote the whole field and double the quotes "
              "inside it (`\"a \"\"b\"\" c\"`)");
        if (r[k] == '\r' || r[k] == '\n')
          return fail(k,
                      fmt::format("a {} inside a field that is not quoted: a field holding a line break must be quoted",
                                  r[k] == '\r' ? "carriage return" : "line feed"));
      }
      field.assign(r.data() + i, end - i);
      i = end;
    }
    fields->push_back(std::move(field));
    if (i >= n) return true;
    ++i;  // the comma
  }
}

bool Parse(std::string_view text, std::vector<Record>* records, Error* error) {
  records->clear();
  uint64_t line = 1;
  std::vector<std::string> fields;
  while (!text.empty()) {
    size_t len = FirstRecord(text, true);
    std::string_view record = text.substr(0, len);
    if (!IsBlank(record)) {
      if (!ParseRecord(record, &fields, error)) {
        error->line += line - 1;
        return false;
      }
      records->push_back({line, std::move(fields)});
    }
    for (char c : record) line += c == '\n';
    ++line;
    text.remove_prefix(len < text.size() ? len + 1 : len);
  }
  return true;
}

}  // namespace edict::cases::csv
