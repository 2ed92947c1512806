// Text for HTML: the one escaper of every page Edict writes (the diff's reports, `edict doc`, the
// Markdown of literate files).
#pragma once
#include <string>
#include <string_view>

namespace edict {

// `s` with &, <, > and " escaped: safe as an element's text and inside a double-quoted attribute.
std::string HtmlEscape(std::string_view s);

}  // namespace edict
