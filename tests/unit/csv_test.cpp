#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "compiler/base/limits.h"
#include "compiler/cases/csv.h"
#include "compiler/cases/pipeline.h"

namespace csv = edict::cases::csv;
using Fields = std::vector<std::string>;

namespace {

Fields FieldsOf(std::string_view record) {
  Fields f;
  csv::Error e;
  REQUIRE(csv::ParseRecord(record, &f, &e));
  return f;
}

csv::Error ErrorOf(std::string_view text) {
  std::vector<csv::Record> records;
  csv::Error e;
  REQUIRE_FALSE(csv::Parse(text, &records, &e));
  return e;
}

}  // namespace

TEST_CASE("CSV records are read by RFC 4180", "[csv]") {
  CHECK(FieldsOf("a,b,c") == Fields{"a", "b", "c"});
  CHECK(FieldsOf("a,,") == Fields{"a", "", ""});
  CHECK(FieldsOf("") == Fields{""});
  CHECK(FieldsOf("\"a,b\",\"say \"\"hi\"\"\",\"\"") == Fields{"a,b", "say \"hi\"", ""});
  CHECK(FieldsOf("a,b\r") == Fields{"a", "b"});  // CRLF: the CR is part of the line break
  CHECK(FieldsOf("\"two\nlines\",\"cr\r\nlf\"") == Fields{"two\nlines", "cr\r\nlf"});
  CHECK(FieldsOf(" a , b ") == Fields{" a ", " b "});  // spaces are data

  std::vector<csv::Record> records;
  csv::Error e;
  REQUIRE(csv::Parse("h1,h2\r\n\"x\ny\",1\r\n\r\n   \nlast,2", &records, &e));
  REQUIRE(records.size() == 3);
  CHECK(records[0].line == 1);
  CHECK(records[1].line == 2);
  CHECK(records[1].fields == Fields{"x\ny", "1"});
  CHECK(records[2].line == 6);  // after a record of two lines and two blank lines
  CHECK(records[2].fields == Fields{"last", "2"});
}

TEST_CASE("a malformed CSV record is an error with its line, column and field", "[csv]") {
  csv::Error e = ErrorOf("a,b\nx,y\"z,w\n");
  CHECK(e.line == 2);
  CHECK(e.column == 4);
  CHECK(e.field == 2);
  CHECK(e.message.find("a quote inside a field that does not start with one") == 0);

  e = ErrorOf("a,\"b\"c\n");
  CHECK(e.line == 1);
  CHECK(e.column == 6);
  CHECK(e.field == 2);
  CHECK(e.message.find("`c` after the closing quote") == 0);

  e = ErrorOf("a,b\nc,\"open\nstill open\n");
  CHECK(e.line == 2);  // where the quote that is never closed opens
  CHECK(e.column == 3);
  CHECK(e.field == 2);
  CHECK(e.message.find("never closed") != std::string::npos);

  e = ErrorOf("a\rb,c\n");
  CHECK(e.column == 2);
  CHECK(e.message.find("a carriage return inside a field that is not quoted") == 0);

  // Line feeds inside a record given whole (a caller that did not cut it at record ends).
  Fields f;
  REQUIRE_FALSE(csv::ParseRecord("a\nb", &f, &e));
  CHECK(e.line == 1);
  CHECK(e.column == 2);
}

// Record ends found while the text grows, in pieces of any size, are the ones found record by
// record, on any bytes (quotes, commas, line breaks mixed at random): the batch pipeline cuts
// chunks with the first and its workers split them with the second.
TEST_CASE("record ends do not depend on how the text arrives", "[csv]") {
  std::mt19937 rng(2024);
  const char alphabet[] = {'"', '"', ',', '\n', '\n', '\r', 'a', 'b'};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t len = rng() % 60;
    for (size_t i = 0; i < len; ++i) text += alphabet[rng() % sizeof alphabet];
    // Record by record.
    std::vector<size_t> expected;
    for (size_t pos = 0; pos < text.size();) {
      size_t n = csv::FirstRecord(std::string_view(text).substr(pos), true);
      if (pos + n == text.size()) break;  // the last record, with no line break
      pos += n + 1;
      expected.push_back(pos);
    }
    // Growing text, cut at the last end found each time, as the pipeline does.
    std::vector<size_t> found;
    csv::RecordEnds ends(true);
    size_t base = 0, have = 0;
    while (have < text.size()) {
      have = std::min(text.size(), have + 1 + rng() % 7);
      std::string_view view = std::string_view(text).substr(base, have - base);
      ends.Scan(view);
      if (ends.last() != csv::RecordEnds::npos) {
        // Every end up to the cut, as the worker finds them.
        for (size_t pos = 0; pos < ends.last();) {
          pos += csv::FirstRecord(view.substr(pos, ends.last() - pos), true) + 1;
          found.push_back(base + pos);
        }
        base += ends.last();
        ends.Reset();
      }
    }
    INFO("text: " << text);
    CHECK(found == expected);
  }
}

namespace {

// Runs the pipeline over a file (mapped) or through a pipe (read), collecting every record with
// its line; returns false with the reading error.
bool ReadAll(const std::string& path, bool through_pipe, bool csv_records,
             std::vector<std::pair<uint64_t, std::string>>* out, std::string* header, std::string* error) {
  std::FILE* in = through_pipe ? popen(("cat " + path).c_str(), "r") : std::fopen(path.c_str(), "rb");
  REQUIRE(in);
  edict::cases::PipelineOptions po;
  po.threads = 2;
  po.csv = csv_records;
  po.name = "input";
  if (header)
    po.header = [&](std::string_view h) {
      *header = std::string(h);
      return true;
    };
  out->clear();
  bool ok = edict::cases::RunLinePipeline(
      in, po, [] { return [](edict::cases::LineChunk&) {}; },
      [&](edict::cases::LineChunk& chunk) {
        edict::cases::ForEachCaseLine(
            chunk, [&](uint64_t line, std::string_view record) { out->emplace_back(line, std::string(record)); });
      },
      error);
  if (through_pipe)
    pclose(in);
  else
    std::fclose(in);
  return ok;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/edict_csv_test_XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("the pipeline cuts CSV only between records, and counts lines right", "[pipeline][csv]") {
  // Records of three lines each (two line breaks inside quotes), more than three chunks' worth,
  // after a header and a byte order mark.
  std::string text = "\xEF\xBB\xBFname,note\r\n";
  const int kRecords = 150000;
  for (int i = 0; i < kRecords; ++i) text += "r" + std::to_string(i) + ",\"a,\"\"b\"\"\nc\r\nd\"\r\n";
  TempFile file(text);
  for (bool pipe : {false, true}) {
    std::vector<std::pair<uint64_t, std::string>> records;
    std::string header, error;
    REQUIRE(ReadAll(file.path, pipe, true, &records, &header, &error));
    CHECK(header == "name,note");
    REQUIRE(records.size() == size_t(kRecords));
    bool all = true;
    for (int i = 0; i < kRecords && all; ++i) {
      // A record keeps the CR of its CRLF, for csv::ParseRecord to remove.
      all = records[size_t(i)].first == uint64_t(2 + 3 * i) &&
            records[size_t(i)].second == "r" + std::to_string(i) + ",\"a,\"\"b\"\"\nc\r\nd\"\r";
      if (!all)
        FAIL_CHECK("record " << i << " at line " << records[size_t(i)].first << ": " << records[size_t(i)].second);
    }
  }
}

TEST_CASE("a line longer than the limit stops the pipeline with its line, read by name or from a pipe", "[pipeline]") {
  std::string text = "{\"a\":1}\n" + std::string(edict::limits::kMaxCaseBytes + 10, 'x') + "\n{\"a\":2}\n";
  TempFile file(text);
  for (bool pipe : {false, true}) {
    std::vector<std::pair<uint64_t, std::string>> records;
    std::string error;
    CHECK_FALSE(ReadAll(file.path, pipe, false, &records, nullptr, &error));
    CHECK(error == "input:2: error: the line that starts here is longer than 16 MiB, the limit for one case");
    REQUIRE(records.size() == 1);  // what came before is still processed
    CHECK(records[0].second == "{\"a\":1}");
  }
  // Just below the limit, it is a record like any other.
  std::string fits = "1\n" + std::string(edict::limits::kMaxCaseBytes - 1, 'y') + "\n3";
  TempFile fits_file(fits);
  for (bool pipe : {false, true}) {
    std::vector<std::pair<uint64_t, std::string>> records;
    std::string error;
    REQUIRE(ReadAll(fits_file.path, pipe, false, &records, nullptr, &error));
    REQUIRE(records.size() == 3);
    CHECK(records[1].second.size() == edict::limits::kMaxCaseBytes - 1);
    CHECK(records[2].first == 3);
  }
}

TEST_CASE("case inputs must be regular files or pipes", "[pipeline]") {
  std::string error, text;
  CHECK(edict::cases::OpenCaseInput("/tmp", &error) == nullptr);
  CHECK(error == "error: cannot read '/tmp': it is a directory");
  CHECK_FALSE(edict::cases::ReadCaseInput("/dev/zero", &text, &error));
  CHECK(error == "error: cannot read '/dev/zero': it is a device, not a file");
  CHECK_FALSE(edict::cases::ReadCaseInput("/nonexistent/case.json", &text, &error));
  CHECK(error == "error: cannot read '/nonexistent/case.json': no such file");
  TempFile bom("\xEF\xBB\xBF{}");
  REQUIRE(edict::cases::ReadCaseInput(bom.path, &text, &error));
  CHECK(text == "{}");
}
