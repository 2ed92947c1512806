// `edict build`: a decision as a shared library, its C header and the JSON Schema of its input.
#pragma once
#include <string>

#include "compiler/driver/commands.h"

namespace edict::driver {

struct BuildOptions {
  std::string file;
  std::string decision;
  std::string name;  // the library and entry point name (default: the decision's)
  std::string out_dir = ".";
};

int RunBuild(const Common& c, const BuildOptions& o);

}  // namespace edict::driver
