#include "compiler/diff/sides.h"

#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "compiler/load/load.h"

namespace edict::diff {

// Whether outcomes of type x (in table a) and y (in table b) can be compared value by value: the
// same kinds, units and record fields (in order); enums may differ in members, since outcomes are
// compared by member name. On a mismatch, says where in `why`.
static bool SameShape(const rt::TypeTable& a, rt::TypeId x, const rt::TypeTable& b, rt::TypeId y, const std::string& at,
                      std::string* why) {
  const rt::TypeInfo& ti = a.info(x);
  const rt::TypeInfo& tj = b.info(y);
  auto fail = [&] {
    *why = fmt::format("{} is `{}` in the old version and `{}` in the new", at, a.Name(x), b.Name(y));
    return false;
  };
  if (ti.kind != tj.kind) return fail();
  switch (ti.kind) {
    case rt::TypeKind::Integer:
    case rt::TypeKind::Decimal: return a.UnitName(ti.unit) == b.UnitName(tj.unit) || fail();
    case rt::TypeKind::List: return SameShape(a, ti.ref, b, tj.ref, at + "'s elements", why);
    case rt::TypeKind::Record: {
      const auto& ra = a.records[ti.ref].fields;
      const auto& rb = b.records[tj.ref].fields;
      auto names = [](const std::vector<rt::FieldInfo>& fs) {
        std::string n;
        for (const auto& f : fs) n += (n.empty() ? "" : ", ") + f.name;
        return n;
      };
      bool same_names =
          ra.size() == rb.size() &&
          std::equal(ra.begin(), ra.end(), rb.begin(), [](const auto& p, const auto& q) { return p.name == q.name; });
      if (!same_names) {
        *why = fmt::format("{} (record `{}`) has the fields {{{}}} in the old version and {{{}}} in the new", at,
                           a.Name(x), names(ra), names(rb));
        return false;
      }
      for (size_t i = 0; i < ra.size(); ++i) {
        if (!SameShape(a, ra[i].type, b, rb[i].type, at + "." + ra[i].name, why)) return false;
      }
      return true;
    }
    case rt::TypeKind::Sum: {  // members compare by name; the values of a member of both, by shape
      const auto& ea = a.enums[ti.ref];
      const auto& eb = b.enums[tj.ref];
      for (size_t i = 0; i < ea.members.size(); ++i)
        for (size_t j = 0; j < eb.members.size(); ++j) {
          if (ea.members[i] != eb.members[j]) continue;
          bool pa = ea.HasPayload(uint32_t(i)), pb = eb.HasPayload(uint32_t(j));
          if (pa != pb) return fail();
          if (pa && !SameShape(a, ea.payloads[i], b, eb.payloads[j], at + "'s `" + ea.members[i] + "`", why))
            return false;
        }
      return true;
    }
    case rt::TypeKind::Error:
    case rt::TypeKind::Bool:
    case rt::TypeKind::Date:
    case rt::TypeKind::Duration:
    case rt::TypeKind::Text:
    case rt::TypeKind::Enum:
    case rt::TypeKind::Set: return true;
  }
  return true;
}

// Loads the two versions: two files, or one file against the version it amends.
bool LoadSides(const Common& c, const std::string& old_file, const std::string& new_file, const std::string& decision,
               std::unique_ptr<load::Program> programs[2], Side* old_side, Side* new_side) {
  auto load_file = [&](const std::string& f, std::unique_ptr<load::Program>& p) {
    p = std::make_unique<load::Program>();
    Diagnostics d;
    bool ok = load::Load({f}, *p, d);
    for (const auto& x : d.Sorted()) std::cerr << RenderText(x, p->sources, c.color);
    return ok;
  };
  if (new_file.empty()) {
    if (!load_file(old_file, programs[0])) return false;
    const auto& vs = programs[0]->module.versions;
    if (vs.size() < 2) {
      std::cerr << fmt::format("error: `{}` amends no base; give two files: edict diff OLD NEW\n", old_file);
      return false;
    }
    *old_side = Side{programs[0].get(), int(vs.size()) - 2, 0, nullptr};
    *new_side = Side{programs[0].get(), int(vs.size()) - 1, 0, nullptr};
  } else {
    if (!load_file(new_file, programs[1])) return false;
    int last = int(programs[1]->module.versions.size()) - 1;
    *new_side = Side{programs[1].get(), last, 0, nullptr};
    // When NEW amends (perhaps through others) OLD, NEW's program already holds OLD's version:
    // both sides then share one module, one compilation and one decoding of each case.
    int shared = load::VersionOfFile(*programs[1], old_file);
    if (shared >= 0 && shared < last) {
      *old_side = Side{programs[1].get(), shared, 0, nullptr};
    } else {
      if (!load_file(old_file, programs[0])) return false;
      *old_side = Side{programs[0].get(), int(programs[0]->module.versions.size()) - 1, 0, nullptr};
    }
  }
  for (Side* s : {old_side, new_side}) {
    int d = s->m().FindDecision(decision, s->version);
    if (d < 0) {
      std::cerr << fmt::format("error: the version `{}` has no decision `{}`\n", s->Name(), decision);
      return false;
    }
    s->decision = uint32_t(d);
  }
  std::string why;
  if (!SameShape(old_side->m().types, old_side->dec().result, new_side->m().types, new_side->dec().result,
                 "the outcome", &why)) {
    std::cerr << fmt::format("error: the two versions' `{}` have outcome types that cannot be compared: {}\n", decision,
                             why);
    return false;
  }
  return true;
}

int CompileSides(Side* a, Side* b) {
  // One engine when both sides are one module; otherwise one each, compiled on two threads (each
  // has its own LLVM context and JIT).
  auto compile = [](Side* s, std::vector<uint32_t> only, std::string* error) {
    s->engine = jit::Engine::Create(s->m(), jit::Options{true, 1, std::move(only)}, error);
  };
  std::string errors[2];
  if (a->program == b->program) {
    compile(a, {a->decision, b->decision}, &errors[0]);
    b->engine = a->engine;
  } else {
    std::thread old_side(compile, a, std::vector<uint32_t>{a->decision}, &errors[0]);
    compile(b, {b->decision}, &errors[1]);
    old_side.join();
  }
  for (int i = 0; i < 2; ++i) {
    if ((i ? b : a)->engine) continue;
    std::cerr << "error: the JIT could not compile the program: " << errors[i] << "\n";
    return kCompileError;
  }
  return kOk;
}

int LoadAndCompile(const Common& c, const std::string& old_file, const std::string& new_file,
                   const std::string& decision, std::unique_ptr<load::Program> programs[2], Side* a, Side* b) {
  if (!LoadSides(c, old_file, new_file, decision, programs, a, b)) return kCompileError;
  return CompileSides(a, b);
}

}  // namespace edict::diff
