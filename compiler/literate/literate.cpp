#include "compiler/literate/literate.h"

#include <md4c.h>

#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>

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

}  // namespace edict::literate
