// Fuzz target `case_csv`: a CSV cases file, read as `edict batch` and `edict diff --cases` read
// one (the RFC 4180 reader of compiler/cases/csv.h, the batch pipeline's way of cutting the input
// into chunks of whole records, and compiler/cases/csv_cases.h), for the inputs of the two fixed
// decisions of case_targets.h. Besides never crashing, hanging or leaking:
//
// - the reader agrees with itself: csv::Parse over the whole text, and the records the pipeline
//   gets when the text arrives in small pieces (RecordEnds cuts it, ForEachCaseLine splits the
//   chunks, ParseRecord reads each record), are the same records on the same lines, or end at the
//   same first error, which names a line, column and field inside the text;
// - the records written back as Edict writes CSV (cases::CsvQuote) read the same;
// - each data record under the header becomes a JSON case that the decoder (in text mode, as for
//   CSV) accepts or rejects with its problems named, and an accepted case goes through every check
//   of a JSON case (CheckCase); written back as a CSV row under a header of every column, it
//   decodes to the same values.
#include <sstream>

#include "compiler/cases/csv.h"
#include "compiler/cases/csv_cases.h"
#include "compiler/cases/pipeline.h"
#include "tests/fuzz/case_targets.h"
#include "tests/fuzz/fuzz_support.h"

using namespace edict;
namespace csv = edict::cases::csv;

namespace {

// A record, or the error that ended the reading.
struct Read {
  std::vector<csv::Record> records;
  bool ok = true;
  csv::Error error;
};

std::string Show(const csv::Record& r) {
  std::string s = "line " + std::to_string(r.line) + ":";
  for (const auto& f : r.fields) s += " [" + f + "]";
  return s;
}

// Reads `text` as the batch pipeline does: the input arrives `piece` bytes at a time, RecordEnds
// finds where to cut (the first record alone, the header, then as many whole records as were
// read), and each chunk's records are split by ForEachCaseLine and parsed by ParseRecord. `read`
// gets the records up to the first error; `data` every record after the header, as its text, for
// the case decoder (as in batch, a malformed record is one bad case, not the end of the file).
struct Piecewise {
  Read read;
  std::string header;  // the first record, as the pipeline hands it to CsvCases::SetHeader
  std::vector<std::pair<uint64_t, std::string>> data;  // line, record
};

Piecewise ReadAsPipeline(std::string_view text, size_t piece) {
  Piecewise out;
  csv::RecordEnds ends(true);
  uint64_t line_no = 1;
  bool header_done = false;
  std::string_view rest = text;
  size_t avail = 0;
  std::vector<std::string> fields;
  while (!rest.empty()) {
    avail = std::min(rest.size(), avail + piece);
    ends.Scan(rest.substr(0, avail), !header_done);
    size_t cut = header_done ? ends.last() : ends.first();
    if (cut == csv::RecordEnds::npos) {
      if (avail < rest.size()) continue;  // read more
      cut = rest.size();
    }
    if (cut == 0 || cut > avail) fuzz::Fail("RecordEnds cut the text outside what it scanned");
    std::string_view chunk_text = rest.substr(0, cut);
    rest.remove_prefix(cut);
    avail = 0;
    ends.Reset();
    uint64_t lines = cases::CountNewlines(chunk_text) + (chunk_text.back() == '\n' ? 0 : 1);
    bool is_header = !header_done;
    if (is_header) {
      header_done = true;
      std::string_view h = chunk_text;
      if (h.back() == '\n') h.remove_suffix(1);
      if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
      if (csv::FirstRecord(h, true) != h.size()) fuzz::Fail("the header chunk holds more than one record");
      out.header = std::string(h);
    }
    cases::LineChunk chunk;
    chunk.csv = true;
    chunk.first_line = line_no;
    chunk.line_count = lines;
    chunk.view = chunk_text;
    line_no += lines;
    cases::ForEachCaseLine(chunk, [&](uint64_t line, std::string_view record) {
      if (!is_header) out.data.emplace_back(line, std::string(record));
      if (!out.read.ok) return;
      csv::Error e;
      if (!csv::ParseRecord(record, &fields, &e)) {
        e.line += line - 1;
        out.read.ok = false;
        out.read.error = e;
        return;
      }
      out.read.records.push_back({line, fields});
    });
  }
  return out;
}

void SameRead(const Read& whole, const Read& piecewise, const std::string& what) {
  if (whole.ok != piecewise.ok)
    fuzz::Fail(what + ": csv::Parse " + (whole.ok ? "accepts" : "rejects") + " the text, read in pieces it is " +
               (piecewise.ok ? "accepted" : "rejected"));
  if (!whole.ok) {
    const csv::Error &a = whole.error, &b = piecewise.error;
    if (a.line != b.line || a.column != b.column || a.field != b.field || a.message != b.message)
      fuzz::Fail(what + ": different errors: line " + std::to_string(a.line) + " column " + std::to_string(a.column) +
                 " field " + std::to_string(a.field) + ": " + a.message + "\n  against line " + std::to_string(b.line) +
                 " column " + std::to_string(b.column) + " field " + std::to_string(b.field) + ": " + b.message);
    return;
  }
  if (whole.records.size() != piecewise.records.size())
    fuzz::Fail(what + ": " + std::to_string(whole.records.size()) + " records, read in pieces " +
               std::to_string(piecewise.records.size()));
  for (size_t i = 0; i < whole.records.size(); ++i)
    if (whole.records[i].line != piecewise.records[i].line || whole.records[i].fields != piecewise.records[i].fields)
      fuzz::Fail(what + ": record " + std::to_string(i + 1) + " differs:\n  " + Show(whole.records[i]) +
                 "\n  read in pieces: " + Show(piecewise.records[i]));
}

// The text's records written back as Edict writes CSV, one per line; a record of one empty or
// blank field is quoted whole (unquoted, it would be a blank line, which holds no record).
std::string WriteBack(const std::vector<csv::Record>& records) {
  std::string s;
  for (const auto& r : records) {
    std::string row = fuzz::CsvJoin(r.fields);
    if (csv::IsBlank(row)) row = "\"" + row + "\"";
    s += row + "\n";
  }
  return s;
}

// The data records of one cases file, decoded for one fixed decision as `edict batch` does.
void DecodeCases(fuzz::CaseTarget& t, const Piecewise& file) {
  cases::CsvCases reader;
  reader.Bind(&t.types(), t.params);
  reader.SetLabelColumn("id");
  std::ostringstream err;
  if (!reader.SetHeader(file.header, "fuzz.csv", err)) {
    if (err.str().rfind("fuzz.csv:", 0) != 0)
      fuzz::Fail(t.name + ": a rejected header without a message: " + err.str());
    return;
  }
  if (!err.str().empty()) fuzz::Fail(t.name + ": an accepted header with a message: " + err.str());
  cases::CsvCases full;  // every column, for the cases written back
  full.Bind(&t.types(), t.params);
  if (!full.SetHeader(fuzz::CsvHeader(t), "full.csv", err)) fuzz::Fail(t.name + ": the full header is rejected");
  std::string json, again;
  std::vector<rt::CaseIssue> issues;
  for (const auto& [line, record] : file.data) {
    issues.clear();
    if (!reader.ToJson(record, line, &json, &issues)) {
      if (issues.empty()) fuzz::Fail(t.name + ": a rejected record without a problem named");
      for (const auto& i : issues)
        if (i.message.empty()) fuzz::Fail(t.name + ": a problem without a message (column `" + i.field + "`)");
      continue;
    }
    std::vector<rt::Value> args = fuzz::CheckCase(t, *t.text_decoder, json);
    if (args.empty()) continue;
    std::string row = fuzz::CsvRow(t, args);
    if (!full.ToJson(row, 1, &again, &issues))
      fuzz::Fail(t.name + ": the case written back as CSV is rejected: " + issues.back().message + "\n  " + row);
    rt::DecodedCase re = t.text_decoder->Decode(again);
    if (!re.issues.empty())
      fuzz::Fail(t.name + ": the case written back as CSV does not decode: " + re.issues[0].field + ": " +
                 re.issues[0].message + "\n  " + row);
    if (!fuzz::SameArgs(re.args, args))
      fuzz::Fail(t.name + ": the case written back as CSV decodes differently:\n  " + row + "\n  " +
                 fuzz::CaseJson(t, re.args));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CaseTargets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // as the pipeline skips it
  Read whole;
  whole.ok = csv::Parse(text, &whole.records, &whole.error);
  if (!whole.ok) {
    uint64_t lines = cases::CountNewlines(text) + 1;
    if (whole.error.message.empty() || whole.error.line < 1 || whole.error.line > lines || whole.error.column < 1 ||
        whole.error.field < 1)
      fuzz::Fail("an error outside the text or without a message: line " + std::to_string(whole.error.line) +
                 " column " + std::to_string(whole.error.column) + ": " + whole.error.message);
  }
  // Read in pieces of 1 to 16 bytes (chosen by the text's last byte), and in one piece.
  size_t piece = text.empty() ? 1 : 1 + uint8_t(text.back()) % 16;
  SameRead(whole, ReadAsPipeline(text, piece).read, "in pieces of " + std::to_string(piece));
  Piecewise file = ReadAsPipeline(text, text.size() + 1);
  SameRead(whole, file.read, "in one piece");
  if (whole.ok) {
    Read back;
    std::string written = WriteBack(whole.records);
    back.ok = csv::Parse(written, &back.records, &back.error);
    if (!back.ok) fuzz::Fail("the records written back are rejected: " + back.error.message + "\n" + written);
    if (back.records.size() != whole.records.size())
      fuzz::Fail("the records written back are " + std::to_string(back.records.size()) + " records, not " +
                 std::to_string(whole.records.size()));
    for (size_t i = 0; i < back.records.size(); ++i)
      if (back.records[i].fields != whole.records[i].fields)
        fuzz::Fail("record " + std::to_string(i + 1) + " written back reads differently:\n  " + Show(whole.records[i]) +
                   "\n  " + Show(back.records[i]));
  }
  if (!text.empty())
    for (auto& t : fuzz::CaseTargets()) DecodeCases(*t, file);
  return 0;
}
