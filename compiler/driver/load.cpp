#include "compiler/driver/load.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>

#include "compiler/check/check.h"
#include "compiler/parse/parse.h"

namespace fs = std::filesystem;

namespace edict::driver {

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

bool Load(const std::vector<std::string>& paths, Program& p, Diagnostics& diags) {
  std::map<std::string, uint32_t> loaded;  // canonical path -> file id
  std::string stdlib = StdlibDir();
  // Returns the file id, or UINT32_MAX when the file cannot be read.
  std::function<uint32_t(const std::string&, SourceRange, const std::string&)> load =
      [&](const std::string& path, SourceRange from, const std::string& shown) -> uint32_t {
    std::string canon = Canonical(path);
    if (auto it = loaded.find(canon); it != loaded.end()) return it->second;
    std::string text;
    if (!ReadFile(path, &text) || fs::is_directory(path)) {
      if (from.valid()) diags.Emit(DiagKind::ImportNotFound, from, shown).notes.push_back({{}, "looked for " + path});
      else diags.Emit(DiagKind::FileNotFound, SourceRange{UINT32_MAX, 0, 0}, path);
      return UINT32_MAX;
    }
    uint32_t id = p.sources.Add(path, std::move(text));
    loaded[canon] = id;
    p.files.push_back(parse::Parse(p.sources, id, diags));
    size_t index = p.files.size() - 1;
    std::vector<ast::Import> imports = p.files[index].imports;
    std::vector<uint32_t> import_ids;
    for (const ast::Import& im : imports) {
      std::string target;
      if (im.is_path) {
        target = (fs::path(path).parent_path() / im.module).string();
      } else {
        std::string rel = im.module;
        for (char& c : rel) if (c == '.') c = '/';
        target = (fs::path(stdlib) / (rel + ".edict")).string();
      }
      uint32_t imported = load(target, im.range, im.module);
      if (imported != UINT32_MAX) import_ids.push_back(imported);
    }
    // The base of an amendment is loaded like an import, and remembered as the base.
    std::string amends = p.files[index].amends;
    SourceRange amends_range = p.files[index].amends_range;
    uint32_t base = amends.empty() ? UINT32_MAX
                                   : load((fs::path(path).parent_path() / amends).string(), amends_range, amends);
    for (auto& f : p.files) {
      if (f.file_id != id) continue;
      f.import_files = std::move(import_ids);
      f.base_file = base;
    }
    return id;
  };
  for (const auto& path : paths) {
    uint32_t id = load(path, SourceRange{}, path);
    if (id != UINT32_MAX) p.roots.push_back(id);
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

}  // namespace edict::driver
