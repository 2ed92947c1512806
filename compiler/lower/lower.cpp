// Lowering's entry points (lower.h); the lowering class itself is in lowerer.h.
#include "compiler/lower/lower.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "compiler/lower/lowerer.h"

namespace edict::lower {

std::string DecisionSymbol(uint32_t d) { return fmt::format("edict_decision_{}", d); }

Result Lower(const ir::Module& m, const rt::Layouts& layouts, bool trace, llvm::Module& out,
             const std::vector<bool>& wanted) {
  Result r = Lowerer(m, layouts, trace, out, wanted).Run();
  // Decisions that were declared for calls but not wanted have no body: drop them.
  for (uint32_t d = 0; d < m.decisions.size(); ++d) {
    if (wanted.empty() || wanted[d]) continue;
    for (const std::string& name : {DecisionSymbol(d), DecisionSymbol(d) + "_general", DecisionSymbol(d) + "_spec",
                                    DecisionSymbol(d) + "_framed"})
      if (auto* f = out.getFunction(name); f && f->isDeclaration() && f->use_empty()) f->eraseFromParent();
  }
  return r;
}

void AddEntryPoint(llvm::Module& out, uint32_t d, const std::string& name) {
  llvm::LLVMContext& c = out.getContext();
  llvm::IRBuilder<> b(c);
  auto* ptr = b.getPtrTy();
  auto* ft = llvm::FunctionType::get(b.getInt32Ty(), {ptr, ptr, ptr}, false);
  auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, out);
  llvm::FunctionCallee reset =
      out.getOrInsertFunction("edict_rt_boxes_reset", llvm::FunctionType::get(b.getVoidTy(), false));
  auto* decision = out.getFunction(DecisionSymbol(d));
  b.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", f));
  b.CreateCall(reset);
  b.CreateRet(b.CreateCall(decision, {f->getArg(0), f->getArg(1), f->getArg(2), llvm::ConstantPointerNull::get(ptr)}));
}

}  // namespace edict::lower
