// Random cases for a decision, generated from its input types: the values the rules compare
// against (every constant of a comparison, and its neighbours one step either side) come up
// often, so that boundaries are exercised; some values are extreme, so that error paths are too.
// Every case meets the decision's invariants (ir::Guard): a draw that breaks one is repaired where
// the invariant's condition says how, else drawn again. Deterministic for a seed.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/value.h"

namespace edict::interp {
class Interpreter;
}

namespace edict::cases {

// Next found no case that meets the invariants (their conditions are too narrow for random values).
struct NoValidCase : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Generator {
 public:
  Generator(const ir::Module& m, uint32_t decision, uint64_t seed);
  ~Generator();

  // The arguments of one case, one per parameter. Throws NoValidCase.
  std::vector<rt::Value> Next();
  // A case as one line of JSON (the format `edict eval --cases` reads).
  std::string ToJson(const std::vector<rt::Value>& args) const;

 private:
  rt::Value Random(rt::TypeId t, int depth);
  rt::Value InDomain(const rt::FieldInfo& f, int depth);
  void CollectBoundaries();
  // Invariants: changes `args` towards meeting the guard, true if it changed anything.
  bool Repair(std::vector<rt::Value>& args, const ir::Guard& g);
  bool Satisfy(ir::ExprId e, bool want, rt::Value& root, rt::TypeId type);
  bool Assign(ir::ExprId dst, ir::ExprId src, rt::Value& root, rt::TypeId type);
  std::optional<rt::Value> Literal(ir::ExprId e) const;

  void AddBoundary(rt::TypeId t, const rt::Value& v);

  const ir::Module& m_;
  uint32_t decision_;
  std::mt19937_64 rng_;
  std::map<rt::TypeId, std::vector<rt::Value>> boundaries_;  // by exact type (units included)
  std::vector<std::vector<uint32_t>> favoured_members_;      // by enum: members some set or literal names
  std::vector<std::string> texts_;
  std::unique_ptr<interp::Interpreter> interp_;  // evaluates the guards
};

}  // namespace edict::cases
