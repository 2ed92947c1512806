#include "compiler/diff/sides.h"

#include <iostream>

#include <fmt/format.h>

#include "compiler/base/output.h"
#include "compiler/diff/impact.h"
#include "runtime/text.h"

namespace edict::diff {

std::vector<FieldChange> FieldChanges(const Side& s, const rt::Value* a, const rt::Value* b) {
  std::vector<FieldChange> out;
  const auto& types = s.m().types;
  rt::TypeId t = s.dec().result;
  if (!a || !b || types.kind(t) != rt::TypeKind::Record) return out;
  const auto& rec = types.records[types.info(t).ref];
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    const rt::Value& x = (*a->AsRecord().fields)[i];
    const rt::Value& y = (*b->AsRecord().fields)[i];
    if (!SameValue(x, y))
      out.emplace_back(rec.fields[i].name, rt::FormatValue(x, rec.fields[i].type, types),
                       rt::FormatValue(y, rec.fields[i].type, types));
  }
  return out;
}

std::string SideJson(const Side& s) {
  const ir::Version& v = s.m().versions[size_t(s.version)];
  return fmt::format("{{\"version\":{},\"label\":{},\"effective\":{},\"file\":{}}}", rt::JsonQuote(s.Name()),
                     rt::JsonQuote(s.Label()), v.effective.empty() ? "null" : rt::JsonQuote(v.effective),
                     rt::JsonQuote(s.program->sources.file(v.file).path));
}

std::string VerdictJson(const Side& s, const std::string& error, const rt::Value& outcome,
                        const std::vector<uint32_t>& deciding) {
  if (!error.empty()) return fmt::format("{{\"outcome\":null,\"error\":{}}}", rt::JsonQuote(error));
  std::string provs;
  for (uint32_t rule : deciding) provs += (provs.empty() ? "" : ",") + s.ProvisionJson(rule);
  return fmt::format("{{\"outcome\":{},\"provisions\":[{}]}}", rt::ValueToJson(outcome, s.dec().result, s.m().types),
                     provs);
}

std::string ProvisionList(const Side& s, const std::vector<uint32_t>& deciding) {
  std::string p;
  for (uint32_t rule : deciding) p += (p.empty() ? "" : ", ") + s.Provision(rule);
  return p;
}

bool WriteReport(const std::string& report, const std::string& output, const std::string& format) {
  std::string safe = format == "text" || format == "markdown" ? rt::TerminalSafe(report, true) : std::string();
  std::string_view bytes = safe.empty() ? std::string_view(report) : std::string_view(safe);
  if (output.empty()) return WriteStdout(bytes);  // a failure is reported once, by main
  std::string error;
  if (WriteWholeFile(output, bytes, &error)) return true;
  std::cerr << "error: " << error << "\n";
  return false;
}

}  // namespace edict::diff
