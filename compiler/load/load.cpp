#include "compiler/load/load.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "compiler/check/check.h"
#include "compiler/literate/literate.h"
#include "compiler/parse/parse.h"

namespace fs = std::filesystem;

namespace edict::load {

std::string StdlibDir() {
  if (const char* env = std::getenv("EDICT_STDLIB")) return env;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path installed = fs::path(buf).parent_path() / ".." / "share" / "edict" / "stdlib";
    if (fs::exists(installed / "countries.edict")) return installed.lexically_normal().string();
  }
  return EDICT_SOURCE_STDLIB_DIR;
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

int VersionOfFile(const Program& p, const std::string& path) {
  std::string want = Canonical(path);
  const auto& vs = p.module.versions;
  for (size_t i = 0; i < vs.size(); ++i)
    if (Canonical(p.sources.file(vs[i].file).path) == want) return int(i);
  return -1;
}

namespace {

std::vector<std::string>& AllowedImportDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

// The absolute path with `.`, `..` and symbolic links resolved as far as it exists; "" when it
// cannot be resolved (a folder on the way cannot be searched), with *ec set.
std::string Resolved(const fs::path& path, std::error_code* ec = nullptr) {
  std::error_code e;
  fs::path a = fs::absolute(path, e);
  fs::path c = e ? a : fs::weakly_canonical(a, e);
  if (ec) *ec = e;
  return e ? "" : c.lexically_normal().string();
}

// Whether the resolved path p is dir or inside it (both resolved).
bool Inside(const std::string& p, const std::string& dir) {
  if (dir.empty() || p.empty()) return false;
  if (p == dir) return true;
  std::string prefix = dir.back() == '/' ? dir : dir + "/";
  return p.compare(0, prefix.size(), prefix) == 0;
}

// The line (1-based) of a byte offset.
size_t LineOf(const std::string& text, size_t offset) {
  return size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(offset), '\n')) + 1;
}

}  // namespace

void AllowImportsFrom(const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    if (std::string r = Resolved(d); !r.empty()) AllowedImportDirs().push_back(r);
}

bool Load(const std::vector<std::string>& paths, Program& p, Diagnostics& diags, const Unsaved* unsaved,
          ParseCache* cache) {
  std::map<std::string, uint32_t> loaded;  // canonical path -> file id
  std::string stdlib = StdlibDir();
  const std::string stdlib_resolved = Resolved(stdlib);
  // The root a file was reached from: its name as the user gave it, and its folder, resolved.
  struct Root {
    std::string shown, dir;
  };
  struct Outside {
    SourceRange range;
    std::string what, written;
    Root root;
  };
  std::vector<Outside> outside;  // refused imports, reported once every file is loaded
  // Where an import may lead from the root r: its folder, the standard library, --allow-import.
  auto allowed = [&](const std::string& resolved, const Root& r) {
    if (Inside(resolved, r.dir) || Inside(resolved, stdlib_resolved)) return true;
    for (const auto& d : AllowedImportDirs())
      if (Inside(resolved, d)) return true;
    return false;
  };
  ParseCache parsed_now;  // with a cache: the files of this program, taken from it or parsed
  // Returns the file id, or UINT32_MAX when the file cannot be read. `from` is the import (or
  // `amends`) that names the file, invalid for a root.
  std::function<uint32_t(const std::string&, SourceRange, const std::string&, const Root&)> load =
      [&](const std::string& path, SourceRange from, const std::string& shown, const Root& root) -> uint32_t {
    std::string canon = Canonical(path);
    if (auto it = loaded.find(canon); it != loaded.end()) return it->second;
    std::string text, why;
    auto buffer = unsaved ? unsaved->find(canon) : Unsaved::const_iterator{};
    if (unsaved && buffer != unsaved->end()) {
      text = buffer->second;
    } else if (!ReadInputFile(from.valid() ? canon : path, kConfiguredLimit, &text, &why)) {
      if (!from.valid())
        diags.Emit(DiagKind::FileNotFound, SourceRange{UINT32_MAX, 0, 0}, path, why);
      else if (std::error_code ec; !fs::exists(canon, ec) && !ec)
        diags.Emit(DiagKind::ImportNotFound, from, shown).notes.push_back({{}, "looked for " + path});
      else
        diags.Emit(DiagKind::FileNotFound, from, shown, why);
      return UINT32_MAX;
    }
    // Not Edict text: rejected before the parser could quote any of it. A root's encoding errors
    // are left to the parser, which shows where they are in the file the user named, except in a
    // literate file, whose text outside the code the parser does not see.
    const bool is_literate = literate::IsLiterate(path);
    SourceRange at = from.valid() ? from : SourceRange{UINT32_MAX, 0, 0};
    if (size_t nul = text.find('\0'); nul != std::string::npos) {
      diags.Emit(DiagKind::NotSourceText, at, shown,
                 fmt::format("it holds a NUL byte on line {} (it looks like a binary file)", LineOf(text, nul)));
      return UINT32_MAX;
    }
    if (size_t bad = FirstInvalidUtf8(text); (from.valid() || is_literate) && bad != std::string_view::npos) {
      diags.Emit(DiagKind::NotSourceText, at, shown,
                 fmt::format("it is not UTF-8 (byte 0x{:02x} on line {})", static_cast<unsigned char>(text[bad]),
                             LineOf(text, bad)));
      return UINT32_MAX;
    }
    // A literate file's code, at the same offsets as in the Markdown text (compiler/literate/).
    if (is_literate) text = literate::Code(text);
    if (!cache) {
      uint32_t id = p.sources.Add(path, std::move(text));
      loaded[canon] = id;
      p.files.push_back(parse::Parse(p.sources, id, diags));
    } else {
      // The same text at the same file id parses to the same tree with the same diagnostics.
      ParsedFile& parsed = parsed_now[canon];
      if (auto old = cache->find(canon); old != cache->end()) {
        parsed = std::move(old->second);
        cache->erase(old);
      }
      bool reuse = parsed.tree && parsed.file_id == p.sources.size() && parsed.text == text;
      if (!reuse) parsed.text = text;
      uint32_t id = p.sources.Add(path, std::move(text));
      loaded[canon] = id;
      if (reuse) p.files.push_back(std::move(*parsed.tree));
      parsed.tree.reset();  // the program holds it now (KeepTrees gives it back)
      if (!reuse) {
        Diagnostics own;
        p.files.push_back(parse::Parse(p.sources, id, own));
        parsed.file_id = id;
        parsed.diags = own.all();
      }
      for (const Diagnostic& d : parsed.diags) diags.Add(d.kind, d.range, d.message).notes = d.notes;
    }
    uint32_t id = uint32_t(p.sources.size() - 1);
    size_t index = p.files.size() - 1;
    // Loads what an import or `amends` names, if it may be loaded; UINT32_MAX otherwise.
    auto load_named = [&](const std::string& what, const std::string& target, SourceRange range,
                          const std::string& written) -> uint32_t {
      std::error_code ec;
      std::string resolved = Resolved(target, &ec);
      if (resolved.empty()) {
        // Whether it would be outside, said without the reason, which could tell what is there.
        std::error_code ignored;
        if (!allowed(fs::absolute(target, ignored).lexically_normal().string(), root)) {
          outside.push_back({range, what, written, root});
        } else {
          std::string why = ec.message();
          if (!why.empty()) why[0] = char(std::tolower(static_cast<unsigned char>(why[0])));
          diags.Emit(DiagKind::FileNotFound, range, written, why);
        }
        return UINT32_MAX;
      }
      if (!allowed(resolved, root)) {
        outside.push_back({range, what, written, root});
        return UINT32_MAX;
      }
      return load(target, range, written, root);
    };
    std::vector<ast::Import> imports = p.files[index].imports;
    std::vector<uint32_t> import_ids;
    for (const ast::Import& im : imports) {
      if (im.is_path && im.module.empty()) {
        diags.Emit(DiagKind::EmptyImport, im.range, "the import");
        continue;
      }
      std::string target;
      if (im.is_path) {
        target = (fs::path(path).parent_path() / im.module).string();
      } else {
        std::string rel = im.module;
        for (char& c : rel)
          if (c == '.') c = '/';
        target = (fs::path(stdlib) / (rel + ".edict")).string();
      }
      uint32_t imported = load_named("the import", target, im.range, im.module);
      if (imported != UINT32_MAX) import_ids.push_back(imported);
    }
    // The base of an amendment is loaded like an import, and remembered as the base.
    std::string amends = p.files[index].amends;
    SourceRange amends_range = p.files[index].amends_range;
    uint32_t base = UINT32_MAX;
    if (!amends.empty()) {
      base =
          load_named("the amended instrument", (fs::path(path).parent_path() / amends).string(), amends_range, amends);
    } else if (const auto& h = p.files[index].header) {
      for (const auto& f : h->fields)
        if (f.key == "amends" && f.is_string) diags.Emit(DiagKind::EmptyImport, f.range, "`amends`");
    }
    for (auto& f : p.files) {
      if (f.file_id != id) continue;
      f.import_files = std::move(import_ids);
      f.base_file = base;
    }
    return id;
  };
  for (const auto& path : paths) {
    fs::path parent = fs::path(path).parent_path();
    uint32_t id = load(path, SourceRange{}, path, Root{path, Resolved(parent.empty() ? fs::path(".") : parent)});
    if (id != UINT32_MAX) p.roots.push_back(id);
  }
  if (cache) *cache = std::move(parsed_now);  // the files of this program only, one per file id
  // The rule is explained by a note on the first refusal (in reading order) of each folder.
  std::sort(outside.begin(), outside.end(), [](const Outside& a, const Outside& b) {
    return std::pair(a.range.file, a.range.begin) < std::pair(b.range.file, b.range.begin);
  });
  std::set<std::string> explained;
  for (const Outside& o : outside) {
    Diagnostic& dg = diags.Emit(DiagKind::ImportOutsideTree, o.range, o.what, o.written, o.root.shown);
    if (explained.insert(o.root.dir).second)
      dg.notes.push_back({{},
                          fmt::format("imports may name files in `{}` and its subfolders, and modules of the "
                                      "standard library; `--allow-import DIR` allows another folder",
                                      o.root.dir)});
  }
  if (p.roots.empty()) return false;  // no file could be read: nothing to check (the reasons are reported)
  p.module = check::Check(p.files, p.sources, diags, p.roots[0]);
  if (diags.error_count() == 0) {
    auto problems = ir::Verify(p.module);
    if (!problems.empty()) {
      std::string all;
      for (const auto& s : problems) all += "\n  " + s;
      throw std::logic_error("internal error: the checked IR is invalid:" + all);
    }
  }
  return diags.error_count() == 0;
}

void KeepTrees(Program& p, ParseCache& cache) {
  std::map<uint32_t, ParsedFile*> by_id;  // Load left one entry per file id
  for (auto& [path, parsed] : cache) by_id[parsed.file_id] = &parsed;
  for (ast::File& f : p.files)
    if (auto it = by_id.find(f.file_id); it != by_id.end() && !it->second->tree) it->second->tree = std::move(f);
  p.files.clear();
}

}  // namespace edict::load
