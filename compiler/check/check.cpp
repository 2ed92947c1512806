// Checking: the entry point, and the order of the checker's passes. The Checker class is in
// checker.h; its member functions are in the other files of this folder, one concern each.
#include "compiler/check/check.h"

#include "compiler/check/checker.h"

namespace edict::check {
namespace internal {

ir::Module Checker::Run(uint32_t root) {
  m_.file_instrument.assign(sm_.size(), -1);
  for (const auto& f : files_) CollectHeader(f);
  for (const auto& f : files_)
    for (const auto& u : f.units) DeclareUnit(u);
  for (const auto& f : files_)
    for (const auto& e : f.enums) DeclareEnum(e);
  for (const auto& f : files_)
    for (const auto& r : f.records) DeclareRecord(r);
  ResolveRecordFields();
  ResolveEnumPayloads();
  CheckRecursiveRecords();
  for (const auto& f : files_)
    for (const auto& i : f.impacts) DeclareImpact(i);
  for (const auto& f : files_)
    for (const auto& d : f.describes) DeclareDescription(d);
  ComputeVersions(root);
  BuildVersionTables();
  AllocateVersions();
  CheckFieldDefaults();
  for (uint32_t v = 0; v < tables_.size(); ++v) CheckVersionBodies(v);
  DeclareInvariants();
  CheckTypicals();
  for (const auto& f : files_) {
    current_version_ = file_version_[f.file_id];
    for (const auto& t : f.tests) CheckTest(t, f.file_id);
  }
  CheckCycles();
  return std::move(m_);
}

}  // namespace internal

ir::Module Check(const std::vector<ast::File>& files, const SourceManager& sources, Diagnostics& diags, uint32_t root) {
  if (root == UINT32_MAX) root = files.empty() ? 0 : files[0].file_id;
  return internal::Checker(files, sources, diags).Run(root);
}

}  // namespace edict::check
