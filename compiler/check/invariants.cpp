// Checking: `invariant` and `assumption` declarations, and the guards they put on every decision's
// inputs. An invariant's condition is an ordinary helper (checked with the other helpers of each
// version); this pass records, per version, which helpers are invariants, and gives each decision
// one guard per invariant of each record value in its inputs: a parameter, or a record field
// inside one (`t.consignee`), however deep.
#include <fmt/format.h>

#include "compiler/check/checker.h"

namespace edict::check::internal {

void Checker::DeclareInvariants() {
  std::set<const ast::InvariantDecl*> reported;
  // Per version: the invariants it sees, by the record type they constrain.
  std::vector<std::map<TypeId, std::vector<uint32_t>>> by_type(m_.versions.size());
  for (const auto& f : files_) {
    for (const auto& iv : f.invariants) {
      for (uint32_t v = file_version_[f.file_id]; v < m_.versions.size(); ++v) {
        auto def = m_.versions[v].defs.find(iv.name);
        if (def == m_.versions[v].defs.end()) continue;
        const ir::Def& d = m_.defs[def->second];
        if (d.params.size() != 1) continue;
        TypeId t = d.params[0].type;
        if (m_.types.kind(t) != TypeKind::Record) {
          if (m_.types.kind(t) != TypeKind::Error && reported.insert(&iv).second) {
            auto& diag = diags_.Emit(DiagKind::InvalidInvariant, d.params[0].range,
                                     fmt::format("the {} `{}` constrains a value of type {}, which is not a record",
                                                 iv.assumption ? "assumption" : "invariant", iv.name, Name(t)));
            diag.notes.push_back(
                {{}, "an invariant states what every real case meets: its parameter is a record of the inputs"});
          }
          continue;
        }
        ir::Invariant inv;
        inv.name = iv.name;
        inv.doc = iv.doc;
        inv.assumption = iv.assumption;
        inv.def = def->second;
        inv.type = t;
        inv.cite = d.cite;
        inv.range = iv.name_range;
        m_.invariants.push_back(std::move(inv));
        by_type[v][t].push_back(uint32_t(m_.invariants.size() - 1));
      }
    }
  }
  if (m_.invariants.empty()) return;
  for (uint32_t v = 0; v < m_.versions.size(); ++v) {
    if (by_type[v].empty()) continue;
    for (const auto& [name, index] : m_.versions[v].decisions) {
      ir::Decision& d = m_.decisions[index];
      for (uint32_t i = 0; i < d.params.size(); ++i) {
        ExprId param = Emit(Op::Local, d.params[i].type, d.params[i].range, i);
        GuardInputs(d, index, d.params[i].type, param, d.params[i].name, by_type[v]);
      }
    }
  }
}

// The guards for a value of type t (the expression `value`, written `path`) and the records in it.
void Checker::GuardInputs(ir::Decision& d, uint32_t d_index, TypeId t, ExprId value, const std::string& path,
                          const std::map<TypeId, std::vector<uint32_t>>& by_type) {
  if (m_.types.kind(t) != TypeKind::Record) return;
  if (auto it = by_type.find(t); it != by_type.end()) {
    for (uint32_t k : it->second) {
      const ir::Invariant& inv = m_.invariants[k];
      ExprId check = Emit(Op::Call, m_.types.boolean(), inv.range, inv.def, Extra({value}));
      d.guards.push_back(ir::Guard{k, path, check});
      current_owner_ = Owner{SymKind::Decision, d_index};
      depth_ = 0;
      AddDep(SymKind::Def, inv.def);
      current_owner_ = Owner{};
    }
  }
  uint32_t record = m_.types.info(t).ref;
  if (Incomplete(record)) return;
  const auto& fields = m_.types.records[record].fields;
  for (uint32_t i = 0; i < fields.size(); ++i) {
    if (m_.types.kind(fields[i].type) != TypeKind::Record) continue;
    ExprId field = Emit(Op::Field, fields[i].type, m_.exprs[value].range, value, i);
    GuardInputs(d, d_index, fields[i].type, field, path + "." + fields[i].name, by_type);
  }
}

}  // namespace edict::check::internal
