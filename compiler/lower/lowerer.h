// The lowering class, internal to compiler/lower/ (compiler/lower/lower.h is the folder's entry
// point, and the only header other folders include). One Lowerer emits the LLVM IR of one module;
// its members are defined by topic in the files the section headings below name, except the
// constructor, FastOrSlow (used by several files) and the one-line ones, which are defined here.
#pragma once
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <functional>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/ir/walk.h"
#include "compiler/lower/lower.h"

namespace edict::lower {

using ir::ExprId;
using ir::ForEachOperand;
using ir::Op;
using rt::TypeId;
using rt::TypeKind;

// Lowering keeps every function it emits small, whatever the size of the program. LLVM's
// optimisation and code generation take time superlinear in the size of one function (InstCombine
// and others walk chains of dominators, one per branch of the function; X86 domain reassignment is
// quadratic), so a 3,000-term sum lowered into one function took a minute to compile, and
// inlining every helper made a chain of helpers that each call the one below twice exponential.
// So:
//  - a subexpression whose code would hold kPieceNodes IR nodes or more (counting what is inlined
//    into it, and a nested piece or an out-of-line call as one node) is a *piece*: its own
//    function, called where the expression is evaluated. A long chain becomes a chain of pieces
//    of about kPieceNodes nodes each, and compiles in time linear in its length;
//  - a helper whose body, with everything inlined into it, is below kPieceNodes nodes is inlined
//    (most are); any other is one function that every call calls;
//  - a `let` is evaluated by its own function at most once per evaluation, on first use, as the
//    interpreter does (a flag and the value are kept in the decision's frame); the speculative
//    function evaluates every let the rules read once, at its start.
// A piece (or helper, or let) function returns a status (general code: 0 or 1 + the error kind,
// with the error filled in at its own site) or a bail flag (speculative code), then the value's
// components; it is called exactly where the inlined code would have run, so the first error in
// evaluation order is the same.
inline constexpr uint64_t kPieceNodes = 64;

// A value in generated code, shaped like its type: a scalar is `a` (and `b`: a decimal is
// num/den, a duration months/days, a text pointer/length, a list pointer/count), a set is its
// words, a record its fields. A sum type's value is its member's index in `a` and, in `fields`,
// one entry per member: the value of the member held, and for every other member that carries a
// value a placeholder of its type (Undef), which no code reads (every use switches on `a`).
struct CgVal {
  llvm::Value* a = nullptr;
  llvm::Value* b = nullptr;
  std::vector<llvm::Value*> words;
  std::vector<CgVal> fields;
  llvm::GlobalVariable* table = nullptr;  // a constant set's words in memory, for lookups
};

enum class Abi {
#define EDICT_ABI(name, ...) name,
#include "runtime/abi.def"
#undef EDICT_ABI
};

class Lowerer {
 public:
  Lowerer(const ir::Module& m, const rt::Layouts& layouts, bool trace, llvm::Module& out, std::vector<bool> wanted)
      : m_(m),
        L_(layouts),
        trace_enabled_(trace),
        M_(out),
        C_(out.getContext()),
        B_(C_),
        consts_(m),
        wanted_(std::move(wanted)),
        cost_(m.exprs.size(), 0),
        inline_def_(m.defs.size(), 0) {
    if (wanted_.empty()) wanted_.assign(m.decisions.size(), true);
  }
  Result Run();  // setup.cpp

 private:
  // ------------------------------------------------------------------ types and ABI (setup.cpp)

  llvm::Type* I1() { return B_.getInt1Ty(); }
  llvm::Type* I8() { return B_.getInt8Ty(); }
  llvm::Type* I32() { return B_.getInt32Ty(); }
  llvm::Type* I64() { return B_.getInt64Ty(); }
  llvm::Type* I128() { return B_.getInt128Ty(); }
  llvm::Type* Ptr() { return B_.getPtrTy(); }
  llvm::Constant* C32(int64_t v) { return B_.getInt32(uint32_t(v)); }
  llvm::Constant* C64(int64_t v) { return B_.getInt64(uint64_t(v)); }
  llvm::Constant* C128(rt::i128 v) {
    uint64_t words[2] = {uint64_t(rt::u128(v)), uint64_t(rt::u128(v) >> 64)};
    return llvm::ConstantInt::get(C_, llvm::APInt(128, words));
  }
  void DeclareAbi();

  llvm::CallInst* CallAbi(Abi id, std::vector<llvm::Value*> args) { return B_.CreateCall(abi_[size_t(id)], args); }
  void DeclareDecision(uint32_t d);

  // Scope frames (ir::Decision::scope): the decisions that calls sharing a scope frame connect
  // form a group, whose frame in memory holds, per decision of the group, a flag (computed yet)
  // and its flat outcome. Every function of such a decision receives the frame (a fifth
  // argument, `scope_` in its pieces); its public symbol makes a fresh one per evaluation, and a
  // call that shares the frame computes the callee once, by its `_framed` function, into it.
  struct ScopeFrameLayout {
    uint64_t size = 0, align = 16;
    std::vector<uint32_t> members;  // decisions, in order; member k's flag is the frame's byte k
  };
  void LayOutScopeFrames();
  bool Framed(uint32_t d) const { return frame_of_[d] >= 0; }
  // The arguments of a call of d's general or speculative function (the frame, if d is framed).
  std::vector<llvm::Value*> DecisionArgs(uint32_t d, std::vector<llvm::Value*> args, llvm::Value* frame);
  // A fresh frame for d's group in the current function (its flags cleared), or null.
  llvm::Value* NewScopeFrame(uint32_t d);
  void ClearScopeFrame(uint32_t d, llvm::Value* frame);

  // The status a speculative function returns when the general function must decide.
  static constexpr int32_t kBailed = -1;
  void DefineFast(uint32_t d);

  // ------------------------------------------------------------------ function scaffolding (setup.cpp)
  llvm::AllocaInst* EntryAlloca(uint64_t bytes, uint64_t align);

  llvm::BasicBlock* NewBlock(const char* name) { return llvm::BasicBlock::Create(C_, name, fn_); }
  int32_t Site(SourceRange r);
  void EmitErrorReturn(llvm::Value* kind, int32_t site, int32_t rule_a = -1, int32_t rule_b = -1);
  void EmitErrorReturn(llvm::Value* kind, int32_t site, llvm::Value* rule_a, int32_t rule_b);
  void Return(llvm::Value* status);

  llvm::MDNode* Unlikely() { return llvm::MDBuilder(C_).createBranchWeights(1, 1u << 20); }
  void Bail(llvm::Value* cond);
  // Speculative code: returns kBailed if anything so far bailed out, and goes on otherwise.
  void ReturnIfBailed();
  void FailIf(llvm::Value* cond, rt::RtErrorKind kind, SourceRange r);
  void CheckStatus(llvm::Value* status, SourceRange r);
  void PropagateStatus(llvm::Value* status);

  // ------------------------------------------------------------------ flat memory (memory.cpp)

  llvm::Value* At(llvm::Value* base, uint64_t offset) {
    return offset == 0 ? base : B_.CreateConstInBoundsGEP1_64(I8(), base, offset);
  }
  CgVal LoadFlat(TypeId t, llvm::Value* p, bool input = false, int64_t scale = rt::kFlatDecimalScale);
  void StoreFlat(TypeId t, const CgVal& v, llvm::Value* p);
  CgVal LoadDecimal(llvm::Value* p, int64_t scale);
  llvm::Value* DecimalFits(const CgVal& v);
  void StoreDecimal(const CgVal& v, llvm::Value* p);
  void BailUnlessStorable(TypeId t, const CgVal& v);
  llvm::Value* Unstorable(TypeId t, const CgVal& v);
  // Stores the value a sum value of type t carries (its tag is stored by the caller): a switch
  // on the member, storing only that member's value; `checked`: its decimals are known to fit.
  void StorePayload(TypeId t, const CgVal& v, llvm::Value* p, bool checked);

  // ------------------------------------------------------------------ constants (memory.cpp)
  CgVal Constant(const rt::Value& v, TypeId t);
  bool PointerFree(TypeId t) const;
  bool HasBoxedDecimal(const rt::Value& v, TypeId t) const;
  CgVal Text(const std::string& s);

  // ------------------------------------------------------------------ decimals (decimal.cpp)
  llvm::Value* FitsI64(llvm::Value* x128);
  llvm::Value* Mul64(llvm::Value* x128, llvm::Value* y128);
  llvm::Value* Narrow64(llvm::Value* v128);
  bool SpecOp64(llvm::Intrinsic::ID id, llvm::Value* a128, llvm::Value* b128, llvm::Value** out);
  CgVal DecCall(Abi id, const CgVal& x, const CgVal* y, SourceRange r);
  void StoreDec(const CgVal& x, llvm::Value* p);
  CgVal LoadDec(llvm::Value* p);

  // A scalar that is `fast` when `use_fast` holds, and otherwise computed by the code `slow`
  // emits (in its own block): the two joined with a phi.
  template <class Slow>
  llvm::Value* FastOrSlow(llvm::Value* use_fast, llvm::Value* fast, Slow slow) {
    auto* fast_bb = B_.GetInsertBlock();
    auto* slow_bb = NewBlock("slow");
    auto* join = NewBlock("join");
    B_.CreateCondBr(use_fast, join, slow_bb);
    B_.SetInsertPoint(slow_bb);
    llvm::Value* s = slow();
    auto* slow_end = B_.GetInsertBlock();
    B_.CreateBr(join);
    B_.SetInsertPoint(join);
    auto* phi = B_.CreatePHI(fast->getType(), 2);
    phi->addIncoming(fast, fast_bb);
    phi->addIncoming(s, slow_end);
    return phi;
  }
  template <class Slow>
  CgVal DecJoin(llvm::Value* fast_ok, llvm::Value* fast_num, llvm::Value* fast_den, Slow slow);
  llvm::Value* SharedDecCall(Op op, const CgVal& x, const CgVal& y);
  CgVal SharedDecOp(Op op, const CgVal& x, const CgVal& y, SourceRange r);
  CgVal DecAddSub(const CgVal& x, const CgVal& y, bool sub, SourceRange r);
  CgVal DecMul(const CgVal& x, const CgVal& y, SourceRange r);
  CgVal DecDiv(const CgVal& x, const CgVal& y, SourceRange r);
  llvm::Value* DecCmp(const CgVal& x, const CgVal& y);
  CgVal DecNeg(const CgVal& x, SourceRange r);
  llvm::Value* DecRound(const CgVal& x, int32_t mode, SourceRange r);

  // ------------------------------------------------------------------ integers (expr.cpp)
  llvm::Value* IntOp(llvm::Intrinsic::ID id, llvm::Value* a, llvm::Value* b, SourceRange r);

  // ------------------------------------------------------------------ equality (expr.cpp)
  llvm::Value* Eq(TypeId t, const CgVal& x, const CgVal& y);

  // ------------------------------------------------------------------ sets (expr.cpp)
  llvm::Value* SetHas(const CgVal& set, llvm::Value* index);

  // ------------------------------------------------------------------ code size: pieces, helpers, lets (pieces.cpp)
  bool HasList(TypeId t) const;
  uint64_t Cost(ExprId id);
  bool IsCut(ExprId id) { return Cost(id) >= kPieceNodes && !HasList(m_.exprs[id].type); }
  bool InlineDef(uint32_t d);

  // The frame slots an expression reads (not the ones it binds itself), with their types, in
  // slot order. In general code a let reads the slots its value reads (its function computes it);
  // in speculative code, where every let is computed at the start, a let is a slot of its own,
  // after the decision's (LetSlotBase), so that a piece receives its value like any other.
  using Params = std::vector<std::pair<uint32_t, TypeId>>;
  Params FreeSlots(ExprId root);
  void FreeWalk(ExprId id, std::map<uint32_t, TypeId>& out, std::vector<uint32_t>& bound);
  void ComponentTypes(TypeId t, std::vector<llvm::Type*>& out);
  void Flatten(TypeId t, const CgVal& v, std::vector<llvm::Value*>& out);
  template <class Next>
  CgVal Unflatten(TypeId t, Next&& next);
  // At the start of a join block: a value of type t whose every component is a phi of the
  // values arriving from each predecessor block.
  CgVal Phi(TypeId t, const std::vector<std::pair<llvm::BasicBlock*, CgVal>>& in);

  // The state of the function being emitted, saved while another is emitted in its middle.
  struct FnState {
    llvm::Function* fn;
    bool spec;
    llvm::Value *bail, *err, *trace, *memo, *scope;
    llvm::Value *dec_a, *dec_b, *dec_out, *i32_out, *i64_out, *ymd_out;
    std::vector<CgVal> slots;
    ExprId root;
    bool in_piece, compact;
    llvm::BasicBlock* fail_bb;
    llvm::Value* fail_status;
    llvm::IRBuilderBase::InsertPoint ip;
  };
  FnState SaveFn();
  void RestoreFn(FnState& s);
  void BeginFunction();

  // How a component of a value crosses a function boundary: a constant is not passed but built
  // into the function (so a decimal's known denominator stays known), a 64-bit value widened to
  // 128 bits is passed narrow and widened again (so 64-bit fast paths still apply), anything else
  // is passed as it is.
  static constexpr uintptr_t kPlain = 0, kNarrow = 1;
  uintptr_t Signature(llvm::Value* v);
  llvm::Value* Passed(llvm::Value* v, uintptr_t sig) { return sig == kNarrow ? Narrow64(v) : v; }
  llvm::Value* Received(llvm::Value* v, uintptr_t sig);

  // A function that evaluates an expression: its result's components' signatures.
  struct Piece {
    llvm::Function* fn = nullptr;
    std::vector<uintptr_t> result;
  };
  using PieceKey = std::tuple<ExprId, bool, bool, std::vector<uintptr_t>>;
  CgVal Evaluate(ExprId root, std::vector<ExprId>* atoms, const Params& params, const std::vector<CgVal>& args,
                 size_t frame, TypeId result, const std::string& name);
  Piece MakePiece(ExprId root, std::vector<ExprId>* atoms, const Params& params, const std::vector<uintptr_t>& sig,
                  size_t frame, TypeId result, const std::string& name);
  CgVal CallPiece(ExprId id, std::vector<ExprId>* atoms);
  CgVal CallHelper(uint32_t di, const std::vector<CgVal>& args);
  llvm::StructType* LetsType(const ir::Decision& d);
  llvm::StructType* LetType(uint32_t i) { return llvm::cast<llvm::StructType>(lets_ty_->getElementType(i)); }
  llvm::Value* LetSlot(uint32_t i) { return B_.CreateConstInBoundsGEP2_32(lets_ty_, memo_, 0, i); }
  void StoreLet(uint32_t i, const CgVal& v);
  CgVal LoadLet(uint32_t i);
  CgVal LetValue(uint32_t i);
  void HoistLets(const ir::Decision& d);

  // ------------------------------------------------------------------ expressions (expr.cpp)
  CgVal Expr(ExprId id);
  template <class Pred>
  llvm::Value* ListAny(const CgVal& list, TypeId et, Pred pred, bool exists_mode);
  llvm::Value* Compare(TypeId t, const CgVal& a, const CgVal& b, SourceRange r);
  llvm::Value* ShortCircuit(const ir::Expr& e, std::vector<ExprId>* atoms);
  llvm::Value* Condition(ExprId id, std::vector<ExprId>* atoms);
  void TraceStore(uint32_t slot, llvm::Value* byte);
  CgVal Select(llvm::Value* c, const CgVal& a, const CgVal& b);
  CgVal IfExpr(const ir::Expr& e);
  CgVal MatchExpr(const ir::Expr& e);
  CgVal ConstRef(uint32_t c, SourceRange r);
  CgVal Undef(TypeId t);
  CgVal CallDecision(const ir::Expr& e);
  CgVal Builtin(const ir::Expr& e);

  // ------------------------------------------------------------------ lists (lists.cpp)
  llvm::Value* ListAlloc(llvm::Value* bytes);
  CgVal ListLiteral(const ir::Expr& e, bool on_stack);
  CgVal ConsumedList(ExprId id);
  void EachIndex(llvm::Value* n, const std::function<void(llvm::Value*)>& body);
  CgVal GuardedLoad(llvm::Value* ok, TypeId t, llvm::Value* p);
  llvm::Value* ListElement(const CgVal& list, TypeId et, llvm::Value* i);
  llvm::Value* KeySlot(TypeId t);
  void StoreKey(TypeId t, const CgVal& v, llvm::Value* p);
  CgVal LoadKey(TypeId t, llvm::Value* p);
  CgVal ListIndex(const ir::Expr& e);
  CgVal ListMapFilter(const ir::Expr& e);
  CgVal ListMinMax(const ir::Expr& e);
  CgVal ListArg(const ir::Expr& e);
  CgVal ListSort(const ir::Expr& e);

  // ------------------------------------------------------------------ decisions (decision.cpp)
  void DefineDecision(uint32_t di, llvm::Function* fn, bool spec);

  // edict_decision_<d>_batch(in, n, out, status, errors): evaluates n cases in arrays of the flat
  // input and outcome types, one status per case (0 or 1 + the error kind) and its NativeError.
  // Block by block of kBlock cases: a first loop runs the speculative function
  // inlined (no call in it, so nothing to keep across one); a second one, only when some case of
  // the block bailed out, runs the general function on those cases while they are in cache.
  static constexpr int64_t kBlock = 256;
  void DefineBatch(uint32_t d);
  void DefineSpeculativeOutcome(const ir::Decision& d, const std::vector<llvm::Value*>& applies,
                                const std::vector<llvm::Value*>& wins, llvm::Value* out);
  void StoreFlatChecked(TypeId t, const CgVal& v, llvm::Value* p);

  const ir::Module& m_;
  const rt::Layouts& L_;
  bool trace_enabled_;
  llvm::Module& M_;
  llvm::LLVMContext& C_;
  llvm::IRBuilder<> B_;
  interp::Interpreter consts_;
  Result result_;
  std::vector<bool> wanted_;
  llvm::Function* abi_[64] = {};
  std::vector<llvm::Function*> fns_;       // general functions
  std::vector<llvm::Function*> fast_fns_;  // the public symbols (speculative unless tracing)
  std::vector<llvm::Function*> spec_fns_;  // speculative functions (none when tracing)
  // Per function:
  bool spec_ = false;
  llvm::Value* bail_ = nullptr;
  llvm::Function* fn_ = nullptr;
  const ir::Decision* dec_ = nullptr;
  llvm::Value* err_ = nullptr;
  llvm::Value* trace_ = nullptr;
  llvm::Value *dec_a_ = nullptr, *dec_b_ = nullptr, *dec_out_ = nullptr;
  llvm::Value *i32_out_ = nullptr, *i64_out_ = nullptr, *ymd_out_ = nullptr;
  std::vector<CgVal> slots_;
  ExprId root_ = ir::kNoExpr;  // the expression a piece's function evaluates
  bool in_piece_ = false;      // emitting a piece's function (not a decision's)
  bool compact_ = false;       // general code of a large piece: shared decimal operations
  bool raw_status_ = false;    // emitting a shared operation: failures return their status
  std::map<Op, llvm::Function*> dec_ops_;
  llvm::BasicBlock* fail_bb_ = nullptr;  // a piece's failure return (general code), and its status
  llvm::Value* fail_status_ = nullptr;
  llvm::Value* memo_ = nullptr;        // the current decision's lets (LetsType)
  llvm::Value* scope_ = nullptr;       // the current decision's scope frame (null: not framed)
  std::vector<int32_t> frame_of_;      // per decision: its group of ScopeFrameLayouts, or -1
  std::vector<uint64_t> frame_value_;  // per decision of a group: its outcome's offset in the frame
  std::vector<uint32_t> frame_flag_;   // per decision of a group: its flag's offset in the frame
  std::vector<ScopeFrameLayout> frames_;
  std::vector<llvm::Function*> framed_fns_;  // per framed decision: speculative then general, in a given frame
  llvm::StructType* lets_ty_ = nullptr;
  size_t let_slot_base_ = 0;  // speculative code: the slot of let i is let_slot_base_ + i
  // Code size (see kPieceNodes).
  std::vector<uint64_t> cost_;
  std::vector<uint8_t> inline_def_;   // 0 unknown, 1 inlined, 2 called
  std::map<PieceKey, Piece> pieces_;  // (root, speculative, condition, argument signatures)
  std::map<std::pair<const ir::Decision*, uint32_t>, Params> let_free_;
};

}  // namespace edict::lower
