#include "compiler/literate/literate.h"

#include <md4c.h>

#include "compiler/base/html.h"

#include <cctype>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

namespace edict::literate {

namespace {

constexpr std::string_view kSuffix = ".edict.md";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Walk {
  std::string_view doc;
  int edict_blocks = 0;  // open ```edict blocks (0 or 1: code blocks do not nest)
  std::vector<Span> spans;
  size_t indent = 0;  // spaces md4c gave from its own constants just before (see Text)
};

// Whether a block is a fenced code block whose language is `edict`.
bool IsEdictFence(MD_BLOCKTYPE type, const void* detail) {
  if (type != MD_BLOCK_CODE) return false;
  const auto* d = static_cast<const MD_BLOCK_CODE_DETAIL*>(detail);
  std::string_view lang(d->lang.text ? d->lang.text : "", d->lang.text ? d->lang.size : 0);
  return d->fence_char != 0 && lang == "edict";
}

int EnterBlock(MD_BLOCKTYPE type, void* detail, void* user) {
  if (IsEdictFence(type, detail)) ++static_cast<Walk*>(user)->edict_blocks;
  return 0;
}

int LeaveBlock(MD_BLOCKTYPE type, void* detail, void* user) {
  if (IsEdictFence(type, detail)) --static_cast<Walk*>(user)->edict_blocks;
  return 0;
}

int NoSpan(MD_SPANTYPE, void*, void*) { return 0; }

// md4c hands a code block's contents line by line as pointers into the document; the line
// breaks, and a line's indentation beyond its fence's, come from its own constants. The line
// break is not code; the indentation is, where the file has it (spaces or tabs before the piece).
int Text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto& w = *static_cast<Walk*>(user);
  if (w.edict_blocks == 0 || type != MD_TEXT_CODE) return 0;
  const char* begin = w.doc.data();
  if (text < begin || text + size > begin + w.doc.size()) {
    if (std::string_view(text, size).find_first_not_of(' ') == std::string_view::npos) w.indent += size;
    return 0;
  }
  size_t at = size_t(text - begin), end = at + size;
  for (; w.indent > 0 && at > 0 && (w.doc[at - 1] == ' ' || w.doc[at - 1] == '\t'); --w.indent) --at;
  w.indent = 0;
  if (!w.spans.empty() && w.spans.back().end == at)
    w.spans.back().end = end;
  else
    w.spans.push_back({at, end});
  return 0;
}

// ---------------------------------------------------------------- HTML for reading (Pieces)

void Escape(std::string& out, std::string_view s) { out += HtmlEscape(s); }

std::string_view Attr(const MD_ATTRIBUTE& a) { return a.text ? std::string_view(a.text, a.size) : std::string_view(); }

bool SafeHref(std::string_view h) {
  auto starts = [&](std::string_view p) { return h.substr(0, p.size()) == p; };
  return starts("https://") || starts("http://") || starts("mailto:") || (starts("#") && h.size() > 1);
}

struct Render {
  std::string_view doc;
  std::vector<Piece> pieces = std::vector<Piece>(1);
  int depth = 0;            // open blocks below the document
  bool top_edict = false;   // inside an ```edict block of the top level
  std::vector<bool> links;  // per open link: whether it was written as <a>
  int image = 0;            // inside an image: its text is its description
  Walk code{{}, 0, {}};     // the code spans of the block being read (Text above)
  std::string& html() { return pieces.back().html; }
};

int RenderEnter(MD_BLOCKTYPE type, void* detail, void* user) {
  auto& r = *static_cast<Render*>(user);
  int depth = r.depth++;
  if (type == MD_BLOCK_DOC) {
    r.depth = 0;
    return 0;
  }
  if (depth == 0 && IsEdictFence(type, detail)) {
    r.top_edict = true;
    r.code.edict_blocks = 1;
    return 0;
  }
  std::string& h = r.html();
  switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE: h += "<blockquote>\n"; break;
    case MD_BLOCK_UL: h += "<ul>\n"; break;
    case MD_BLOCK_OL: {
      unsigned start = static_cast<const MD_BLOCK_OL_DETAIL*>(detail)->start;
      h += start == 1 ? std::string("<ol>\n") : "<ol start=\"" + std::to_string(start) + "\">\n";
      break;
    }
    case MD_BLOCK_LI: h += "<li>"; break;
    case MD_BLOCK_HR: h += "<hr>\n"; break;
    case MD_BLOCK_H: h += "<h" + std::to_string(static_cast<const MD_BLOCK_H_DETAIL*>(detail)->level) + ">"; break;
    case MD_BLOCK_CODE: {
      std::string_view lang = Attr(static_cast<const MD_BLOCK_CODE_DETAIL*>(detail)->lang);
      h += "<pre class=\"other\"><code";
      if (!lang.empty()) {
        h += " data-lang=\"";
        Escape(h, lang);
        h += "\"";
      }
      h += ">";
      break;
    }
    case MD_BLOCK_HTML: h += "<pre class=\"raw-html\">"; break;
    case MD_BLOCK_P: h += "<p>"; break;
    case MD_BLOCK_TABLE: h += "<table>\n"; break;
    case MD_BLOCK_THEAD: h += "<thead>\n"; break;
    case MD_BLOCK_TBODY: h += "<tbody>\n"; break;
    case MD_BLOCK_TR: h += "<tr>"; break;
    case MD_BLOCK_TH: h += "<th>"; break;
    case MD_BLOCK_TD: h += "<td>"; break;
  }
  return 0;
}

int RenderLeave(MD_BLOCKTYPE type, void* detail, void* user) {
  auto& r = *static_cast<Render*>(user);
  --r.depth;
  if (r.top_edict && r.depth == 0) {
    r.top_edict = false;
    r.code.edict_blocks = 0;
    r.pieces.back().code = std::move(r.code.spans);
    r.code.spans.clear();
    r.pieces.emplace_back();
    return 0;
  }
  std::string& h = r.html();
  switch (type) {
    case MD_BLOCK_DOC: break;
    case MD_BLOCK_QUOTE: h += "</blockquote>\n"; break;
    case MD_BLOCK_UL: h += "</ul>\n"; break;
    case MD_BLOCK_OL: h += "</ol>\n"; break;
    case MD_BLOCK_LI: h += "</li>\n"; break;
    case MD_BLOCK_HR: break;
    case MD_BLOCK_H: h += "</h" + std::to_string(static_cast<const MD_BLOCK_H_DETAIL*>(detail)->level) + ">\n"; break;
    case MD_BLOCK_CODE: h += "</code></pre>\n"; break;
    case MD_BLOCK_HTML: h += "</pre>\n"; break;
    case MD_BLOCK_P: h += "</p>\n"; break;
    case MD_BLOCK_TABLE: h += "</table>\n"; break;
    case MD_BLOCK_THEAD: h += "</thead>\n"; break;
    case MD_BLOCK_TBODY: h += "</tbody>\n"; break;
    case MD_BLOCK_TR: h += "</tr>\n"; break;
    case MD_BLOCK_TH: h += "</th>"; break;
    case MD_BLOCK_TD: h += "</td>"; break;
  }
  return 0;
}

int RenderEnterSpan(MD_SPANTYPE type, void* detail, void* user) {
  auto& r = *static_cast<Render*>(user);
  std::string& h = r.html();
  switch (type) {
    case MD_SPAN_EM: h += "<em>"; break;
    case MD_SPAN_STRONG: h += "<strong>"; break;
    case MD_SPAN_U: h += "<u>"; break;
    case MD_SPAN_A: {
      std::string_view href = Attr(static_cast<const MD_SPAN_A_DETAIL*>(detail)->href);
      bool safe = SafeHref(href);
      r.links.push_back(safe);
      if (safe) {
        h += "<a href=\"";
        Escape(h, href);
        h += "\">";
      } else {
        h += "<span class=\"ref\" title=\"";
        Escape(h, href);
        h += "\">";
      }
      break;
    }
    case MD_SPAN_IMG:
      ++r.image;
      h += "<span class=\"image\">[image: ";
      break;
    case MD_SPAN_CODE: h += "<code>"; break;
    case MD_SPAN_DEL: h += "<del>"; break;
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK: h += "<span>"; break;
  }
  return 0;
}

int RenderLeaveSpan(MD_SPANTYPE type, void*, void* user) {
  auto& r = *static_cast<Render*>(user);
  std::string& h = r.html();
  switch (type) {
    case MD_SPAN_EM: h += "</em>"; break;
    case MD_SPAN_STRONG: h += "</strong>"; break;
    case MD_SPAN_U: h += "</u>"; break;
    case MD_SPAN_A:
      h += r.links.empty() || r.links.back() ? "</a>" : "</span>";
      if (!r.links.empty()) r.links.pop_back();
      break;
    case MD_SPAN_IMG:
      --r.image;
      h += "]</span>";
      break;
    case MD_SPAN_CODE: h += "</code>"; break;
    case MD_SPAN_DEL: h += "</del>"; break;
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK: h += "</span>"; break;
  }
  return 0;
}

int RenderText(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto& r = *static_cast<Render*>(user);
  if (r.top_edict) return Text(type, text, size, &r.code);
  std::string& h = r.html();
  std::string_view s(text, size);
  switch (type) {
    case MD_TEXT_NULLCHAR: h += "&#xFFFD;"; break;
    case MD_TEXT_BR: h += "<br>\n"; break;
    case MD_TEXT_SOFTBR: h += "\n"; break;
    case MD_TEXT_ENTITY: {
      // `&name;`, `&#123;` or `&#x1F;`: passed on as written when it has that form only.
      bool ok = s.size() >= 3 && s.front() == '&' && s.back() == ';';
      for (size_t i = 1; ok && i + 1 < s.size(); ++i)
        ok = std::isalnum(static_cast<unsigned char>(s[i])) || (i == 1 && s[i] == '#');
      if (ok)
        h += s;
      else
        Escape(h, s);
      break;
    }
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH: Escape(h, s); break;
  }
  return 0;
}

}  // namespace

bool IsLiterate(std::string_view path) { return EndsWith(path, kSuffix); }

bool IsSource(std::string_view path) { return EndsWith(path, ".edict") || IsLiterate(path); }

std::vector<Span> CodeSpans(std::string_view markdown) {
  if (markdown.size() > std::numeric_limits<MD_SIZE>::max()) throw std::length_error("Markdown text too long");
  Walk w{markdown, 0, {}};
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_COMMONMARK;
  parser.enter_block = EnterBlock;
  parser.leave_block = LeaveBlock;
  parser.enter_span = NoSpan;
  parser.leave_span = NoSpan;
  parser.text = Text;
  if (md_parse(markdown.data(), MD_SIZE(markdown.size()), &parser, &w) != 0) throw std::bad_alloc();
  return w.spans;
}

std::string Code(std::string_view markdown) {
  std::string code(markdown.size(), ' ');
  for (size_t i = 0; i < markdown.size(); ++i)
    if (markdown[i] == '\n' || markdown[i] == '\r') code[i] = markdown[i];
  for (const Span& s : CodeSpans(markdown))
    code.replace(s.begin, s.end - s.begin, markdown.substr(s.begin, s.end - s.begin));
  return code;
}

std::vector<Piece> Pieces(std::string_view markdown) {
  if (markdown.size() > std::numeric_limits<MD_SIZE>::max()) throw std::length_error("Markdown text too long");
  Render r;
  r.doc = markdown;
  r.code.doc = markdown;
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_COMMONMARK | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH;
  parser.enter_block = RenderEnter;
  parser.leave_block = RenderLeave;
  parser.enter_span = RenderEnterSpan;
  parser.leave_span = RenderLeaveSpan;
  parser.text = RenderText;
  if (md_parse(markdown.data(), MD_SIZE(markdown.size()), &parser, &r) != 0) throw std::bad_alloc();
  return std::move(r.pieces);
}

}  // namespace edict::literate
