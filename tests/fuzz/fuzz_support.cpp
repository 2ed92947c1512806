#include "tests/fuzz/fuzz_support.h"

#include <pthread.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>

#include "compiler/check/check.h"
#include "compiler/load/load.h"
#include "compiler/parse/parse.h"

namespace fs = std::filesystem;

namespace edict::fuzz {

void Fail(const std::string& what) {
  std::fprintf(stderr, "\n== edict fuzz target: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

namespace {

// The standard library, read and parsed once, not again for every input that imports it (see
// docs/fuzzing.md, "The long run": a 5 KB module parsed per input). Module i (in name order) is file i of every
// program's SourceManager, so its tree, parsed once against those ids, serves every program: it
// is lent (moved into MemoryProgram::files, which keeps the addresses of its nodes) and given back
// when the program ends. Only these names can be imported, so a fuzzed module name never becomes
// a path.
struct Stdlib {
  std::string dir;
  std::vector<std::string> names, texts;  // module name (`a.b`) and text, by file id
  std::vector<ast::File> trees;           // by file id; empty while lent
  std::vector<bool> lent;
  std::map<std::string, uint32_t> ids;  // module name -> file id

  Stdlib() {
    dir = load::StdlibDir();
    std::map<std::string, std::string> m;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".edict") continue;
      std::string rel = fs::relative(e.path(), dir).replace_extension().string();
      for (char& c : rel)
        if (c == '/') c = '.';
      std::string text;
      if (!ReadFile(e.path().string(), &text)) Fail("cannot read the stdlib module " + e.path().string());
      m.emplace(rel, std::move(text));
    }
    if (m.empty()) Fail("no stdlib module found in " + dir);
    SourceManager sm;
    for (auto& [name, text] : m) {
      ids[name] = uint32_t(names.size());
      names.push_back(name);
      texts.push_back(std::move(text));
    }
    AddSources(sm);
    Diagnostics d;
    for (uint32_t id = 0; id < names.size(); ++id) {
      trees.push_back(parse::Parse(sm, id, d));
      for (const ast::Import& im : trees.back().imports) {
        auto it = im.is_path ? ids.end() : ids.find(im.module);
        if (it == ids.end()) Fail("the stdlib module " + names[id] + " imports " + im.module + ", not in the stdlib");
        trees.back().import_files.push_back(it->second);
      }
      if (!trees.back().amends.empty()) Fail("the stdlib module " + names[id] + " amends another file");
    }
    if (d.error_count() > 0) Fail("the standard library has syntax errors");
    lent.assign(names.size(), false);
  }
  Stdlib(const Stdlib&) = delete;

  // Adds every module to `sm`, as files 0 to names.size() - 1.
  void AddSources(SourceManager& sm) const {
    for (size_t i = 0; i < names.size(); ++i) sm.Add((fs::path(dir) / (names[i] + ".edict")).string(), texts[i]);
  }

  // The tree of module `id`, lent if it is not lent already, else parsed again.
  ast::File Borrow(uint32_t id, const SourceManager& sm, bool* borrowed) {
    *borrowed = !lent[id];
    if (lent[id]) {
      Diagnostics d;
      ast::File f = parse::Parse(sm, id, d);
      for (const ast::Import& im : f.imports) f.import_files.push_back(ids.at(im.module));
      return f;
    }
    lent[id] = true;
    return std::move(trees[id]);
  }
  void GiveBack(ast::File&& f) {
    uint32_t id = f.file_id;
    trees[id] = std::move(f);
    lent[id] = false;
  }
};

Stdlib& TheStdlib() {
  static Stdlib* s = new Stdlib();  // never destroyed: programs may give trees back at exit
  return *s;
}

}  // namespace

MemoryProgram::~MemoryProgram() {
  for (auto& f : files)
    if (f.file_id < borrowed.size() && borrowed[f.file_id]) TheStdlib().GiveBack(std::move(f));
}

void WarmUp() { TheStdlib(); }

bool LoadText(std::string_view text, MemoryProgram& p) {
  Stdlib& stdlib = TheStdlib();
  stdlib.AddSources(p.sources);
  p.borrowed.assign(stdlib.names.size(), false);
  uint32_t root = p.sources.Add("fuzz.edict", std::string(text));
  p.files.push_back(parse::Parse(p.sources, root, p.diags));
  std::vector<bool> loaded(stdlib.names.size(), false);
  // Adds the stdlib modules the file p.files[index] imports, depth first, and sets its imports.
  std::function<void(size_t)> imports = [&](size_t index) {
    std::vector<uint32_t> import_ids;
    std::vector<ast::Import> ims = p.files[index].imports;
    for (const ast::Import& im : ims) {
      auto it = im.is_path ? stdlib.ids.end() : stdlib.ids.find(im.module);
      if (it == stdlib.ids.end()) {
        p.diags.Emit(DiagKind::ImportNotFound, im.range, im.module)
            .notes.push_back({{}, "fuzzing reads no file but the stdlib"});
        continue;
      }
      uint32_t id = it->second;
      import_ids.push_back(id);
      if (loaded[id]) continue;
      loaded[id] = true;
      bool borrowed = false;
      p.files.push_back(stdlib.Borrow(id, p.sources, &borrowed));
      p.borrowed[id] = borrowed;
      imports(p.files.size() - 1);
    }
    if (index == 0) {  // the root; a stdlib module's imports were resolved once
      p.files[0].import_files = import_ids;
      p.files[0].base_file = UINT32_MAX;
    }
  };
  imports(0);
  if (!p.files[0].amends.empty())
    p.diags.Emit(DiagKind::ImportNotFound, p.files[0].amends_range, p.files[0].amends)
        .notes.push_back({{}, "fuzzing reads no file but the stdlib"});
  p.module = check::Check(p.files, p.sources, p.diags, root);
  if (p.diags.error_count() == 0) {
    auto problems = ir::Verify(p.module);
    if (!problems.empty()) {
      std::string all;
      for (const auto& s : problems) all += "\n  " + s;
      Fail("the checked IR is invalid:" + all);
    }
  }
  return p.diags.error_count() == 0;
}

namespace {

// One thread with a big stack, started on first use and kept (creating a thread with a 1 GB
// stack for every input would cost more than the input: the sanitizers map and clear its shadow).
class BigStackThread {
 public:
  explicit BigStackThread(size_t bytes) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, bytes);
    if (pthread_create(&thread_, &attr, &BigStackThread::Loop, this) != 0) Fail("cannot start a thread");
    pthread_attr_destroy(&attr);
  }
  void Run(const std::function<void()>& f) {
    std::unique_lock<std::mutex> lock(mu_);
    job_ = &f;
    error_ = nullptr;
    cv_.notify_all();
    cv_.wait(lock, [&] { return job_ == nullptr; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static void* Loop(void* self) {
    auto* t = static_cast<BigStackThread*>(self);
    std::unique_lock<std::mutex> lock(t->mu_);
    for (;;) {
      t->cv_.wait(lock, [&] { return t->job_ != nullptr; });
      try {
        (*t->job_)();
      } catch (...) { t->error_ = std::current_exception(); }
      t->job_ = nullptr;
      t->cv_.notify_all();
    }
    return nullptr;
  }

  pthread_t thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  const std::function<void()>* job_ = nullptr;
  std::exception_ptr error_;
};

}  // namespace

void RunOnStack(size_t bytes, const std::function<void()>& f) {
  static BigStackThread* thread = new BigStackThread(bytes);  // never ends: it is reused until exit
  thread->Run(f);
}

bool ParserThrowsOnInvalidUtf8() {
  auto throws = [](const std::string& text) {
    try {
      SourceManager sm;
      Diagnostics d;
      parse::Parse(sm, sm.Add("probe.edict", text), d);
      return false;
    } catch (const std::exception&) { return true; }
  };
  return throws("// \xc0\xaf overlong\n") || throws("// \xf4\x90\x80\x80 beyond\n");
}

bool OverlongOrBeyondUnicode(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = uint8_t(s[i]);
    int n;
    uint32_t cp, min;
    if ((b & 0xe0) == 0xc0)
      n = 1, cp = b & 0x1f, min = 0x80;
    else if ((b & 0xf0) == 0xe0)
      n = 2, cp = b & 0x0f, min = 0x800;
    else if ((b & 0xf8) == 0xf0)
      n = 3, cp = b & 0x07, min = 0x10000;
    else
      continue;
    if (i + n >= s.size()) return false;
    bool complete = true;
    for (int k = 1; k <= n && complete; ++k) {
      auto c = uint8_t(s[i + k]);
      complete = (c & 0xc0) == 0x80;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (complete && (cp < min || cp > 0x10ffff)) return true;
  }
  return false;
}

std::string SourceDir() { return EDICT_SOURCE_DIR; }

}  // namespace edict::fuzz
