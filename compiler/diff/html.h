// The pieces shared by the HTML reports of the verdict diff (corpus and symbolic): one
// self-contained page, no external resources, readable without scripts. A small script at the end
// checks the rendered page and marks <body data-check="ok"> (or "fail: ..."), so that a headless
// browser test can tell that it rendered.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/html.h"
#include "compiler/interp/explain.h"

namespace edict::diff {

using edict::HtmlEscape;

// An explanation (interp::ExplainTree) as nested lists: every line with lines under it is a
// <details> element (a call's, which holds the called decision's explanation or what a helper's
// body read, closed; the others open), so it folds without a script; `code` in backquotes is
// <code>.
std::string HtmlExplanation(const std::vector<interp::ExplainNode>& nodes);

// A version as an HTML table cell's content: its name as code, its title, then its citation and
// effective date in muted text (no literal backticks, no parentheses inside parentheses).
std::string HtmlVersionLabel(std::string_view name, std::string_view title, std::string_view citation,
                             std::string_view effective);

// From <!DOCTYPE html> to </head>: the title, the shared style and the error collector.
std::string HtmlHead(std::string_view title);

// A horizontal bar chart as inline SVG: one bar per item, longest value first is the caller's
// order; each bar links to #<anchor>. Bars carry class="bar".
struct Bar {
  std::string label;   // shown left of the bar (cut to fit)
  std::string title;   // the whole label, as a tooltip
  std::string anchor;  // id of the section the bar links to
  double value = 0;
  std::string shown;  // the value as printed right of the bar
};
std::string HtmlBarChart(std::string_view id, std::string_view aria_label, const std::vector<Bar>& bars, double top);

// The closing script and </body></html>. `checks` is JavaScript run inside the check, which may
// push messages on `problems`; the script already checks that every `svg .bar` has a size.
std::string HtmlTail(std::string_view checks);

}  // namespace edict::diff
