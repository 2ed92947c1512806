// The OpenAPI 3 document of `edict serve`'s routes, served at /openapi.json.
#pragma once
#include <string>

namespace edict::serve {

const std::string& OpenApiJson();

}  // namespace edict::serve
