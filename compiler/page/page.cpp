#include "compiler/page/page.h"

#include "compiler/base/html.h"

namespace edict::page {

const File* Find(std::string_view path) {
  for (const File& f : Files())
    if (f.path == path) return &f;
  return nullptr;
}

std::string Index(std::string_view api_base) {
  static constexpr std::string_view kMeta = "<meta name=\"edict-api\" content=\"\">";
  std::string html(Files().front().bytes);
  size_t at = html.find(kMeta);
  // index.html holds the tag (the test page/index checks it); without it the page uses its origin.
  if (at != std::string::npos)
    html.replace(at, kMeta.size(), "<meta name=\"edict-api\" content=\"" + HtmlEscape(api_base) + "\">");
  return html;
}

}  // namespace edict::page
