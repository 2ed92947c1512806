// Random cases for a decision, generated from its input types: the values the rules compare
// against (every constant of a comparison, and its neighbours one step either side) come up
// often, so that boundaries are exercised; some values are extreme, so that error paths are too.
// Deterministic for a seed.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/value.h"

namespace edict::cases {

class Generator {
 public:
  Generator(const ir::Module& m, uint32_t decision, uint64_t seed);

  // The arguments of one case, one per parameter.
  std::vector<rt::Value> Next();
  // A case as one line of JSON (the format `edict eval --cases` reads).
  std::string ToJson(const std::vector<rt::Value>& args) const;

 private:
  rt::Value Random(rt::TypeId t, int depth);
  rt::Value InDomain(const rt::FieldInfo& f, int depth);
  void CollectBoundaries();
  void AddBoundary(rt::TypeId t, const rt::Value& v);

  const ir::Module& m_;
  uint32_t decision_;
  std::mt19937_64 rng_;
  std::map<rt::TypeId, std::vector<rt::Value>> boundaries_;  // by exact type (units included)
  std::vector<std::vector<uint32_t>> favoured_members_;      // by enum: members some set or literal names
  std::vector<std::string> texts_;
};

}  // namespace edict::cases
