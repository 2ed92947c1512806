#include "compiler/diff/html.h"

#include <algorithm>

#include <fmt/format.h>

namespace edict::diff {

namespace {
// Escaped, with each `quoted` piece as <code>.
std::string HtmlCodeSpans(std::string_view s) {
  std::string h;
  bool in_code = false;
  size_t from = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '`') continue;
    h += HtmlEscape(s.substr(from, i - from));
    if (i < s.size()) {
      // A backquote with no partner is text.
      if (in_code || s.find('`', i + 1) != std::string_view::npos) {
        h += in_code ? "</code>" : "<code>";
        in_code = !in_code;
      } else {
        h += '`';
      }
    }
    from = i + 1;
  }
  return h;
}
}  // namespace

std::string HtmlExplanation(const std::vector<interp::ExplainNode>& nodes) {
  std::string h = "<ul class=\"explanation\">\n";
  for (const interp::ExplainNode& n : nodes) {
    if (n.kids.empty()) {
      h += "<li>" + HtmlCodeSpans(n.text) + "</li>\n";
      continue;
    }
    h += fmt::format("<li><details{}><summary>{}</summary>\n{}</details></li>\n", n.collapsible ? "" : " open",
                     HtmlCodeSpans(n.text), HtmlExplanation(n.kids));
  }
  return h + "</ul>\n";
}

std::string HtmlVersionLabel(std::string_view name, std::string_view title, std::string_view citation,
                             std::string_view effective) {
  std::string h = "<code>" + HtmlEscape(name) + "</code>";
  if (!title.empty()) h += " " + HtmlEscape(title);
  std::string more;
  if (!citation.empty()) more += HtmlEscape(citation);
  if (!effective.empty()) more += (more.empty() ? "" : "; ") + std::string("effective ") + HtmlEscape(effective);
  if (!more.empty()) h += "<br><span class=\"muted\">" + more + "</span>";
  return h;
}

std::string HtmlHead(std::string_view title) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += fmt::format("<title>{}</title>\n", HtmlEscape(title));
  h += R"(<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;line-height:1.45}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#f4f5f7;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d4da;padding:.25rem .5rem;text-align:left;vertical-align:top}
.old{color:#8a1c1c}.new{color:#0b5d1e}.muted{color:#5b6370}
section.class{border-top:1px solid #d0d4da;margin-top:1.5rem}
ul.region li{margin:.15rem 0}
table.matrix td{text-align:center;min-width:2.5rem}table.matrix td a{display:inline-block;padding:0 .25rem;color:inherit}
svg text{font-size:12px;font-family:system-ui,sans-serif}
.impact{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.8em;font-weight:600;vertical-align:middle}
.impact-tightened{background:#f9d7d3;color:#7a1510}.impact-loosened{background:#d3f0da;color:#0b5d1e}
.impact-mixed{background:#f6e7c1;color:#6b4a00}.impact-error{background:#e8d5f5;color:#4b1c6e}
.impact-detail,.impact-explanation{background:#e4e7eb;color:#343a42}
</style>
<script>var problems = []; window.addEventListener("error", function (e) { problems.push(String(e.message)); });</script>
</head>
)";
  return h;
}

std::string HtmlBarChart(std::string_view id, std::string_view aria_label, const std::vector<Bar>& bars, double top) {
  const int row = 22, label_w = 460, bar_w = 380, width = label_w + bar_w + 90;
  size_t height = bars.size() * row + 4;
  std::string h =
      fmt::format("<svg id=\"{}\" role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n",
                  id, HtmlEscape(aria_label), width, height, width, height);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    std::string label = b.label;
    if (label.size() > 70) {
      size_t cut = 67;
      while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
      label = label.substr(0, cut) + "...";
    }
    double w = std::max(top > 0 ? double(bar_w) * b.value / top : 0.0, 1.0);
    int y = int(i) * row + 2;
    h += fmt::format(
        "<a href=\"#{}\"><title>{}</title><text x=\"0\" y=\"{}\">{}</text>"
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#3b6fb6\"></rect>"
        "<text x=\"{:.1f}\" y=\"{}\">{}</text></a>\n",
        b.anchor, HtmlEscape(b.title), y + 14, HtmlEscape(label), label_w, y + 2, w, row - 6, label_w + w + 6, y + 14,
        HtmlEscape(b.shown));
  }
  return h + "</svg>\n";
}

std::string HtmlTail(std::string_view checks) {
  std::string h = R"(<script>
"use strict";
(function () {
  window.addEventListener("error", function () { mark(); });
  function mark() { document.body.setAttribute("data-check", problems.length ? "fail: " + problems.join("; ") : "ok"); }
  document.querySelectorAll("svg .bar").forEach(function (b) {
    var box = b.getBBox();
    if (!(box.width > 0 && box.height > 0)) problems.push("a bar has no size");
  });
)";
  h += checks;
  h += R"(  mark();
})();
</script>
</body>
</html>
)";
  return h;
}

}  // namespace edict::diff
