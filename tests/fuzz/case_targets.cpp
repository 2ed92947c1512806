#include "tests/fuzz/case_targets.h"

#include "compiler/cases/csv_cases.h"
#include "tests/fuzz/fuzz_support.h"

namespace edict::fuzz {

namespace {

std::unique_ptr<CaseTarget> Load(const std::string& file, const std::string& decision) {
  auto t = std::make_unique<CaseTarget>();
  t->name = file + " " + decision;
  Diagnostics d;
  if (!load::Load({SourceDir() + "/" + file}, t->program, d)) Fail("cannot load " + file);
  int id = t->program.module.FindDecision(decision, -1);
  if (id < 0) Fail("no decision " + t->name);
  t->decision = uint32_t(id);
  for (const auto& p : t->program.module.decisions[t->decision].params) t->params.push_back({p.name, p.type});
  t->decoder = std::make_unique<rt::CaseDecoder>(t->types(), t->params);
  t->text_decoder = std::make_unique<rt::CaseDecoder>(t->types(), t->params);
  t->text_decoder->SetTextScalars(true);  // as `edict batch` decodes a CSV record
  t->text_decoder->SetLabelKey("id");
  t->interp = std::make_unique<interp::Interpreter>(t->program.module);
  return t;
}

// A leaf value as the text of a CSV field (what CsvCases::ToJson turns back into JSON).
std::string LeafText(const rt::Value& v, rt::TypeId t, const rt::TypeTable& types) {
  switch (types.kind(t)) {
    case rt::TypeKind::Bool: return v.AsBool() ? "true" : "false";
    case rt::TypeKind::Set: {
      std::string s;
      const auto& en = types.enums[types.info(t).ref];
      for (uint32_t i = 0; i < en.members.size(); ++i)
        if (v.AsSet().Contains(i)) s += (s.empty() ? "" : ";") + en.members[i];
      return s;
    }
    case rt::TypeKind::Text: return v.AsText();
    default: {
      std::string j = rt::ValueToJson(v, t, types);
      if (j.size() >= 2 && j.front() == '"' && j.back() == '"') j = j.substr(1, j.size() - 2);
      return j;
    }
  }
}

void Leaves(const rt::Value& v, rt::TypeId t, const rt::TypeTable& types, std::vector<std::string>* out) {
  if (types.kind(t) == rt::TypeKind::Record) {
    const auto& r = types.records[types.info(t).ref];
    for (size_t i = 0; i < r.fields.size(); ++i) Leaves((*v.AsRecord().fields)[i], r.fields[i].type, types, out);
    return;
  }
  out->push_back(LeafText(v, t, types));
}

}  // namespace

std::vector<std::unique_ptr<CaseTarget>>& CaseTargets() {
  static std::vector<std::unique_ptr<CaseTarget>> targets = [] {
    std::vector<std::unique_ptr<CaseTarget>> v;
    v.push_back(Load("regs/ai_diffusion/r1_diffusion.edict.md", "licence"));
    v.push_back(Load("tests/bench/peers.edict", "verdict"));
    return v;
  }();
  return targets;
}

std::string CaseJson(const CaseTarget& t, const std::vector<rt::Value>& args) {
  std::string s = "{";
  for (size_t i = 0; i < t.params.size() && i < args.size(); ++i) {
    if (i) s += ",";
    s += rt::JsonQuote(t.params[i].name) + ":" + rt::ValueToJson(args[i], t.params[i].type, t.types());
  }
  return s + "}";
}

std::string CsvJoin(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? "," : "") + cases::CsvQuote(fields[i]);
  return s;
}

std::string CsvRow(const CaseTarget& t, const std::vector<rt::Value>& args) {
  std::vector<std::string> fields;
  for (size_t k = 0; k < args.size() && k < t.params.size(); ++k) Leaves(args[k], t.params[k].type, t.types(), &fields);
  return CsvJoin(fields);
}

std::string CsvHeader(const CaseTarget& t) {
  std::vector<std::pair<std::string, rt::TypeId>> leaves;
  for (const auto& p : t.params) cases::Leaves(t.types(), p.type, p.name, &leaves);
  std::vector<std::string> names;
  for (const auto& [path, _] : leaves) names.push_back(path);
  return CsvJoin(names);
}

bool SameArgs(const std::vector<rt::Value>& a, const std::vector<rt::Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!rt::ValuesEqual(a[i], b[i])) return false;
  return true;
}

std::vector<rt::Value> CheckCase(CaseTarget& t, std::string_view json) { return CheckCase(t, *t.decoder, json); }

std::vector<rt::Value> CheckCase(CaseTarget& t, rt::CaseDecoder& decoder, std::string_view json) {
  // The flat decoding, from a copy followed by the padding the SIMD parser may read.
  std::string padded(json);
  padded.append(rt::CaseDecoder::kPadding, '\0');
  const rt::TypeLayout& il = decoder.input_layout();
  std::vector<std::max_align_t> buf(il.size / sizeof(std::max_align_t) + 1);
  auto* flat = reinterpret_cast<uint8_t*>(buf.data());
  rt::Arena arena;
  std::vector<rt::CaseIssue> issues;
  bool flat_ok = decoder.DecodeFlat(std::string_view(padded.data(), json.size()), flat, arena, &issues);
  rt::DecodedCase decoded = decoder.Decode(json);
  bool value_ok = decoded.issues.empty();
  if (flat_ok != value_ok)
    Fail(t.name + ": the flat decoding " + (flat_ok ? "accepts" : "rejects") + " the case, the Value decoding " +
         (value_ok ? "accepts" : "rejects") + " it");
  if (!flat_ok) {
    if (issues.empty()) Fail(t.name + ": a rejected case without a problem named");
    for (const auto& i : issues)
      if (i.message.empty()) Fail(t.name + ": a problem without a message (field `" + i.field + "`)");
    return {};
  }
  if (decoded.args.size() != t.params.size()) Fail(t.name + ": wrong number of decoded arguments");
  std::vector<rt::Value> from_flat;
  for (size_t k = 0; k < t.params.size(); ++k)
    from_flat.push_back(rt::ReadFlat(flat + il.field_offsets[k], t.params[k].type, t.types(), decoder.layouts()));
  if (!SameArgs(from_flat, decoded.args))
    Fail(t.name + ": the flat and the Value decodings differ:\n  " + CaseJson(t, from_flat) + "\n  " +
         CaseJson(t, decoded.args));
  // Written back and read again: the same case.
  std::string again = CaseJson(t, decoded.args);
  rt::DecodedCase re = t.decoder->Decode(again);
  if (!re.issues.empty())
    Fail(t.name + ": the case written back is rejected: " + re.issues[0].field + ": " + re.issues[0].message + "\n  " +
         again);
  if (!SameArgs(re.args, decoded.args))
    Fail(t.name + ": the case written back decodes differently:\n  " + again + "\n  " + CaseJson(t, re.args));
  try {
    t.interp->EvalDecision(t.decision, decoded.args);
  } catch (const rt::EvalError& e) {
    if (e.message.empty()) Fail(t.name + ": a runtime error without a message");
  }
  return decoded.args;
}

}  // namespace edict::fuzz
