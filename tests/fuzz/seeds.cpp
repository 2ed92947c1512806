// Writes the seed corpora of the fuzz targets, taken from the repository, and the dictionaries
// that depend on the fixed decisions' types (docs/fuzzing.md):
//
//   edict_fuzz_seeds OUTDIR
//
//   OUTDIR/parse_check/  every .edict file of regs/, stdlib/, tests/ and every example of
//                        docs/language.md; OUTDIR/fmt/ the same
//   OUTDIR/case_json/    every case of regs/ and tests/ (.json files, and each line of .jsonl
//                        files), and generated cases (cases::Generator) of the fixed decisions
//   OUTDIR/case_csv/     the CSV files of tests/, and generated cases of the fixed decisions as
//                        CSV (a header of every column, and a few rows)
//   OUTDIR/symbolic/     a few fixed byte strings (the target generates its programs from bytes)
//   OUTDIR/case_json.dict, OUTDIR/case_csv.dict: the field and member names of the fixed
//                        decisions' inputs, with JSON and CSV punctuation
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include <fmt/format.h>

#include "compiler/cases/csv_cases.h"
#include "compiler/cases/generate.h"
#include "tests/fuzz/case_targets.h"
#include "tests/fuzz/fuzz_support.h"

namespace fs = std::filesystem;
using namespace edict;

namespace {

size_t written = 0;

void Write(const fs::path& dir, const std::string& name, const std::string& data) {
  std::string safe = name;
  for (char& c : safe)
    if (c == '/') c = '_';
  std::ofstream out(dir / safe, std::ios::binary);
  out << data;
  if (!out) fuzz::Fail("cannot write " + (dir / safe).string());
  ++written;
}

std::vector<fs::path> Files(const std::string& ext) {
  std::vector<fs::path> out;
  fs::path src = fuzz::SourceDir();
  for (const char* top : {"regs", "stdlib", "tests"})
    for (const auto& e : fs::recursive_directory_iterator(src / top))
      if (e.is_regular_file() && e.path().extension() == ext && e.path().string().find("/fuzz/") == std::string::npos)
        out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string Rel(const fs::path& p) { return fs::relative(p, fuzz::SourceDir()).string(); }

std::string Read(const fs::path& p) {
  std::string s;
  if (!ReadFile(p.string(), &s)) fuzz::Fail("cannot read " + p.string());
  return s;
}

// A dictionary entry (libFuzzer's format: a quoted string; \\, \" and bytes outside printable
// ASCII escaped).
std::string Entry(const std::string& s) {
  std::string e = "\"";
  for (char c : s) {
    auto b = uint8_t(c);
    if (c == '"' || c == '\\')
      e += std::string("\\") + c;
    else if (b < 0x20 || b >= 0x7f)
      e += fmt::format("\\x{:02X}", b);
    else
      e += c;
  }
  return e + "\"\n";
}

void Names(const rt::TypeTable& types, rt::TypeId t, std::set<std::string>* out, int depth = 0) {
  const auto& ti = types.info(t);
  if (depth > 8) return;
  switch (ti.kind) {
    case rt::TypeKind::Record:
      for (const auto& f : types.records[ti.ref].fields) {
        out->insert(f.name);
        Names(types, f.type, out, depth + 1);
      }
      break;
    case rt::TypeKind::Enum:
    case rt::TypeKind::Set:
      for (const auto& m : types.enums[ti.ref].members) out->insert(m);
      break;
    case rt::TypeKind::List: Names(types, ti.ref, out, depth + 1); break;
    case rt::TypeKind::Sum:
      for (size_t k = 0; k < types.enums[ti.ref].members.size(); ++k) {
        out->insert(types.enums[ti.ref].members[k]);
        if (types.enums[ti.ref].HasPayload(uint32_t(k))) Names(types, types.enums[ti.ref].payloads[k], out, depth + 1);
      }
      break;
    default: break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: edict_fuzz_seeds OUTDIR\n");
    return 64;
  }
  fs::path out = argv[1];
  for (const char* t : {"parse_check", "case_json", "case_csv", "symbolic", "fmt"}) fs::create_directories(out / t);

  // parse_check and fmt: sources, and the examples of the language reference.
  for (const auto& f : Files(".edict"))
    for (const char* t : {"parse_check", "fmt"}) Write(out / t, Rel(f), Read(f));
  {
    std::string doc = Read(fs::path(fuzz::SourceDir()) / "docs/language.md");
    size_t pos = 0;
    int n = 0;
    while ((pos = doc.find("```edict\n", pos)) != std::string::npos) {
      size_t end = doc.find("```", pos + 9);
      if (end == std::string::npos) break;
      for (const char* t : {"parse_check", "fmt"})
        Write(out / t, fmt::format("language_md_{}.edict", n), doc.substr(pos + 9, end - pos - 9));
      ++n;
      pos = end + 3;
    }
  }

  // case_json: the repository's cases, one per file.
  for (const auto& f : Files(".json")) Write(out / "case_json", Rel(f), Read(f));
  for (const auto& f : Files(".jsonl")) {
    std::string text = Read(f);
    size_t pos = 0;
    for (int line = 1; pos < text.size() && line <= 200; ++line) {
      size_t nl = text.find('\n', pos);
      std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (!l.empty()) Write(out / "case_json", fmt::format("{}_{}", Rel(f), line), l);
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
  }
  // case_csv: the repository's CSV files.
  for (const auto& f : Files(".csv")) Write(out / "case_csv", Rel(f), Read(f));

  // Generated cases of the fixed decisions, as JSON and as CSV, and the dictionaries.
  std::set<std::string> names;
  for (auto& t : fuzz::CaseTargets()) {
    cases::Generator gen(t->program.module, t->decision, 20261122);
    std::string csv = fuzz::CsvHeader(*t) + "\n";
    for (int i = 0; i < 40; ++i) {
      auto args = gen.Next();
      Write(out / "case_json", fmt::format("generated_{}_{}.json", t->program.module.decisions[t->decision].name, i),
            fuzz::CaseJson(*t, args));
      if (i < 5) csv += fuzz::CsvRow(*t, args) + "\n";
    }
    Write(out / "case_csv", fmt::format("generated_{}.csv", t->program.module.decisions[t->decision].name), csv);
    for (const auto& p : t->params) {
      names.insert(p.name);
      Names(t->types(), p.type, &names);
    }
    std::vector<std::pair<std::string, rt::TypeId>> leaves;
    for (const auto& p : t->params) cases::Leaves(t->types(), p.type, p.name, &leaves);
    for (const auto& [path, _] : leaves) names.insert(path);
  }
  {
    std::ofstream json(out / "case_json.dict"), csv(out / "case_csv.dict");
    for (const char* p : {"{",
                          "}",
                          "[",
                          "]",
                          ":",
                          ",",
                          "\"",
                          "true",
                          "false",
                          "null",
                          "1e-400",
                          "-0",
                          "0.000001",
                          "170141183460469231731687303715884105728",
                          "9223372036854775808",
                          "\"2025-02-29\"",
                          "\"30 days\"",
                          "\"1 month\"",
                          "\\u0000",
                          "\\ud800",
                          "\xef\xbb\xbf"})
      json << Entry(p);
    for (const char* p :
         {",", "\"", "\"\"", ";", "\r\n", "\n", "true", "false", "2025-06-01", "1e26", "-0", "+5", "\xef\xbb\xbf"})
      csv << Entry(p);
    for (const auto& n : names) {
      json << Entry("\"" + n + "\"");
      csv << Entry(n);
    }
    if (!json || !csv) fuzz::Fail("cannot write the dictionaries");
  }

  // symbolic: fixed byte strings (every byte a choice of the program generator).
  std::mt19937_64 rng(20261122);
  for (int i = 0; i < 16; ++i) {
    std::string bytes(64 + 16 * i, '\0');
    for (char& c : bytes) c = char(rng());
    Write(out / "symbolic", fmt::format("random_{}", i), bytes);
  }
  std::printf("%zu seed inputs written to %s\n", written, out.string().c_str());
  return 0;
}
