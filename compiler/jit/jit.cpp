// The ORC LLJIT wrapper: lower, then take the machine code from the code cache or optimise and
// compile it (storing it there), add the object file, look up. As in LLVM's Kaleidoscope JIT.
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Target/TargetMachine.h>

#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <mutex>

#include "compiler/ir/walk.h"
#include "compiler/jit/code_cache.h"
#include "compiler/jit/engine.h"
#include "compiler/lower/lower.h"
#include "runtime/abi.h"

namespace edict::jit {

std::string Sha256Hex(std::string_view text) {
  auto digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::string hex;
  for (uint8_t b : digest) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
  return hex;
}

struct Engine::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<rt::Layouts> layouts;
  lower::Result lowered;
  std::vector<DecisionFn> fns;
  std::vector<BatchFn> batch_fns;
  double compile_ms = 0;
  bool from_cache = false;
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

DecisionFn Engine::decision(uint32_t d) const { return impl_->fns[d]; }
BatchFn Engine::batch(uint32_t d) const { return impl_->batch_fns[d]; }
const DecisionInfo& Engine::info(uint32_t d) const { return impl_->lowered.decisions[d]; }
SourceRange Engine::site(int32_t s) const {
  return s >= 0 && size_t(s) < impl_->lowered.sites.size() ? impl_->lowered.sites[size_t(s)] : SourceRange{};
}
const rt::Layouts& Engine::layouts() const { return *impl_->layouts; }
double Engine::compile_ms() const { return impl_->compile_ms; }
bool Engine::from_cache() const { return impl_->from_cache; }

namespace {

template <class T>
bool Take(llvm::Expected<T>& e, std::string* error) {
  if (e) return true;
  *error = llvm::toString(e.takeError());
  return false;
}

void Optimise(llvm::Module& m, llvm::TargetMachine* tm, int level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel ol = level <= 0   ? llvm::OptimizationLevel::O0
                               : level == 1 ? llvm::OptimizationLevel::O1
                               : level == 2 ? llvm::OptimizationLevel::O2
                                            : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = level <= 0 ? pb.buildO0DefaultPipeline(ol) : pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

// This executable's identity (size and modification time): code compiled by another build of
// Edict, whose optimisation or code generation may differ, is never reused. Empty if unknown.
std::string ExecutableIdentity() {
  struct stat st;
  if (::stat("/proc/self/exe", &st) != 0) return "";
  return std::to_string(st.st_size) + "." + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// The cache key: a hash of everything that determines the machine code.
std::string CacheKey(const llvm::Module& m, const llvm::TargetMachine& tm, int opt_level, const std::string& exe) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "edict-code-v1\n"
     << exe << "\n"
     << LLVM_VERSION_STRING << "\n"
     << tm.getTargetTriple().str() << "\n"
     << tm.getTargetCPU() << "\n"
     << tm.getTargetFeatureString() << "\nO" << opt_level << "\n";
  m.print(os, nullptr);
  os.flush();
  return Sha256Hex(text);
}

// A cache entry is the object file followed by its 64-bit xxh3: a damaged entry is a miss.
std::string Seal(llvm::StringRef object) {
  uint64_t h = llvm::xxh3_64bits(object);
  std::string entry(object.str());
  entry.append(reinterpret_cast<const char*>(&h), sizeof h);
  return entry;
}
std::unique_ptr<llvm::MemoryBuffer> Unseal(const std::string& entry) {
  if (entry.size() <= sizeof(uint64_t)) return nullptr;
  llvm::StringRef object(entry.data(), entry.size() - sizeof(uint64_t));
  uint64_t h;
  std::memcpy(&h, entry.data() + object.size(), sizeof h);
  if (h != llvm::xxh3_64bits(object)) return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(object, "edict-cached-code");
}

}  // namespace

std::unique_ptr<Engine> Engine::Create(const ir::Module& m, Options options, std::string* error) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> engine(new Engine());
  Impl& impl = *engine->impl_;

  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!Take(jtmb, error)) return nullptr;
  jtmb->setCodeGenOptLevel(options.opt_level >= 2 ? llvm::CodeGenOptLevel::Aggressive : llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!Take(tm, error)) return nullptr;
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
  if (!Take(jit, error)) return nullptr;
  impl.jit = std::move(*jit);

  // The runtime entry points, by address: no dependence on the executable's symbol table.
  llvm::orc::SymbolMap symbols;
  size_t count = 0;
  const rt::AbiSymbol* abi = rt::AbiSymbols(&count);
  for (size_t i = 0; i < count; ++i)
    symbols[impl.jit->mangleAndIntern(abi[i].name)] = {llvm::orc::ExecutorAddr::fromPtr(abi[i].address),
                                                       llvm::JITSymbolFlags::Exported};
  if (auto e = impl.jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    *error = llvm::toString(std::move(e));
    return nullptr;
  }

  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("edict", *context);
  module->setDataLayout(impl.jit->getDataLayout());
  module->setTargetTriple(impl.jit->getTargetTriple().str());
  impl.layouts = std::make_unique<rt::Layouts>(m.types);
  std::vector<bool> wanted = options.only.empty() ? std::vector<bool>{} : ir::CallClosure(m, options.only);
  auto abandoned = [&] {
    if (!options.abandon || !options.abandon->requested()) return false;
    *error = "abandoned";
    return true;
  };
  impl.lowered = lower::Lower(m, *impl.layouts, options.trace, *module, wanted);
  if (abandoned()) return nullptr;
  std::string verify;
  llvm::raw_string_ostream vs(verify);
  if (llvm::verifyModule(*module, &vs)) {
    *error = "internal error: the generated LLVM IR is invalid: " + vs.str();
    return nullptr;
  }
  // A developer aid: EDICT_JIT_DUMP=1 prints the optimised LLVM IR on stderr, EDICT_JIT_DUMP=raw
  // the IR as lowered, before optimisation (for opt and llc); either bypasses the cache.
  const char* dump = std::getenv("EDICT_JIT_DUMP");
  bool dumping = dump && (*dump == '1' || std::string_view(dump) == "raw");
  if (dumping && *dump == 'r') module->print(llvm::errs(), nullptr);
  static const std::string exe = ExecutableIdentity();
  CodeCache cache = options.cache && !dumping && !exe.empty() ? CodeCache::FromEnvironment() : CodeCache::Disabled();
  std::string key = cache.enabled() ? CacheKey(*module, **tm, options.opt_level, exe) : std::string();
  std::unique_ptr<llvm::MemoryBuffer> object;
  if (auto entry = cache.Read(key)) object = Unseal(*entry);
  impl.from_cache = object != nullptr;
  if (!object) {
    Optimise(*module, tm->get(), options.opt_level);
    if (dumping && *dump == '1') module->print(llvm::errs(), nullptr);
    if (abandoned()) return nullptr;
    llvm::orc::SimpleCompiler compile(**tm);
    auto compiled = compile(*module);
    if (!Take(compiled, error)) return nullptr;
    object = std::move(*compiled);
    auto store = [&] { cache.Write(key, Seal(object->getBuffer())); };
    if (options.abandon ? !options.abandon->UnlessRequested(store) : (store(), false)) {
      *error = "abandoned";
      return nullptr;
    }
  }
  if (auto e = impl.jit->addObjectFile(std::move(object))) {
    *error = llvm::toString(std::move(e));
    return nullptr;
  }
  for (uint32_t d = 0; d < m.decisions.size(); ++d) {
    if (!wanted.empty() && !wanted[d]) {
      impl.fns.push_back(nullptr);
      impl.batch_fns.push_back(nullptr);
      continue;
    }
    auto sym = impl.jit->lookup(lower::DecisionSymbol(d));
    if (!Take(sym, error)) return nullptr;
    impl.fns.push_back(sym->toPtr<DecisionFn>());
    if (options.trace) {
      impl.batch_fns.push_back(nullptr);
      continue;
    }
    auto batch = impl.jit->lookup(lower::DecisionSymbol(d) + "_batch");
    if (!Take(batch, error)) return nullptr;
    impl.batch_fns.push_back(batch->toPtr<BatchFn>());
  }
  impl.compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return engine;
}

}  // namespace edict::jit
