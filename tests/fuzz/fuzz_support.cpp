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

// The standard library's modules, read once: module name (`a.b`) -> text. Only these names
// can be imported, so a fuzzed module name never becomes a path.
const std::map<std::string, std::string>& Stdlib() {
  static const std::map<std::string, std::string> modules = [] {
    std::map<std::string, std::string> m;
    fs::path dir = load::StdlibDir();
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".edict") continue;
      std::string rel = fs::relative(e.path(), dir).replace_extension().string();
      for (char& c : rel)
        if (c == '/') c = '.';
      std::string text;
      if (!ReadFile(e.path().string(), &text)) Fail("cannot read the stdlib module " + e.path().string());
      m.emplace(rel, std::move(text));
    }
    if (m.empty()) Fail("no stdlib module found in " + dir.string());
    return m;
  }();
  return modules;
}

}  // namespace

bool LoadText(std::string_view text, MemoryProgram& p) {
  const auto& stdlib = Stdlib();
  std::map<std::string, uint32_t> loaded;  // stdlib module -> file id
  // Adds and parses one file, then its imports; returns its id.
  std::function<uint32_t(const std::string&, std::string)> load = [&](const std::string& path, std::string src) {
    uint32_t id = p.sources.Add(path, std::move(src));
    p.files.push_back(parse::Parse(p.sources, id, p.diags));
    std::vector<ast::Import> imports = p.files.back().imports;
    std::string amends = p.files.back().amends;
    SourceRange amends_range = p.files.back().amends_range;
    std::vector<uint32_t> import_ids;
    for (const ast::Import& im : imports) {
      auto it = im.is_path ? stdlib.end() : stdlib.find(im.module);
      if (it == stdlib.end()) {
        p.diags.Emit(DiagKind::ImportNotFound, im.range, im.module)
            .notes.push_back({{}, "fuzzing reads no file but the stdlib"});
        continue;
      }
      auto done = loaded.find(im.module);
      if (done != loaded.end()) {
        import_ids.push_back(done->second);
        continue;
      }
      loaded[im.module] = UINT32_MAX;  // an import cycle ends here
      uint32_t child = load(fs::path(load::StdlibDir()) / (im.module + ".edict"), it->second);
      loaded[im.module] = child;
      import_ids.push_back(child);
    }
    if (!amends.empty())
      p.diags.Emit(DiagKind::ImportNotFound, amends_range, amends)
          .notes.push_back({{}, "fuzzing reads no file but the stdlib"});
    for (auto& f : p.files) {
      if (f.file_id != id) continue;
      f.import_files = import_ids;
      f.base_file = UINT32_MAX;
    }
    return id;
  };
  uint32_t root = load("fuzz.edict", std::string(text));
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
