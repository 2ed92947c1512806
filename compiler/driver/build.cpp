// `edict build`: a decision as a shared library, its C header and the JSON Schema of its input.
#include "compiler/driver/build.h"

#include "compiler/base/output.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/cases/schema.h"
#include "compiler/jit/aot.h"
#include "compiler/load/load.h"
#include "runtime/layout.h"

namespace fs = std::filesystem;

namespace edict::driver {
namespace {

// The keywords of C (C11 and C23), which no identifier of the header may be.
bool IsCKeyword(const std::string& s) {
  static const std::set<std::string> kKeywords = {
      "auto",          "break",        "case",    "char",     "const",         "continue",  "default",  "do",
      "double",        "else",         "enum",    "extern",   "float",         "for",       "goto",     "if",
      "inline",        "int",          "long",    "register", "restrict",      "return",    "short",    "signed",
      "sizeof",        "static",       "struct",  "switch",   "typedef",       "union",     "unsigned", "void",
      "volatile",      "while",        "alignas", "alignof",  "bool",          "constexpr", "false",    "nullptr",
      "static_assert", "thread_local", "true",    "typeof",   "typeof_unqual", "asm",       "fortran"};
  return kKeywords.count(s) > 0 || (s.size() > 1 && s[0] == '_' && std::isupper(static_cast<unsigned char>(s[1])));
}

// An Edict name as a C identifier, in ASCII: a letter beyond ASCII becomes `_u` and its code point
// in hexadecimal, at least four digits (`a_renoncé` -> `a_renonc_u00e9`), any other character
// `_`; a leading digit gets a `_` before it, and a C keyword one after it (`int` -> `int_`).
std::string CIdent(const std::string& s) {
  std::string r;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      r += (std::isalnum(c) || c == '_') ? char(c) : '_';
      ++i;
      continue;
    }
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;  // names are valid UTF-8
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    r += fmt::format("_u{:04x}", cp);
    i += n;
  }
  if (r.empty() || std::isdigit(static_cast<unsigned char>(r[0]))) r = "_" + r;
  if (IsCKeyword(r)) r += "_";
  return r;
}

bool IsAscii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// The C identifiers of names that share one scope (the fields of a record, the parameters of a
// decision, the members of an enum): each as CIdent makes it, and a changed one that would then
// clash with another gets more `_` after it (fields `int` and `int_` become `int__` and `int_`).
std::vector<std::string> CIdents(const std::vector<std::string>& names) {
  std::set<std::string> used;
  for (const auto& n : names)
    if (CIdent(n) == n) used.insert(n);
  std::vector<std::string> r;
  for (const auto& n : names) {
    std::string c = CIdent(n);
    if (c != n)
      while (!used.insert(c).second) c += "_";
    r.push_back(c);
  }
  return r;
}

// Text from the program or the command line (a path, a doc string, a citation) made safe inside a
// C block comment: no `*/` can end it and no `/*` makes -Wcomment warn (their `*` becomes `_`),
// and control characters (a newline, an escape sequence) become `?`. Every use puts a space or a
// letter after it, so a trailing `*` cannot close the comment either.
std::string CComment(const std::string& s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f)
      r += '?';
    else if (c == '*' && ((i + 1 < s.size() && s[i + 1] == '/') || (i > 0 && s[i - 1] == '/')))
      r += '_';
    else
      r += s[i];
  }
  return r;
}

// The contents of a C string literal: quotes, backslashes and `?` (no trigraph can form) escaped,
// control characters as three-digit octal escapes (so that no following digit extends them).
std::string CString(const std::string& s) {
  std::string r;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c == '?')
      r += '\\', r += ch;
    else if (c < 0x20 || c == 0x7f)
      r += fmt::format("\\{:03o}", c);
    else
      r += ch;
  }
  return r;
}

// A command line shown to the reader, each word quoted for a POSIX shell where it needs it.
std::string ShellWords(const std::vector<std::string>& argv) {
  std::string r;
  for (const auto& a : argv) {
    if (!r.empty()) r += ' ';
    bool plain =
        !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:") ==
                          std::string::npos;
    if (plain) {
      r += a;
      continue;
    }
    r += '\'';
    for (char c : a) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    r += '\'';
  }
  return r;
}

// Runs a program found on PATH with these arguments, no shell in between; its output goes to ours.
// Returns true if it ran and exited with 0; otherwise false with *error set.
bool Run(const std::vector<std::string>& argv, std::string* error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) {
    *error = fmt::format("cannot run `{}`: {}", argv[0], std::strerror(rc));
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = fmt::format("waiting for `{}` failed: {}", argv[0], std::strerror(errno));
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  *error = WIFEXITED(status) ? fmt::format("`{}` exited with status {}", argv[0], WEXITSTATUS(status))
                             : fmt::format("`{}` was killed by signal {}", argv[0], WTERMSIG(status));
  return false;
}

class HeaderWriter {
 public:
  HeaderWriter(const ir::Module& m, const rt::Layouts& l) : m_(m), L_(l) {}

  // The C spelling of a field of type t named `name` (sets are arrays).
  std::string Field(rt::TypeId t, const std::string& name) {
    const auto& ti = m_.types.info(t);
    switch (ti.kind) {
      case rt::TypeKind::Error: return "uint8_t " + name;
      case rt::TypeKind::Bool: return "uint8_t " + name + "; /* 0 or 1 */";
      case rt::TypeKind::Integer:
        return "int64_t " + name + ";" + (ti.unit ? " /* [" + m_.types.UnitName(ti.unit) + "] */" : "");
      case rt::TypeKind::Decimal:
        return "edict_decimal " + name + ";" + (ti.unit ? " /* [" + m_.types.UnitName(ti.unit) + "] */" : "");
      case rt::TypeKind::Date: return "int32_t " + name + "; /* days since 1970-01-01 */";
      case rt::TypeKind::Duration: return "edict_duration " + name + ";";
      case rt::TypeKind::Text: return "edict_text " + name + ";";
      case rt::TypeKind::Enum: return "int32_t " + name + "; /* " + m_.types.enums[ti.ref].name + "_* */";
      case rt::TypeKind::Set:
        return fmt::format("uint64_t {}[{}]; /* set of {}: bit i = {}_* member i */", name, L_.of(t).words,
                           m_.types.enums[ti.ref].name, m_.types.enums[ti.ref].name);
      case rt::TypeKind::List: return "edict_list " + name + "; /* of " + m_.types.Name(ti.ref) + " */";
      case rt::TypeKind::Record: return CIdent(m_.types.records[ti.ref].name) + " " + name + ";";
      case rt::TypeKind::Sum: return SumName(ti.ref) + " " + name + ";";
    }
    return "";
  }

  // The C name of a sum type: the enum's, or for `optional T` the words of its name joined by
  // `_` (`optional decimal[usd]` is `optional_decimal_usd`), made unique with more `_`.
  std::string SumName(uint32_t e) {
    auto it = sum_names_.find(e);
    if (it != sum_names_.end()) return it->second;
    std::string c;
    for (char ch : m_.types.enums[e].name) {
      bool word = std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      if (word)
        c += ch;
      else if (!c.empty() && c.back() != '_')
        c += '_';
    }
    while (!c.empty() && c.back() == '_') c.pop_back();
    c = CIdent(c);
    while (used_sum_names_.count(c)) c += "_";
    used_sum_names_.insert(c);
    return sum_names_[e] = c;
  }

  // A sum type: its members' constants and names (as an enum's), and a struct of the member
  // (`tag`) and a union of the values members carry (`value`, one member per member that does).
  void Sum(uint32_t e, std::string& out) {
    if (sums_done_.count(e)) return;
    sums_done_.insert(e);
    const auto& en = m_.types.enums[e];
    for (rt::TypeId p : en.payloads)
      if (p != rt::kNoPayload) Deps(p, out);
    std::string cname = SumName(e);
    MemberConstants(en, cname, out);
    std::vector<std::string> members = CIdents(en.members);
    out += fmt::format("typedef struct {} {{\n  int32_t tag; /* the member: {}_* */\n  union {{\n", cname, cname);
    for (size_t i = 0; i < en.members.size(); ++i)
      if (en.HasPayload(uint32_t(i))) out += "    " + Field(en.payloads[i], members[i]) + "\n";
    out += fmt::format("  }} value; /* the value the member carries, if it carries one */\n}} {};\n", cname);
    rt::TypeId t = SumType(e);
    out += fmt::format("EDICT_LAYOUT(sizeof({}) == {});\n", cname, L_.of(t).size);
    out += fmt::format("EDICT_LAYOUT(offsetof({}, value) == {});\n\n", cname, L_.of(t).payload_offset);
  }

  rt::TypeId SumType(uint32_t e) {
    for (rt::TypeId t = 0; t < m_.types.type_count(); ++t)
      if (m_.types.kind(t) == rt::TypeKind::Sum && m_.types.info(t).ref == e) return t;
    return 0;
  }

  void Record(uint32_t r, std::string& out) {
    if (done_.count(r)) return;
    done_.insert(r);
    const auto& rec = m_.types.records[r];
    for (const auto& f : rec.fields) Deps(f.type, out);
    out += fmt::format("/* record {}{} */\ntypedef struct {} {{\n", rec.name,
                       rec.doc.empty() ? "" : ": " + CComment(rec.doc), CIdent(rec.name));
    std::vector<std::string> cnames = FieldNames(rec);
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      const auto& f = rec.fields[i];
      out += "  " + Field(f.type, cnames[i]);
      if (m_.types.kind(f.type) == rt::TypeKind::Decimal) {
        int64_t scale = rt::CanonicalScale(f.bounds);
        out += scale ? fmt::format(" /* fastest with den == {} */", scale) : " /* any den */";
      }
      if (!IsAscii(f.name)) out += " /* Edict: " + CComment(f.name) + " */";
      if (!f.default_json.empty()) out += " /* a JSON case may omit it: " + CComment(f.default_json) + " */";
      if (!f.doc.empty()) out += " /* " + CComment(f.doc) + " */";
      out += "\n";
    }
    out += fmt::format("}} {};\n", CIdent(rec.name));
    rt::TypeId rt_id = RecordType(r);
    Asserts(CIdent(rec.name), rt_id, out);
    out += "\n";
  }

  static std::vector<std::string> FieldNames(const rt::RecordInfo& rec) {
    std::vector<std::string> names;
    for (const auto& f : rec.fields) names.push_back(f.name);
    return CIdents(names);
  }

  void Deps(rt::TypeId t, std::string& out) {
    const auto& ti = m_.types.info(t);
    if (ti.kind == rt::TypeKind::Record) Record(ti.ref, out);
    if (ti.kind == rt::TypeKind::Enum || ti.kind == rt::TypeKind::Set) Enum(ti.ref, out);
    if (ti.kind == rt::TypeKind::List) Deps(ti.ref, out);
    if (ti.kind == rt::TypeKind::Sum) Sum(ti.ref, out);
  }

  void Enum(uint32_t e, std::string& out) {
    if (enums_done_.count(e)) return;
    enums_done_.insert(e);
    const auto& en = m_.types.enums[e];
    MemberConstants(en, CIdent(en.name), out);
    out += "\n";
  }

  // `enum { E_member = index, ... }` and the names of the members, by index.
  void MemberConstants(const rt::EnumInfo& en, const std::string& cname, std::string& out) {
    out += fmt::format("/* enum {}{} */\nenum {{\n", CComment(en.name), en.doc.empty() ? "" : ": " + CComment(en.doc));
    std::vector<std::string> members = CIdents(en.members);
    for (size_t i = 0; i < en.members.size(); ++i)
      out += fmt::format("  {}_{} = {},{}{}\n", cname, members[i], i,
                         IsAscii(en.members[i]) ? "" : " /* Edict: " + CComment(en.members[i]) + " */",
                         en.member_docs[i].empty() ? "" : " /* " + CComment(en.member_docs[i]) + " */");
    out += "};\n";
    out +=
        fmt::format("extern const char* const {}_names[{}];  /* member names, by index */\n", cname, en.members.size());
    names_c_ += fmt::format("const char* const {}_names[{}] = {{", cname, en.members.size());
    for (size_t i = 0; i < en.members.size(); ++i) names_c_ += (i ? ", \"" : "\"") + en.members[i] + "\"";
    names_c_ += "};\n";
  }

  const std::string& names_c() const { return names_c_; }

  rt::TypeId RecordType(uint32_t r) {
    for (rt::TypeId t = 0; t < m_.types.type_count(); ++t)
      if (m_.types.kind(t) == rt::TypeKind::Record && m_.types.info(t).ref == r) return t;
    return 0;
  }

  // Static assertions that the C compiler lays the struct out as Edict does.
  void Asserts(const std::string& cname, rt::TypeId t, std::string& out) {
    const auto& l = L_.of(t);
    out += fmt::format("EDICT_LAYOUT(sizeof({}) == {});\n", cname, l.size);
    const auto& rec = m_.types.records[m_.types.info(t).ref];
    std::vector<std::string> cnames = FieldNames(rec);
    for (size_t i = 0; i < rec.fields.size(); ++i)
      out += fmt::format("EDICT_LAYOUT(offsetof({}, {}) == {});\n", cname, cnames[i], l.field_offsets[i]);
  }

 private:
  const ir::Module& m_;
  const rt::Layouts& L_;
  std::set<uint32_t> done_, enums_done_, sums_done_;
  std::map<uint32_t, std::string> sum_names_;
  std::set<std::string> used_sum_names_;
  std::string names_c_;
};

// The runtime's ABI functions as a position-independent static library: beside the executable
// when installed (../lib/edict), else in the build tree.
std::string AbiLibrary() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path installed = fs::path(buf).parent_path() / ".." / "lib" / "edict" / "libedict_abi.a";
    if (fs::exists(installed)) return installed.lexically_normal().string();
  }
  return EDICT_ABI_LIBRARY;
}

}  // namespace

int RunBuild(const Common& c, const BuildOptions& o) {
  load::Program p;
  Diagnostics d;
  bool ok = load::Load({o.file}, p, d);
  for (const auto& x : d.Sorted()) std::cerr << RenderText(x, p.sources, c.color);
  if (!ok) return kCompileError;
  int di = p.module.FindDecision(o.decision);
  if (di < 0) {
    std::cerr << fmt::format("error: `{}` declares no decision `{}`\n", o.file, o.decision);
    return kUsage;
  }
  const ir::Decision& dec = p.module.decisions[size_t(di)];
  std::string name = CIdent(o.name.empty() ? o.decision : o.name);
  // The library exports `name` and names beginning with it; `main` or the runtime's own `edict_`
  // prefix would make it clash with the program that links it.
  if (name == "main" || name.rfind("edict_", 0) == 0) {
    std::cerr << fmt::format(
        "error: `{}` cannot name the library: it would clash with {} (choose another with --name)\n", name,
        name == "main" ? "the C program's `main`" : "the Edict runtime's `edict_` functions");
    return kUsage;
  }
  {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec || !fs::is_directory(o.out_dir)) {
      std::cerr << fmt::format("error: cannot create the output folder `{}`: {}\n", o.out_dir,
                               ec ? ec.message() : "a file of that name exists");
      return kOutputError;
    }
  }
  std::string base = (fs::path(o.out_dir) / name).string();
  rt::Layouts layouts(p.module.types);

  // 1. Native code.
  std::string error;
  std::vector<SourceRange> sites;
  std::string object, fingerprint;
  if (!jit::EmitObject(p.module, uint32_t(di), name, &object, &sites, &fingerprint, &error)) {
    std::cerr << "error: " << error << "\n";
    return kCompileError;
  }
  if (!WriteWholeFile(base + ".o", object, &error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }

  // 2. The header.
  HeaderWriter hw(p.module, layouts);
  std::string types;
  for (const auto& prm : dec.params) hw.Deps(prm.type, types);
  hw.Deps(dec.result, types);
  std::vector<rt::TypeId> ptypes;
  for (const auto& prm : dec.params) ptypes.push_back(prm.type);
  rt::TypeLayout il = layouts.Struct(ptypes);
  std::string input =
      fmt::format("/* The input of `{}`: one member per parameter. */\ntypedef struct {}_input {{\n", dec.name, name);
  std::vector<std::string> pnames;
  for (const auto& prm : dec.params) pnames.push_back(prm.name);
  pnames = CIdents(pnames);
  for (size_t i = 0; i < dec.params.size(); ++i) input += "  " + hw.Field(dec.params[i].type, pnames[i]) + "\n";
  input += fmt::format("}} {}_input;\nEDICT_LAYOUT(sizeof({}_input) == {});\n", name, name, il.size);
  for (size_t i = 0; i < dec.params.size(); ++i)
    input += fmt::format("EDICT_LAYOUT(offsetof({}_input, {}) == {});\n", name, pnames[i], il.field_offsets[i]);
  std::string result_type;
  {
    std::string f = hw.Field(dec.result, "x");  // "int32_t x; ...", "Verdict x;", "uint64_t x[4]; ..."
    result_type = f.substr(0, f.find(' '));
  }
  std::string guard = "EDICT_" + name + "_H";
  for (char& ch : guard) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  std::string errors;
  for (auto k : rt::AllRtErrorKinds()) {
    std::string up = rt::Spelling(k);
    for (char& ch : up) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    errors += fmt::format("  EDICT_ERROR_{} = {}, /* {} */\n", up, int(k), rt::Summary(k));
  }
  std::string header = fmt::format(
      R"(/* Generated by `edict build` from {file}: the decision `{decision}`{cite}.
   Do not edit: rebuild instead. The layout is described in Edict's docs/abi.md. */
#ifndef {guard}
#define {guard}
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {{
#define EDICT_LAYOUT(cond) static_assert(cond, "Edict layout")
#else
#define EDICT_LAYOUT(cond) _Static_assert(cond, "Edict layout")
#endif

#ifndef EDICT_COMMON_TYPES
#define EDICT_COMMON_TYPES
/* An exact decimal: num / den with den > 0, not necessarily reduced. A value whose parts do not
   fit in 64 bits is boxed: den == 0 and num holds a pointer to an edict_decimal128. Every den is
   exact; the decision is fastest when each decimal is a whole number over its field's canonical
   denominator (noted on each record field; 1000000 for parameters), written so when it fits. */
typedef struct edict_decimal {{ int64_t num; int64_t den; }} edict_decimal;
typedef struct edict_decimal128 {{ __int128 num; __int128 den; }} edict_decimal128;
typedef struct edict_duration {{ int64_t months; int64_t days; }} edict_duration;
typedef struct edict_text {{ const char* ptr; int64_t len; }} edict_text;
typedef struct edict_list {{ const void* elems; int64_t count; }} edict_list;
/* Where a runtime error happened: its kind, a site (see <name>_site) and, for conflicts, the two rules. */
typedef struct edict_error {{ int32_t kind; int32_t site; int32_t rule_a; int32_t rule_b; }} edict_error;
enum {{
{errors}}};
#endif

{types}{input}
/* Evaluates `{decision}`. Returns 0 and writes the outcome, or returns 1 + the error kind and fills
   *error. Thread-safe; a boxed decimal and the elements of a list in the outcome stay valid until
   the next call on the same thread. */
int32_t {name}(const {name}_input* input, {result}* output, edict_error* error);
/* The source position ("file:line:col") of an error site, and the spelling of an error kind. */
const char* {name}_site(int32_t site);
const char* {name}_error_kind(int32_t kind);
/* A hash of the decision's code (jit::AotFingerprint), by which a loader that has the program
   (the Python package) checks that the library was built from it. */
const char* {name}_fingerprint(void);

#ifdef __cplusplus
}}
#endif
#endif
)",
      fmt::arg("file", CComment(o.file)), fmt::arg("decision", dec.name),
      fmt::arg("cite", dec.cite.empty() ? "" : " (" + CComment(dec.cite.cite) + ")"), fmt::arg("guard", guard),
      fmt::arg("errors", errors), fmt::arg("types", types), fmt::arg("input", input), fmt::arg("name", name),
      fmt::arg("result", result_type));
  if (!WriteWholeFile(base + ".h", header, &error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }

  // 3. Error sites and kinds, as C (compiled into the library).
  std::string sites_c = fmt::format("#include \"{}.h\"\nstatic const char* const sites[] = {{\n", name);
  for (const auto& r : sites) {
    std::string w = r.file < p.sources.size() ? p.sources.Where(r) : "";
    sites_c += "  \"" + CString(w) + "\",\n";
  }
  if (sites.empty()) sites_c += "  \"\",\n";
  sites_c += fmt::format(
      "}};\nconst char* {}_site(int32_t s) {{ return s >= 0 && s < (int32_t)(sizeof sites / sizeof *sites) ? sites[s] "
      ": \"\"; }}\n",
      name);
  sites_c += fmt::format("const char* {}_error_kind(int32_t k) {{\n  switch (k) {{\n", name);
  for (auto k : rt::AllRtErrorKinds())
    sites_c += fmt::format("    case {}: return \"{}\";\n", int(k), CString(rt::Spelling(k)));
  sites_c += "  }\n  return \"\";\n}\n";
  sites_c += fmt::format("const char* {}_fingerprint(void) {{ return \"{}\"; }}\n", name, fingerprint);
  sites_c += hw.names_c();
  if (!WriteWholeFile(base + "_sites.c", sites_c, &error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }

  // 4. The schema.
  if (!WriteWholeFile(base + ".schema.json", cases::SchemaJson(p.module, uint32_t(di)), &error)) {
    std::cerr << "error: " << error << "\n";
    return kOutputError;
  }

  // 5. Link the shared library: native code, error sites, and the runtime's ABI functions. The
  // compiler is run with an argument vector, never through a shell, so no path is interpreted;
  // paths are absolute, so none can be taken for an option (a folder named `-fplugin=...`).
  std::string abi = AbiLibrary();
  std::string dir = fs::absolute(o.out_dir).lexically_normal().string();
  std::string abs_base = (fs::path(dir) / name).string();
  std::vector<std::string> argv = {"cc",
                                   "-shared",
                                   "-fPIC",
                                   "-O2",
                                   "-Wl,--exclude-libs,ALL",
                                   "-o",
                                   abs_base.substr(0, abs_base.size() - name.size()) + "lib" + name + ".so",
                                   abs_base + ".o",
                                   abs_base + "_sites.c",
                                   "-I",
                                   dir,
                                   fs::absolute(abi).string(),
                                   "-lfmt",
                                   "-lgmp",
                                   "-lstdc++",
                                   "-lm"};
  if (!Run(argv, &error)) {
    std::cerr << "error: linking the library failed (" << error << "): " << ShellWords(argv) << "\n";
    return kCompileError;
  }
  std::error_code ec;
  fs::remove(base + ".o", ec);
  std::cerr << fmt::format("built {}/lib{}.so, {}.h and {}.schema.json (decision `{}`)\n", o.out_dir, name, base, base,
                           dec.name);
  return kOk;
}

}  // namespace edict::driver
