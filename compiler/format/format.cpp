#include "compiler/format/format.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/literate/literate.h"
#include "compiler/parse/parse.h"

namespace edict::format {
namespace {

using parse::Token;
using TK = Token::Kind;

// What a code token is to the layout, beyond its text.
enum Role : uint16_t {
  kStmtStart = 1 << 0,    // begins a declaration, or an item of a declaration's block
  kMandatory = 1 << 1,    // begins a line whatever the author wrote (a declaration; an item or the
                          // closing brace of a block written with a line break after its `{`)
  kStructOpen = 1 << 2,   // the `{` of a declaration's block (decision, record, enum, test ...)
  kStructClose = 1 << 3,  // its `}`
  kUnaryMinus = 1 << 4,   // `-x`: no space after it
  kSetBrace = 1 << 5,     // a brace of a set literal: `{a, b}`, no space inside
  kUnit = 1 << 6,         // a unit annotation, brackets included: `[tpp/chip]`, no space inside
  kUnitParams = 1 << 7,   // `<` or `>` around a helper's unit parameters: `def f<u>(`
  kIndex = 1 << 8,        // the `[` of an index: `l[i]`, no space before it
};

bool IsComment(const Token& t) { return t.kind == TK::LineComment || t.kind == TK::BlockComment; }
bool IsOpener(std::string_view t) { return t == "(" || t == "[" || t == "{"; }
bool IsCloser(std::string_view t) { return t == ")" || t == "]" || t == "}"; }
// A token that never begins a line: a line break before it moves after it.
bool NeverStartsLine(std::string_view t) { return t == "," || t == ";" || t == "." || t == ":"; }

std::string_view TokenText(std::string_view src, const Token& t) {
  std::string_view s = src.substr(t.begin, t.end - t.begin);
  if (t.kind == TK::LineComment)
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Columns count code points, so that a name or a string with letters beyond ASCII aligns.
int Width(std::string_view s) {
  int n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// One element of the output in order: a code token or a comment, with the number of line breaks
// the source had before it.
struct Element {
  bool comment = false;
  uint32_t index = 0;  // into code_ or comments_
  uint32_t breaks = 0;
};

// An open bracket while lines are laid out (and the file itself, at the bottom).
struct Frame {
  int open = -1;         // code index of the bracket, -1 for the file
  bool stmts = true;     // what it holds are statements (the file, a block but an enum's)
  int content = 0;       // indentation of a line inside it
  int close = 0;         // indentation of a line its closing bracket begins
  int stmt_indent = -1;  // indentation of the line the current statement began on, -1 before one
};

struct Line {
  int indent = 0;
  std::string text;
  std::string comment;  // a `//` comment ending the line, aligned with its neighbours'
  bool blank_before = false;
  int comment_column = 0;
};

class Formatter {
 public:
  Formatter(std::string_view src, const std::vector<Token>& tokens) : src_(src) {
    for (const Token& t : tokens) (IsComment(t) ? comments_ : code_).push_back(t);
    role_.assign(code_.size(), 0);
    match_.assign(code_.size(), -1);
    Structure();
  }

  // Roles only the tree tells: signs, set braces, unit parameters.
  void Roles(const ast::File& f) {
    for (const auto& r : f.records)
      for (const auto& fd : r.fields) {
        Expr(fd.where.get());
        Expr(fd.default_value.get());
      }
    for (const auto& c : f.consts) Expr(c.value.get());
    for (const auto& c : f.replaced_consts) Expr(c.value.get());
    for (const auto& d : f.defs) Def(d);
    for (const auto& d : f.replaced_defs) Def(d);
    for (const auto& d : f.decisions) Decision(d);
    for (const auto& d : f.replaced_decisions) Decision(d);
    for (const auto& t : f.tests)
      for (const auto& s : t.stmts) Expr(s.is_let ? s.let.value.get() : s.assertion.get());
    for (const auto& a : f.amendments)
      for (const auto& i : a.items) Amend(i);
  }

  std::string Run() {
    Elements();
    Decide();
    Emit();
    AlignComments();
    std::string out;
    for (const Line& l : lines_) {
      if (l.blank_before) out += '\n';
      out.append(size_t(l.indent), ' ');
      out += l.text;
      if (!l.comment.empty()) {
        out.append(size_t(l.comment_column - l.indent - Width(l.text)), ' ');
        out += l.comment;
      }
      out += '\n';
    }
    return out;
  }

 private:
  // A token's text; a line comment's without the white space that ends it.
  std::string_view Text(const Token& t) const { return TokenText(src_, t); }
  std::string_view Code(int i) const { return Text(code_[size_t(i)]); }
  bool IsName(int i) const { return code_[size_t(i)].kind == TK::Word && !code_[size_t(i)].keyword; }

  // The first code token that begins at `offset` or after it (code_.size() if none).
  int FirstFrom(uint32_t offset) const {
    auto it =
        std::lower_bound(code_.begin(), code_.end(), offset, [](const Token& t, uint32_t o) { return t.begin < o; });
    return int(it - code_.begin());
  }
  // The code token that begins at `offset`, or -1.
  int CodeAt(uint32_t offset) const {
    int i = FirstFrom(offset);
    return size_t(i) < code_.size() && code_[size_t(i)].begin == offset ? i : -1;
  }
  // The last code token that begins before `offset`, or -1.
  int CodeBefore(uint32_t offset) const { return FirstFrom(offset) - 1; }

  // --- Roles from the tokens: brackets, declarations and the items of their blocks.

  // Whether the declaration beginning at code token `first` has a block: `decision ... { ... }`.
  bool HasBlock(int first) const {
    std::string_view w = Code(first);
    if (w == "replace") return size_t(first + 1) < code_.size() && Code(first + 1) == "decision";
    return w == "instrument" || w == "enum" || w == "record" || w == "decision" || w == "scope" || w == "test" ||
           w == "amend" || w == "impact";
  }

  void Structure() {
    struct Open {
      int index;
      bool stmts;
    };
    std::vector<Open> stack;
    bool expect = true;  // the next token begins a statement
    int first = -1;      // the current declaration's first token
    bool block_seen = false;
    for (int i = 0; i < int(code_.size()); ++i) {
      std::string_view t = Code(i);
      if (IsCloser(t)) {
        if (stack.empty()) continue;  // unbalanced: the parser has reported it
        int o = stack.back().index;
        stack.pop_back();
        match_[size_t(o)] = i;
        match_[size_t(i)] = o;
        if (role_[size_t(o)] & kStructOpen) {
          role_[size_t(i)] |= kStructClose;
          if (BreakAfter(o)) role_[size_t(i)] |= kMandatory;
          expect = true;
        }
        continue;
      }
      bool stmts = stack.empty() || stack.back().stmts;
      if (expect && stmts) {
        role_[size_t(i)] |= kStmtStart;
        if (stack.empty() || BreakAfter(stack.back().index)) role_[size_t(i)] |= kMandatory;
        expect = false;
        if (stack.empty()) first = i, block_seen = false;
      }
      if (t == "[" && i > 0 &&
          (code_[size_t(i - 1)].kind == TK::Literal || Code(i - 1) == "decimal" || Code(i - 1) == "integer"))
        unit_opens_.push_back(i);
      if (IsOpener(t)) {
        bool block = t == "{" && stack.empty() && !block_seen && first >= 0 && HasBlock(first);
        if (block) {
          role_[size_t(i)] |= kStructOpen;
          block_seen = true;
          bool items = Code(first) != "enum";
          stack.push_back({i, items});
          expect = items;
        } else {
          stack.push_back({i, false});
        }
        continue;
      }
      if (t == ";" && stmts) expect = true;
    }
    for (int o : unit_opens_)
      for (int j = o; j >= 0 && j <= match_[size_t(o)]; ++j) role_[size_t(j)] |= kUnit;
  }

  // Whether the source breaks the line after code token i (a comment may come first).
  bool BreakAfter(int i) const {
    if (size_t(i + 1) >= code_.size()) return true;
    return src_.substr(code_[size_t(i)].end, code_[size_t(i + 1)].begin - code_[size_t(i)].end).find('\n') !=
           std::string_view::npos;
  }

  // --- Roles from the tree: one function per construct.

  // The tokens of an expression without the parentheses around it: [first, last].
  std::pair<int, int> Inner(SourceRange r) const {
    int b = CodeAt(r.begin), l = CodeBefore(r.end);
    if (b < 0 || l < b) return {-1, -1};
    while (b < l && Code(b) == "(" && match_[size_t(b)] == l) ++b, --l;
    return {b, l};
  }

  void Expr(const ast::Expr* e) {
    if (!e) return;
    auto [b, l] = Inner(e->range);
    switch (e->kind) {
      case ast::ExprKind::SetLit:
        if (b >= 0 && Code(b) == "{" && Code(l) == "}") role_[size_t(b)] |= kSetBrace, role_[size_t(l)] |= kSetBrace;
        break;
      case ast::ExprKind::Unary:
        if (b >= 0 && e->unary_op == ast::UnaryOp::Neg && Code(b) == "-") role_[size_t(b)] |= kUnaryMinus;
        break;
      // Spaced as the tokens are: `f(x)`, `T { a: 1 }`, `x with { ... }`, `a.b`, `100 [tpp]` ...
      case ast::ExprKind::Error:
      case ast::ExprKind::Number:
      case ast::ExprKind::DurationLit:
      case ast::ExprKind::DateLit:
      case ast::ExprKind::StringLit:
      case ast::ExprKind::BoolLit:
      case ast::ExprKind::Name:
      case ast::ExprKind::Call:
      case ast::ExprKind::RecordLit:
      case ast::ExprKind::ListLit:
      case ast::ExprKind::Field:
      case ast::ExprKind::With:
      case ast::ExprKind::Binary:
      case ast::ExprKind::In:
      case ast::ExprKind::If:
      case ast::ExprKind::Quant:
      case ast::ExprKind::Index:
        if (!e->kids.empty() && e->kids[0]) {
          int last = CodeBefore(e->kids[0]->range.end);  // the list's last token; `[` follows it
          while (last >= 0 && size_t(last + 1) < code_.size() && Code(last + 1) == ")") ++last;
          if (last >= 0 && size_t(last + 1) < code_.size() && Code(last + 1) == "[") role_[size_t(last + 1)] |= kIndex;
        }
        break;
      case ast::ExprKind::ListOp:  // `[v for x in l where c]`, `sum(v for x in l)`, `argmax(x in l by k)`
      case ast::ExprKind::Match: break;
    }
    for (const auto& k : e->kids) Expr(k.get());
  }

  void Def(const ast::DefDecl& d) {
    if (!d.unit_param_ranges.empty()) {
      int first = CodeAt(d.unit_param_ranges.front().begin), last = CodeAt(d.unit_param_ranges.back().begin);
      if (first > 0 && Code(first - 1) == "<") role_[size_t(first - 1)] |= kUnitParams;
      if (last >= 0 && size_t(last + 1) < code_.size() && Code(last + 1) == ">") role_[size_t(last + 1)] |= kUnitParams;
    }
    Expr(d.body.get());
  }

  void Rule(const ast::RuleItem& r) {
    Expr(r.condition.get());
    Expr(r.outcome.get());
  }

  void Decision(const ast::DecisionDecl& d) {
    // A scope's decisions: only the rules and defaults are written; the scope's own decision,
    // the variables' lets, are made by the parser (parse/scopes.h).
    if (d.scope_entry) return;
    if (d.scope.empty())
      for (const auto& l : d.lets) Expr(l.value.get());
    for (const auto& r : d.rules) Rule(r);
    for (const auto& x : d.defaults) Expr(x.outcome.get());
    for (const auto& a : d.asserts) Expr(a.condition.get());
  }

  void Amend(const ast::AmendItem& i) {
    switch (i.kind) {
      case ast::AmendKind::ReplaceRule:
      case ast::AmendKind::AddRule: Rule(i.rule); break;
      case ast::AmendKind::AddLet: Expr(i.let.value.get()); break;
      case ast::AmendKind::ReplaceDefault: Expr(i.dflt.outcome.get()); break;
      case ast::AmendKind::AddAssert: Expr(i.assertion.condition.get()); break;
      case ast::AmendKind::RepealRule:
      case ast::AmendKind::RepealDefault:
      case ast::AmendKind::AddExceptions:
      case ast::AmendKind::RestoreRule: break;
    }
  }

  // --- Layout.

  uint32_t Breaks(uint32_t from, uint32_t to) const {
    return uint32_t(std::count(src_.begin() + from, src_.begin() + to, '\n'));
  }

  // The elements in output order: tokens and comments as in the source, but comments before a
  // token that never begins a line (`,` `;` `.` `:`) go after it.
  void Elements() {
    size_t c = 0;
    uint32_t prev_end = 0;
    for (int i = 0; i <= int(code_.size()); ++i) {
      uint32_t begin = size_t(i) < code_.size() ? code_[size_t(i)].begin : uint32_t(src_.size());
      std::vector<Element> before;
      for (; c < comments_.size() && comments_[c].begin < begin; ++c) {
        before.push_back({true, uint32_t(c), Breaks(prev_end, comments_[c].begin)});
        prev_end = comments_[c].end;
      }
      if (size_t(i) == code_.size()) {
        elements_.insert(elements_.end(), before.begin(), before.end());
        break;
      }
      element_of_.push_back(0);
      Element tok{false, uint32_t(i), Breaks(prev_end, begin)};
      prev_end = code_[size_t(i)].end;
      if (!before.empty() && NeverStartsLine(Code(i))) {
        tok.breaks = 0;
        element_of_.back() = elements_.size();
        elements_.push_back(tok);
        elements_.insert(elements_.end(), before.begin(), before.end());
      } else {
        elements_.insert(elements_.end(), before.begin(), before.end());
        element_of_.back() = elements_.size();
        elements_.push_back(tok);
      }
    }
  }

  // Which elements begin a line.
  void Decide() {
    starts_.assign(elements_.size(), false);
    for (size_t k = 0; k < elements_.size(); ++k) {
      const Element& x = elements_[k];
      if (k == 0) {
        starts_[k] = true;
      } else if (elements_[k - 1].comment && comments_[elements_[k - 1].index].kind == TK::LineComment) {
        starts_[k] = true;
      } else if (x.comment) {
        starts_[k] = x.breaks > 0;
      } else {
        int i = int(x.index);
        starts_[k] = (role_[size_t(i)] & kMandatory) || (!NeverStartsLine(Code(i)) && x.breaks > 0);
      }
    }
  }

  // The next code token from element k on, or -1.
  int NextCode(size_t k) const {
    for (; k < elements_.size(); ++k)
      if (!elements_[k].comment) return int(elements_[k].index);
    return -1;
  }
  // Whether the first code token after element k begins a line (a bracket opened at k is then
  // written as a block).
  bool NextCodeStartsLine(size_t k) const {
    for (++k; k < elements_.size(); ++k) {
      if (starts_[k]) return true;
      if (!elements_[k].comment) return false;
    }
    return true;
  }

  // The indentation of a line that element `comment`/token `t` begins.
  int Indent(bool comment, int t) const {
    const Frame& f = frames_.back();
    if (t < 0) return f.content;
    if (IsCloser(Code(t)) && f.open >= 0 && match_[size_t(t)] == f.open) return comment ? f.content : f.close;
    if (role_[size_t(t)] & kStmtStart) return f.content;
    // The labels after `exception to` line up under the first.
    if (!comment && in_labels_ && IsName(t)) return labels_column_;
    if (f.stmts && f.stmt_indent >= 0) return f.stmt_indent + (in_rule_ && !IsClause(Code(t)) ? 4 : 2);
    return f.content;
  }

  // A word that begins a clause of a rule: a line it begins is indented once, and a line that
  // goes on with the clause (a long condition) twice.
  static bool IsClause(std::string_view w) {
    return w == "cite" || w == "assuming" || w == "exception" || w == "when" || w == "then";
  }

  int Space(int a, int b) const {
    std::string_view x = Code(a), y = Code(b);
    uint16_t ra = role_[size_t(a)], rb = role_[size_t(b)];
    if (y == "," || y == ";" || y == ")" || y == "]" || y == "." || y == ":") return 0;
    if (x == "(" || x == "[" || x == ".") return 0;
    if (ra & kUnaryMinus) return y == "-" ? 1 : 0;           // `-5`, `- -5`
    if ((ra & kUnit) && (rb & kUnit) && x != "]") return 0;  // inside `[tpp/chip]`
    if (y == "[" && (rb & kIndex)) return 0;
    if (y == "[") return (rb & kUnit) && (x == "decimal" || x == "integer") ? 0 : 1;
    if (y == "(") return IsName(a) || (ra & kUnitParams) ? 0 : 1;
    if ((rb & kUnitParams) || ((ra & kUnitParams) && x == "<")) return 0;
    if (((ra & kSetBrace) && x == "{") || ((rb & kSetBrace) && y == "}")) return 0;
    if (x == "{" && y == "}") return 0;
    return 1;
  }

  void NewLine(int indent, bool blank) {
    lines_.push_back(Line{indent, "", "", blank, 0});
    column_ = indent;
  }
  void Append(std::string_view s) {
    lines_.back().text += s;
    size_t nl = s.rfind('\n');  // a block comment of several lines
    column_ = nl == std::string_view::npos ? column_ + Width(s) : Width(s.substr(nl + 1));
  }

  void Emit() {
    frames_ = {Frame{}};
    int prev = -1;              // the last code token written
    bool after_open = false;    // the last thing written is an opening bracket
    bool prev_comment = false;  // the last thing written is a comment
    for (size_t k = 0; k < elements_.size(); ++k) {
      const Element& x = elements_[k];
      int t = x.comment ? NextCode(k) : int(x.index);
      if (starts_[k]) {
        bool closer = !x.comment && IsCloser(Code(t));
        bool blank = !lines_.empty() && x.breaks >= 2 && !after_open && !closer;
        NewLine(Indent(x.comment, t), blank);
      } else if (!lines_.empty()) {
        if (x.comment && comments_[x.index].kind == TK::LineComment) {
          lines_.back().comment = std::string(Text(comments_[x.index]));
          prev_comment = true;
          continue;
        }
        Append(std::string(size_t(x.comment || prev_comment || prev < 0 ? 1 : Space(prev, t)), ' '));
      }
      if (x.comment) {
        Append(Text(comments_[x.index]));
        prev_comment = true;
        after_open = false;
        continue;
      }
      Write(t, prev);
      prev = t;
      prev_comment = false;
      after_open = IsOpener(Code(t));
    }
  }

  void Write(int t, int prev) {
    Frame& f = frames_.back();
    std::string_view s = Code(t);
    if (role_[size_t(t)] & kStmtStart) {
      f.stmt_indent = lines_.back().indent;
      in_rule_ = false;
    }
    // `rule`, `replace rule` or `restore rule` at the start of a statement.
    if (s == "rule" && prev >= 0 && ((role_[size_t(t)] & kStmtStart) || (role_[size_t(prev)] & kStmtStart)))
      in_rule_ = frames_.size() > 1;
    if (in_labels_ && !IsName(t) && s != ",") in_labels_ = false;
    if (want_labels_) {
      want_labels_ = false;
      in_labels_ = IsName(t);
      labels_column_ = column_;
    }
    if (s == "to" && prev >= 0 && Code(prev) == "exception") want_labels_ = true;
    Append(s);
    if (IsOpener(s)) {
      Frame g;
      g.open = t;
      if (role_[size_t(t)] & kStructOpen) {
        g.stmts = Code(BlockStart(t)) != "enum";
        g.content = f.stmt_indent + 2;
        g.close = f.stmt_indent;
      } else {
        g.stmts = false;
        size_t k = element_of_[size_t(t)];
        int next = NextCode(k + 1);
        if (NextCodeStartsLine(k) || next < 0) {
          g.content = lines_.back().indent + 2;
        } else {
          g.content = column_ + Space(t, next);
        }
        g.close = lines_.back().indent;
      }
      frames_.push_back(g);
    } else if (IsCloser(s) && frames_.size() > 1 && frames_.back().open == match_[size_t(t)]) {
      frames_.pop_back();
    }
  }

  // The first token of the declaration whose block opens at t.
  int BlockStart(int t) const {
    int i = t;
    while (i > 0 && !(role_[size_t(i)] & kStmtStart)) --i;
    return i;
  }

  // Comments ending consecutive lines start in one column, two spaces after the longest line.
  void AlignComments() {
    for (size_t i = 0; i < lines_.size();) {
      if (lines_[i].comment.empty()) {
        ++i;
        continue;
      }
      size_t j = i;
      int widest = 0;
      for (; j < lines_.size() && !lines_[j].comment.empty() && (j == i || !lines_[j].blank_before); ++j)
        widest = std::max(widest, lines_[j].indent + Width(lines_[j].text));
      for (size_t k = i; k < j; ++k) lines_[k].comment_column = widest + 2;
      i = j;
    }
  }

  std::string_view src_;
  std::vector<Token> code_, comments_;
  std::vector<uint16_t> role_;
  std::vector<int> match_;
  std::vector<int> unit_opens_;
  std::vector<Element> elements_;
  std::vector<size_t> element_of_;  // per code token, its element
  std::vector<bool> starts_;
  std::vector<Frame> frames_;
  std::vector<Line> lines_;
  int column_ = 0;
  bool want_labels_ = false, in_labels_ = false;
  bool in_rule_ = false;  // the current statement is a rule
  int labels_column_ = 0;
};

}  // namespace

std::optional<std::string> Format(const SourceManager& sources, uint32_t file_id, Diagnostics& diags) {
  Diagnostics parsed;
  ast::File tree = parse::Parse(sources, file_id, parsed);
  // What the parser finds wrong with the variables of a scope (parse/scopes.h) leaves the file
  // readable: it is laid out, and `edict check` reports the mistakes.
  if (parse::HasSyntaxError(parsed)) {
    for (const Diagnostic& d : parsed.all()) diags.Add(d.kind, d.range, d.message).notes = d.notes;
    return std::nullopt;
  }
  std::vector<Token> tokens = parse::Lex(sources, file_id);
  const std::string& text = sources.file(file_id).text;
  Formatter f(text, tokens);
  f.Roles(tree);
  std::string out = f.Run();
  // The layout changes white space only: the same tokens and comments, in the same order.
  SourceManager again;
  uint32_t id = again.Add(sources.file(file_id).path, out);
  std::vector<Token> after = parse::Lex(again, id);
  auto texts = [](const std::string& s, const std::vector<Token>& ts, bool comments) {
    std::vector<std::string_view> r;
    for (const Token& t : ts)
      if (IsComment(t) == comments) r.push_back(TokenText(s, t));
    return r;
  };
  const std::string& out_text = again.file(id).text;
  if (texts(text, tokens, false) != texts(out_text, after, false) ||
      texts(text, tokens, true) != texts(out_text, after, true))
    throw std::logic_error("the formatter changed a token of " + sources.file(file_id).path);
  return out;
}

std::optional<std::string> FormatLiterate(SourceManager& sources, uint32_t file_id, Diagnostics& diags) {
  const std::string md = sources.file(file_id).text;
  // The file's lines, each with its line break.
  std::vector<std::string_view> lines;
  std::vector<size_t> starts;
  for (size_t at = 0; at < md.size();) {
    size_t end = md.find('\n', at);
    end = end == std::string::npos ? md.size() : end + 1;
    starts.push_back(at);
    lines.push_back(std::string_view(md).substr(at, end - at));
    at = end;
  }
  // Every line that is not code becomes a comment naming it, so that the formatter, which keeps
  // comments on their lines and in their order, lays out the code of all blocks as one text and
  // says where each line of Markdown goes back. A code line keeps what stood before its code
  // (a block quote's `> `), given back to every line of its block.
  std::string mark_text = "//@edict-literate-line";
  while (md.find(mark_text) != std::string::npos) mark_text += '@';  // never a comment of the file
  mark_text += ':';
  const std::string_view kMark = mark_text;
  std::vector<literate::Span> spans = literate::CodeSpans(md);
  std::string code;
  std::vector<std::string_view> prefix;  // per line: the text before its code
  std::vector<bool> is_code;
  size_t s = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t line_end = starts[i] + lines[i].size();
    if (s < spans.size() && spans[s].begin >= starts[i] && spans[s].end <= line_end) {
      prefix.push_back(lines[i].substr(0, spans[s].begin - starts[i]));
      is_code.push_back(true);
      code += md.substr(spans[s].begin, spans[s].end - spans[s].begin);
      ++s;
    } else {
      prefix.push_back({});
      is_code.push_back(false);
      code += fmt::format("{}{}", kMark, i);
    }
    code += '\n';
  }
  uint32_t id = sources.Add(sources.file(file_id).path, code);
  std::optional<std::string> out = Format(sources, id, diags);
  if (!out) return std::nullopt;
  // Between the marks of lines a and b stand the formatted code lines of a+1 .. b-1 (a block's
  // contents, or several blocks' when no other line is between them).
  std::string result;
  size_t next = 0;  // the next line of the file that a mark must name
  // What stands before each code line of the block that starts at line j or after it.
  auto block_prefix = [&](size_t j) {
    while (j < lines.size() && !is_code[j]) ++j;
    return j < lines.size() ? prefix[j] : std::string_view();
  };
  std::string_view before = block_prefix(0);
  std::string_view rest = *out;
  while (!rest.empty()) {
    size_t n = rest.find('\n');
    std::string_view line = rest.substr(0, n == std::string_view::npos ? rest.size() : n);
    rest.remove_prefix(n == std::string_view::npos ? rest.size() : n + 1);
    std::string_view trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed.substr(0, kMark.size()) != kMark) {
      if (!line.empty()) result += before;
      result += line;
      result += '\n';
      continue;
    }
    size_t i = std::stoul(std::string(trimmed.substr(kMark.size())));
    while (next < i && is_code[next]) ++next;  // the code lines before it are the lines just written
    if (i != next || i >= lines.size())
      throw std::logic_error("the formatter moved the Markdown text of " + sources.file(file_id).path);
    result += lines[i];
    next = i + 1;
    before = block_prefix(next);
  }
  for (; next < lines.size(); ++next)
    if (!is_code[next]) throw std::logic_error("the formatter lost the Markdown text of " + sources.file(file_id).path);
  return result;
}

}  // namespace edict::format
