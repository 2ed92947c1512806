// Reading CSV by the rules of RFC 4180, strictly, with a precise error per bad record.
//
// - A record ends at a line break (LF or CRLF) outside quotes; its fields are separated by commas.
// - A field that starts with `"` is quoted: it ends at the next `"` not doubled, and may hold
//   commas, line breaks and doubled quotes (`""` is one `"`). Only `,` or the end of the record may
//   follow its closing quote.
// - A quote inside an unquoted field, a carriage return not followed by a line feed, or a quoted
//   field that is never closed is an error (it names the line, the column and the field).
//
// Debian's CSV libraries do not fit this reader's job: libcsv (3.0.3, push callbacks) reports a
// malformed record with no position and cannot tell where a record ends without parsing
// everything before it on one thread, and libfccp reads line by line, with no line break inside
// quotes. Here, RecordEnds finds record boundaries quickly (it looks only at quotes and line
// breaks), so that the batch pipeline can cut its input into chunks of whole records on the
// reading thread, and ParseRecord parses one record on a worker.
//
// Parse is the entry point for fuzzing: bytes in, records or the first error out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edict::cases::csv {

// Finds where records end in text that starts at the start of a record and may grow between
// calls (bytes appended): a line feed ends a record unless, in CSV, it is inside a quoted field.
// With csv == false every line feed ends a record (JSON Lines).
class RecordEnds {
 public:
  static constexpr size_t npos = std::string_view::npos;
  explicit RecordEnds(bool csv) : csv_(csv) {}
  // Scans what `text` holds beyond what earlier calls scanned (the same text, grown). With
  // stop_at_first, scanning stops after the first record end.
  void Scan(std::string_view text, bool stop_at_first = false);
  // Just past the first / the last record-ending line feed scanned; npos if none.
  size_t first() const { return first_; }
  size_t last() const { return last_; }
  // Whether the scan ended inside a quoted field (CSV).
  bool quoted() const { return quoted_; }
  // Starts again on new text (which starts at the start of a record).
  void Reset() { *this = RecordEnds(csv_); }

 private:
  bool csv_;
  bool quoted_ = false;
  size_t scanned_ = 0, first_ = npos, last_ = npos;
};

// The length of the first record of text, without its line break: text.size() if none ends it.
// (The record's line break, if any, is the byte at that index.)
size_t FirstRecord(std::string_view text, bool csv);

struct Error {
  uint64_t line = 1;    // 1-based, counted from the start of the text parsed
  uint64_t column = 1;  // 1-based, in bytes from the start of that line
  size_t field = 1;     // 1-based field of the record
  std::string message;  // what is wrong and how to write it instead
};

// The fields of one record (its text as FirstRecord cuts it, without its line break; a final CR
// is removed). False with `error` when it is not well-formed.
bool ParseRecord(std::string_view record, std::vector<std::string>* fields, Error* error);

// Whether a record holds no value: empty, or spaces and tabs only. Such lines are skipped.
bool IsBlank(std::string_view record);

struct Record {
  uint64_t line = 0;  // where the record starts (1-based)
  std::vector<std::string> fields;
};

// Every non-blank record of a CSV text, or the first error (with its line in the text).
bool Parse(std::string_view text, std::vector<Record>* records, Error* error);

}  // namespace edict::cases::csv
