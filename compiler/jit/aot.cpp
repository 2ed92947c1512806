#include "compiler/jit/aot.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>

#include <optional>

#include "compiler/ir/walk.h"
#include "compiler/jit/code_cache.h"
#include "compiler/lower/lower.h"

namespace edict::jit {

namespace {

// The target of `edict build`'s libraries: the generic CPU of this architecture, position-
// independent code.
std::unique_ptr<llvm::TargetMachine> LibraryTarget(std::string* error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, *error);
  if (!target) return nullptr;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(triple, "generic", "", llvm::TargetOptions(),
                                                                          llvm::Reloc::PIC_, std::nullopt,
                                                                          llvm::CodeGenOptLevel::Aggressive));
}

// Lowers the decision (and what it calls) into `module`; returns the error sites.
std::vector<SourceRange> LowerDecision(const ir::Module& m, uint32_t decision, const llvm::TargetMachine& tm,
                                       llvm::Module& module) {
  module.setDataLayout(tm.createDataLayout());
  module.setTargetTriple(tm.getTargetTriple().str());
  rt::Layouts layouts(m.types);
  return lower::Lower(m, layouts, false, module, ir::CallClosure(m, {decision})).sites;
}

std::string Fingerprint(const llvm::Module& module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "edict-library-v1\n" << LLVM_VERSION_STRING << "\n";
  module.print(os, nullptr);
  os.flush();
  return Sha256Hex(text);
}

}  // namespace

std::string AotFingerprint(const ir::Module& m, uint32_t decision) {
  std::string error;
  auto tm = LibraryTarget(&error);
  if (!tm) return "";
  llvm::LLVMContext context;
  llvm::Module module("edict", context);
  LowerDecision(m, decision, *tm, module);
  return Fingerprint(module);
}

bool EmitObject(const ir::Module& m, uint32_t decision, const std::string& symbol, std::string* object,
                std::vector<SourceRange>* sites, std::string* fingerprint, std::string* error) {
  // The generic CPU, so the library runs on other machines of the same architecture.
  std::unique_ptr<llvm::TargetMachine> tm = LibraryTarget(error);
  if (!tm) return false;
  llvm::LLVMContext context;
  llvm::Module module("edict", context);
  *sites = LowerDecision(m, decision, *tm, module);
  *fingerprint = Fingerprint(module);
  lower::AddEntryPoint(module, decision, symbol);
  std::string verify;
  llvm::raw_string_ostream vs(verify);
  if (llvm::verifyModule(module, &vs)) {
    *error = "internal error: the generated LLVM IR is invalid: " + vs.str();
    return false;
  }
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, mam);
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    *error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  object->assign(buffer.data(), buffer.size());
  return true;
}

}  // namespace edict::jit
