#include "compiler/parse/parse.h"

#include <antlr4-runtime.h>

#include <set>
#include <stdexcept>

#include "compiler/base/limits.h"
#include "compiler/parse/scopes.h"
#include "runtime/text.h"

#include "EdictLexer.h"
#include "EdictParser.h"

namespace edict::parse {
namespace {

using P = EdictParser;

// ANTLR positions count code points; diagnostics count bytes. Maps one to the other.
class OffsetMap {
 public:
  explicit OffsetMap(const std::string& text) {
    bool ascii = true;
    for (unsigned char c : text)
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii) return;
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) map_.push_back(i);
    map_.push_back(uint32_t(text.size()));
  }
  bool ascii() const { return map_.empty(); }
  uint32_t Byte(size_t cp) const {
    if (map_.empty()) return uint32_t(cp);
    return cp < map_.size() ? map_[cp] : map_.back();
  }

 private:
  std::vector<uint32_t> map_;
};

std::string Describe(const antlr4::Token* t, const antlr4::dfa::Vocabulary& voc) {
  if (t->getType() == antlr4::Token::EOF) return "the end of the file";
  std::string text = rt::Shorten(t->getText(), 60);  // a string token may be megabytes long
  switch (t->getType()) {
    case P::IDENT: return "`" + text + "`";
    case P::NUMBER: return "the number `" + text + "`";
    case P::PERCENT: return "the percentage `" + text + "`";
    case P::STRING: return "the string " + text;
    case P::DATE: return "the date `" + text + "`";
    case P::UNKNOWN_CHAR: return "the character `" + text + "`";
    default: break;
  }
  std::string sym = voc.getSymbolicName(t->getType());
  if (sym.rfind("KW_", 0) == 0) return "the keyword `" + text + "`";
  return "`" + text + "`";
}

std::string ExpectedName(size_t type, const antlr4::dfa::Vocabulary& voc) {
  switch (type) {
    case P::IDENT: return "a name";
    case P::NUMBER: return "a number";
    case P::PERCENT: return "a percentage";
    case P::STRING: return "a string";
    case P::DATE: return "a date";
    case antlr4::Token::EOF: return "the end of the file";
    default: break;
  }
  std::string lit = voc.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') lit = lit.substr(1, lit.size() - 2);
  return "`" + lit + "`";
}

std::string DescribeExpected(const antlr4::misc::IntervalSet& set, const antlr4::dfa::Vocabulary& voc) {
  std::vector<size_t> types;
  for (ssize_t t : set.toList()) types.push_back(size_t(t));
  std::set<size_t> s(types.begin(), types.end());
  bool expression = s.count(P::IDENT) && s.count(P::NUMBER) && s.count(P::KW_IF);
  bool declaration = s.count(P::KW_DECISION) && s.count(P::KW_RECORD);
  bool type = s.count(P::KW_DECIMAL) && s.count(P::KW_BOOL) && s.count(P::IDENT);
  if (declaration) return "a declaration (`unit`, `enum`, `record`, `const`, `def`, `decision`, `scope` or `test`)";
  if (type && !expression) return "a type";
  std::vector<std::string> parts;
  std::set<size_t> covered;
  // Words that may be names (`date`, `text` ...) are implied by "a name".
  if (s.count(P::IDENT))
    for (size_t t : {P::KW_DATE, P::KW_TEXT, P::KW_DAY, P::KW_MONTH, P::KW_YEAR, P::KW_DURATION, P::KW_UNIT,
                     P::KW_EXCEPTION, P::KW_IMPACT, P::KW_INVARIANT, P::KW_ASSUMPTION, P::KW_DESCRIBE, P::KW_TYPICAL,
                     P::KW_OPTIONAL, P::KW_BY, P::KW_SCOPE, P::KW_OUTPUT, P::KW_INTERNAL, P::KW_CONTEXT})
      covered.insert(t);
  if (expression) {
    parts.push_back("an expression");
    for (size_t t : {P::IDENT, P::NUMBER, P::PERCENT, P::KW_IF, P::DATE, P::STRING, P::KW_TRUE, P::KW_FALSE, P::KW_NOT,
                     P::KW_EXISTS, P::KW_ALL, P::KW_MATCH})
      covered.insert(t);
    // Every token that can start an expression is implied by "an expression".
    for (size_t t : types) {
      std::string lit = voc.getLiteralName(t);
      if (lit == "'('" || lit == "'{'" || lit == "'['" || lit == "'-'") covered.insert(t);
    }
  }
  // Binary operators that may continue an expression are noise in "expected" lists.
  static const std::set<std::string> kOps = {
      "'.'",   "'*'",  "'/'",  "'+'",   "'-'",     "'=='",    "'!='",    "'<'",   "'<='",   "'>'", "'>='",
      "'and'", "'or'", "'in'", "'not'", "'union'", "'inter'", "'minus'", "'mod'", "'with'", "'['", "'^'"};
  bool had_ops = false;
  for (size_t t : types) {
    if (covered.count(t)) continue;
    if (kOps.count(std::string(voc.getLiteralName(t))) && types.size() > 3) {
      had_ops = true;
      continue;
    }
    parts.push_back(ExpectedName(t, voc));
  }
  (void)had_ops;
  if (parts.empty()) return "something else";
  if (parts.size() > 6) parts.resize(6), parts.push_back("...");
  std::string r;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) r += i + 1 == parts.size() ? " or " : ", ";
    r += parts[i];
  }
  return r;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(uint32_t file, const std::string& text, const OffsetMap& map, Diagnostics& diags)
      : file_(file), text_(text), map_(map), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t,
                   const std::string& msg, std::exception_ptr) override {
    // One report per mistake: an error within a few tokens of the previous one is the recovery
    // cascade of the same mistake.
    size_t index = offending ? offending->getTokenIndex() : 0;
    if (reported_ && index <= last_index_ + 2) return;
    reported_ = true;
    last_index_ = index;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!parser || !offending) {
      diags_.Emit(DiagKind::SyntaxError, SourceRange{file_, 0, 1}, msg);
      return;
    }
    const auto& voc = parser->getVocabulary();
    SourceRange r{file_, map_.Byte(offending->getStartIndex()), map_.Byte(offending->getStopIndex() + 1)};
    if (offending->getType() == antlr4::Token::EOF) r.end = r.begin;
    std::string found = Describe(offending, voc);
    std::string message;
    bool beyond_ascii = false;
    for (char c : offending->getText()) beyond_ascii = beyond_ascii || static_cast<unsigned char>(c) >= 0x80;
    if (offending->getType() == P::UNKNOWN_CHAR) {
      message = "unexpected character `" + rt::Shorten(offending->getText(), 60) + "`";
    } else {
      std::string expected;
      try {
        expected = DescribeExpected(parser->getExpectedTokens(), voc);
      } catch (...) { expected = "something else"; }
      message = "expected " + expected + ", found " + found;
    }
    Diagnostic& d = diags_.Emit(DiagKind::SyntaxError, r, message);
    if (offending->getType() == P::UNKNOWN_CHAR && beyond_ascii)
      d.notes.push_back({SourceRange{},
                         "a name is letters of any script, digits and `_`, starting with a letter or `_`; this "
                         "character cannot be part of one"});
    if (offending->getType() == P::KW_RULE || offending->getType() == P::KW_DEFAULT ||
        offending->getType() == P::KW_LET || offending->getType() == P::KW_DECISION) {
      d.notes.push_back({SourceRange{}, "each item ends with `;`; is one missing before this?"});
    }
    // `250,000`: a comma between groups of thousands right after a number.
    if (offending->getText() == ",") {
      size_t begin = r.begin;
      while (begin > 0 && ((text_[begin - 1] >= '0' && text_[begin - 1] <= '9') || text_[begin - 1] == '_')) --begin;
      bool inside_word = begin > 0 && (std::isalnum(static_cast<unsigned char>(text_[begin - 1])) ||
                                       text_[begin - 1] == '.' || text_[begin - 1] == '_');
      std::string number = inside_word ? "" : CommaGroupedNumber(text_, begin, r.begin);
      if (!number.empty())
        d.notes.push_back({SourceRange{}, "digits are grouped with `_`, not `,`: write `" + number + "`"});
    }
  }

 private:
  uint32_t file_;
  const std::string& text_;
  const OffsetMap& map_;
  Diagnostics& diags_;
  bool reported_ = false;
  size_t last_index_ = 0;
};

std::string Unquote(const std::string& s) {
  std::string r;
  if (s.size() < 2) return r;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      r += c == 'n' ? '\n' : (c == 't' ? '\t' : c);
    } else {
      r += s[i];
    }
  }
  return r;
}

// Dispatch on the labelled alternative a parse-tree node is, without a chain of dynamic_casts
// (each one a walk of the class hierarchy comparing type names: most of the tree builder's time
// before). `Visit<A, B, C>(c, f)` calls f with c as the first of A, B, C that is its own class, or
// with c itself (a ParserRuleContext*) when none is. The type_info objects are compared by address
// (one per class in a program); by name only when no address is the same.
template <class... Alts>
int AltOf(const antlr4::ParserRuleContext* c) {
  static const std::type_info* const kAlts[] = {&typeid(Alts)...};
  const std::type_info& t = typeid(*c);
  for (size_t i = 0; i < sizeof...(Alts); ++i)
    if (kAlts[i] == &t) return int(i);
  for (size_t i = 0; i < sizeof...(Alts); ++i)
    if (*kAlts[i] == t) return int(i);
  return -1;
}

template <class F>
decltype(auto) VisitFrom(int, int, antlr4::ParserRuleContext* c, F& f) {
  return f(c);
}
template <class Alt, class... Alts, class F>
decltype(auto) VisitFrom(int alt, int i, antlr4::ParserRuleContext* c, F& f) {
  if (alt == i) return f(static_cast<Alt*>(c));
  return VisitFrom<Alts...>(alt, i + 1, c, f);
}
template <class... Alts, class F>
decltype(auto) Visit(antlr4::ParserRuleContext* c, F&& f) {
  return VisitFrom<Alts...>(AltOf<Alts...>(c), 0, c, f);
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

class Builder {
 public:
  Builder(uint32_t file, const OffsetMap& map, Diagnostics& diags) : file_(file), map_(map), diags_(diags) {}

  SourceRange R(antlr4::Token* t) const {
    if (!t) return SourceRange{file_, 0, 0};
    return SourceRange{file_, map_.Byte(t->getStartIndex()), map_.Byte(t->getStopIndex() + 1)};
  }
  SourceRange R(antlr4::tree::TerminalNode* n) const { return n ? R(n->getSymbol()) : SourceRange{file_, 0, 0}; }
  SourceRange R(antlr4::ParserRuleContext* c) const {
    if (!c || !c->getStart()) return SourceRange{file_, 0, 0};
    uint32_t b = map_.Byte(c->getStart()->getStartIndex());
    uint32_t e = b;
    if (c->getStop() && c->getStop()->getStopIndex() + 1 > c->getStart()->getStartIndex())
      e = map_.Byte(c->getStop()->getStopIndex() + 1);
    if (c->getStart()->getType() == antlr4::Token::EOF) e = b;
    return SourceRange{file_, b, e};
  }
  static std::string Text(antlr4::Token* t) { return t ? t->getText() : std::string(); }
  static std::string Text(antlr4::ParserRuleContext* c) { return c ? c->getText() : std::string(); }
  // A token the parser invented during recovery has no real text.
  static bool Missing(antlr4::Token* t) {
    return !t || t->getTokenIndex() == size_t(-1) || t->getText().rfind("<missing", 0) == 0;
  }

  std::optional<ast::Citation> Cite(P::CitationContext* c) {
    if (!c || !c->cite) return std::nullopt;
    ast::Citation ci;
    ci.cite = Unquote(c->cite->getText());
    if (c->note) ci.assumption = Unquote(c->note->getText());
    ci.range = R(c);
    return ci;
  }

  ast::UnitExpr Unit(P::UnitExprContext* u) {
    ast::UnitExpr ue;
    ue.range = R(u);
    if (!u) return ue;
    auto factors = u->unitFactor();
    for (size_t i = 0; i < factors.size(); ++i) {
      auto* f = factors[i];
      bool divide = i > 0 && i - 1 < u->unitOp.size() && u->unitOp[i - 1]->getText() == "/";
      if (f->IDENT()) {
        int power = 1;
        if (f->NUMBER()) power = std::atoi(f->NUMBER()->getText().c_str());
        ue.terms.push_back({f->IDENT()->getText(), divide ? -power : power, R(f)});
      }
      // A bare `1` (as in [1/chip]) contributes nothing.
    }
    return ue;
  }

  ast::TypeExpr Type(P::TypeContext* t) {
    ast::TypeExpr te;
    te.range = R(t);
    if (!t) return te;
    Visit<P::BoolTypeContext, P::IntegerTypeContext, P::DecimalTypeContext, P::DateTypeContext, P::DurationTypeContext,
          P::TextTypeContext, P::SetTypeContext, P::ListTypeContext, P::OptionalTypeContext, P::NamedTypeContext>(
        t, Overloaded{
               [&](P::BoolTypeContext*) { te.kind = ast::TypeKind::Bool; },
               [&](P::IntegerTypeContext* i) {
                 te.kind = ast::TypeKind::Integer;
                 if (i->unitAnnot()) te.unit = Unit(i->unitAnnot()->unitExpr());
               },
               [&](P::DecimalTypeContext* d) {
                 te.kind = ast::TypeKind::Decimal;
                 if (d->unitAnnot()) te.unit = Unit(d->unitAnnot()->unitExpr());
               },
               [&](P::DateTypeContext*) { te.kind = ast::TypeKind::Date; },
               [&](P::DurationTypeContext*) { te.kind = ast::TypeKind::Duration; },
               [&](P::TextTypeContext*) { te.kind = ast::TypeKind::Text; },
               [&](P::SetTypeContext* s) {
                 te.kind = ast::TypeKind::Set;
                 te.elem = std::make_unique<ast::TypeExpr>(Type(s->type()));
               },
               [&](P::ListTypeContext* l) {
                 te.kind = ast::TypeKind::List;
                 te.elem = std::make_unique<ast::TypeExpr>(Type(l->type()));
               },
               [&](P::OptionalTypeContext* o) {
                 te.kind = ast::TypeKind::Optional;
                 te.elem = std::make_unique<ast::TypeExpr>(Type(o->type()));
               },
               [&](P::NamedTypeContext* n) {
                 te.kind = ast::TypeKind::Named;
                 te.name = n->IDENT() ? n->IDENT()->getText() : "";
                 if (te.name.empty()) te.kind = ast::TypeKind::Error;
               },
               [&](antlr4::ParserRuleContext*) {},
           });
    return te;
  }

  ast::ExprPtr Node(ast::ExprKind k, antlr4::ParserRuleContext* c, std::string text = {}) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = k;
    e->range = R(c);
    e->text = std::move(text);
    return e;
  }

  // Operators of one precedence chain to the left (`a + b + c` is `(a + b) + c`), so a long chain
  // is a deep tree although the parser did not recurse: every pass after this one recurses over
  // it, so the depth is limited here too.
  ast::ExprPtr Expr(P::ExprContext* c) {
    if (depth_ >= limits::kMaxNestingDepth) {
      if (!too_deep_) {
        too_deep_ = true;
        Diagnostic& d = diags_.Emit(DiagKind::NestingTooDeep, R(c), "this expression", limits::kMaxNestingDepth);
        d.notes.push_back(
            {SourceRange{},
             "each operator of a chain such as `a + b + c` is one level; name parts of it with `let` or `def`"});
      }
      return Node(ast::ExprKind::Error, c);
    }
    ++depth_;
    ast::ExprPtr e = ExprAt(c);
    --depth_;
    return e;
  }

  ast::ExprPtr ExprAt(P::ExprContext* c) {
    if (!c) return Node(ast::ExprKind::Error, nullptr);
    using E = ast::ExprPtr;
    return Visit<P::PrimaryExprContext, P::FieldExprContext, P::IndexExprContext, P::WithExprContext, P::NegExprContext,
                 P::NotExprContext, P::MulExprContext, P::AddExprContext, P::SetOpExprContext, P::CmpExprContext,
                 P::AndExprContext, P::OrExprContext, P::InExprContext, P::IfExprContext, P::QuantExprContext>(
        c, Overloaded{
               [&](P::PrimaryExprContext* x) -> E { return Primary(x->primary()); },
               [&](P::FieldExprContext* x) -> E {
                 auto* fn = x->fieldName();
                 auto e = Node(ast::ExprKind::Field, c, fn ? fn->getText() : "");
                 e->kids.push_back(Expr(x->expr()));
                 if (fn) e->name_ranges.push_back(R(fn));
                 if (e->text.empty() || !fn || Missing(fn->getStart())) e->kind = ast::ExprKind::Error;
                 return e;
               },
               [&](P::IndexExprContext* x) -> E {
                 auto e = Node(ast::ExprKind::Index, c);
                 e->kids.push_back(Expr(x->expr(0)));
                 e->kids.push_back(Expr(x->index));
                 return e;
               },
               [&](P::WithExprContext* x) -> E {
                 auto e = Node(ast::ExprKind::With, c);
                 e->kids.push_back(Expr(x->expr()));
                 FieldInits(x->fieldInits(), e.get());
                 return e;
               },
               [&](P::NegExprContext* x) -> E { return Unary(c, ast::UnaryOp::Neg, x->expr()); },
               [&](P::NotExprContext* x) -> E { return Unary(c, ast::UnaryOp::Not, x->expr()); },
               [&](P::MulExprContext* x) -> E { return Binary(c, OpOf(x->op), x->expr(0), x->expr(1)); },
               [&](P::AddExprContext* x) -> E { return Binary(c, OpOf(x->op), x->expr(0), x->expr(1)); },
               [&](P::SetOpExprContext* x) -> E { return Binary(c, OpOf(x->op), x->expr(0), x->expr(1)); },
               [&](P::CmpExprContext* x) -> E { return Binary(c, OpOf(x->op), x->expr(0), x->expr(1)); },
               [&](P::AndExprContext* x) -> E { return Binary(c, ast::BinaryOp::And, x->expr(0), x->expr(1)); },
               [&](P::OrExprContext* x) -> E { return Binary(c, ast::BinaryOp::Or, x->expr(0), x->expr(1)); },
               [&](P::InExprContext* x) -> E {
                 auto e = Node(ast::ExprKind::In, c);
                 e->membership_op = x->KW_NOT() ? ast::MembershipOp::NotIn : ast::MembershipOp::In;
                 e->kids.push_back(Expr(x->expr(0)));
                 e->kids.push_back(Expr(x->expr(1)));
                 return e;
               },
               [&](P::IfExprContext* x) -> E {
                 auto e = Node(ast::ExprKind::If, c);
                 for (int i = 0; i < 3; ++i) e->kids.push_back(Expr(x->expr(size_t(i))));
                 return e;
               },
               [&](P::QuantExprContext* x) -> E {
                 auto e = Node(ast::ExprKind::Quant, c);
                 e->quantifier = QuantifierOf(x->quant);
                 e->names.push_back(x->IDENT() ? x->IDENT()->getText() : "");
                 e->name_ranges.push_back(R(x->IDENT()));
                 e->kids.push_back(Expr(x->expr(0)));
                 e->kids.push_back(Expr(x->expr(1)));
                 return e;
               },
               [&](antlr4::ParserRuleContext*) -> E { return Node(ast::ExprKind::Error, c); },
           });
  }

  ast::ExprPtr Unary(P::ExprContext* c, ast::UnaryOp op, P::ExprContext* operand) {
    auto e = Node(ast::ExprKind::Unary, c);
    e->unary_op = op;
    e->kids.push_back(Expr(operand));
    return e;
  }
  ast::ExprPtr Binary(P::ExprContext* c, ast::BinaryOp op, P::ExprContext* l, P::ExprContext* r) {
    auto e = Node(ast::ExprKind::Binary, c);
    e->binary_op = op;
    e->kids.push_back(Expr(l));
    e->kids.push_back(Expr(r));
    return e;
  }

  // The operator of an operator token. The grammar only reaches an operator alternative on
  // seeing its token, so the token is always one of operators.def: anything else is a grammar
  // operator missing there, an internal error.
  static ast::BinaryOp OpOf(antlr4::Token* t) {
    if (auto op = ast::BinaryOpSpelled(Text(t))) return *op;
    throw std::logic_error("the parser read the operator `" + rt::Shorten(Text(t), 60) +
                           "`, which compiler/ast/operators.def lacks");
  }
  static ast::Quantifier QuantifierOf(antlr4::Token* t) {
    if (auto q = ast::QuantifierSpelled(Text(t))) return *q;
    throw std::logic_error("the parser read the quantifier `" + rt::Shorten(Text(t), 60) +
                           "`, which compiler/ast/operators.def lacks");
  }

  // An operation over a list (ExprKind::ListOp): kids[0] the list, then the parts written, each
  // named in names (names[0] is the bound variable).
  ast::ExprPtr ListOp(antlr4::ParserRuleContext* c, const std::string& op, P::SoftNameContext* var,
                      P::ExprContext* list, P::ExprContext* value, P::ExprContext* cond, P::ExprContext* key) {
    auto e = Node(ast::ExprKind::ListOp, c, op);
    e->list_op = ast::ListOpSpelled(op);
    if (!var || Missing(var->getStart())) return Node(ast::ExprKind::Error, c);
    e->names.push_back(var->getText());
    e->name_ranges.push_back(R(var));
    e->kids.push_back(Expr(list));
    auto part = [&](const char* name, P::ExprContext* x) {
      if (!x) return;
      e->names.push_back(name);
      e->name_ranges.push_back(R(x));
      e->kids.push_back(Expr(x));
    };
    part("value", value);
    part("where", cond);
    part("by", key);
    return e;
  }

  void FieldInits(P::FieldInitsContext* fi, ast::Expr* e) {
    if (!fi) return;
    for (auto* f : fi->fieldInit()) {
      e->names.push_back(f->name ? f->name->getText() : "");
      e->name_ranges.push_back(R(f->name));
      if (f->exception) e->kind = ast::ExprKind::Error;
      e->kids.push_back(Expr(f->expr()));
    }
  }

  ast::ExprPtr Primary(P::PrimaryContext* c) {
    if (!c) return Node(ast::ExprKind::Error, nullptr);
    using E = ast::ExprPtr;
    auto call = [&](ast::ExprPtr e, P::ArgsContext* args) -> E {
      if (args) {
        for (auto* a : args->arg()) {
          e->names.push_back(a->name ? a->name->getText() : "");
          e->kids.push_back(Expr(a->expr()));
        }
      }
      return e;
    };
    return Visit<P::NumberLitContext, P::PercentLitContext, P::DurationLitContext, P::DateLitContext,
                 P::StringLitContext, P::BoolLitContext, P::CallLitContext, P::QualifiedCallLitContext,
                 P::RecordLitContext, P::NameLitContext, P::SetLitContext, P::ListLitContext,
                 P::ComprehensionLitContext, P::AggregateLitContext, P::SelectLitContext, P::ParenLitContext,
                 P::MatchLitContext>(
        c, Overloaded{
               [&](P::NumberLitContext* x) -> E {
                 auto e = Node(ast::ExprKind::Number, c, x->NUMBER()->getText());
                 if (x->unitAnnot()) e->unit = Unit(x->unitAnnot()->unitExpr());
                 return e;
               },
               // `40%`: a Number node whose text keeps the `%` (the checker divides by 100, exactly).
               [&](P::PercentLitContext* x) -> E { return Node(ast::ExprKind::Number, c, x->PERCENT()->getText()); },
               [&](P::DurationLitContext* x) -> E {
                 auto e =
                     Node(ast::ExprKind::DurationLit, c, x->durationUnit() ? x->durationUnit()->getText() : "days");
                 auto n = std::make_unique<ast::Expr>();
                 n->kind = ast::ExprKind::Number;
                 n->text = x->NUMBER()->getText();
                 n->range = R(x->NUMBER());
                 e->kids.push_back(std::move(n));
                 return e;
               },
               [&](P::DateLitContext*) -> E { return Node(ast::ExprKind::DateLit, c, c->getText()); },
               [&](P::StringLitContext* x) -> E {
                 return Node(ast::ExprKind::StringLit, c, Unquote(x->STRING()->getText()));
               },
               [&](P::BoolLitContext*) -> E { return Node(ast::ExprKind::BoolLit, c, c->getText()); },
               [&](P::CallLitContext* x) -> E {
                 auto e = Node(ast::ExprKind::Call, c, x->IDENT()->getText());
                 e->name_ranges.push_back(R(x->IDENT()));
                 return call(std::move(e), x->args());
               },
               [&](P::QualifiedCallLitContext* x) -> E {
                 // `r0.licence(s)`: a call of a declaration of an earlier version; text is "r0.licence".
                 auto e = Node(ast::ExprKind::Call, c,
                               Text(x->qual) + "." + (x->IDENT().size() > 1 ? x->IDENT(1)->getText() : ""));
                 e->name_ranges.push_back(R(c));
                 return call(std::move(e), x->args());
               },
               [&](P::RecordLitContext* x) -> E {
                 auto e = Node(ast::ExprKind::RecordLit, c, x->IDENT()->getText());
                 SourceRange type_range = R(x->IDENT());
                 FieldInits(x->fieldInits(), e.get());
                 e->name_ranges.insert(e->name_ranges.begin(), type_range);  // name_ranges[0]: the type name
                 return e;
               },
               [&](P::NameLitContext* x) -> E {
                 if (!x->softName() || Missing(x->softName()->getStart())) return Node(ast::ExprKind::Error, c);
                 return Node(ast::ExprKind::Name, c, x->softName()->getText());
               },
               [&](P::SetLitContext* x) -> E {
                 auto e = Node(ast::ExprKind::SetLit, c);
                 for (auto* k : x->expr()) e->kids.push_back(Expr(k));
                 return e;
               },
               [&](P::ListLitContext* x) -> E {
                 auto e = Node(ast::ExprKind::ListLit, c);
                 for (auto* k : x->expr()) e->kids.push_back(Expr(k));
                 return e;
               },
               [&](P::ComprehensionLitContext* x) -> E {
                 return ListOp(c, ast::Spelling(ast::ListOp::Map), x->var, x->list, x->value, x->cond, nullptr);
               },
               [&](P::AggregateLitContext* x) -> E {
                 return ListOp(c, Text(x->op), x->var, x->list, x->value, x->cond, nullptr);
               },
               [&](P::SelectLitContext* x) -> E {
                 return ListOp(c, Text(x->op), x->var, x->list, nullptr, x->cond, x->key);
               },
               [&](P::ParenLitContext* x) -> E {
                 auto e = Expr(x->expr());
                 e->range = R(c);
                 return e;
               },
               [&](P::MatchLitContext* x) -> E { return Match(x); },
               [&](antlr4::ParserRuleContext*) -> E { return Node(ast::ExprKind::Error, c); },
           });
  }

  // `match e { when a or b(x) then ..., else ... }`: kids[0] is e, kids[i + 1] arm i's value.
  ast::ExprPtr Match(P::MatchLitContext* c) {
    auto e = Node(ast::ExprKind::Match, c);
    e->kids.push_back(Expr(c->expr()));
    for (auto* a : c->matchArm()) {
      ast::MatchArm arm;
      arm.range = R(a);
      if (auto* w = dynamic_cast<P::WhenArmContext*>(a)) {
        for (auto* p : w->matchPattern()) {
          ast::MatchPattern mp;
          mp.range = R(p);
          if (p->qual) mp.qualifier = Text(p->qual);
          if (Missing(p->member)) {
            e->kind = ast::ExprKind::Error;
            continue;
          }
          mp.member = Text(p->member);
          mp.member_range = R(p->member);
          if (p->binder) {
            if (Missing(p->binder->getStart())) e->kind = ast::ExprKind::Error;
            mp.binder = p->binder->getText();
            mp.binder_range = R(p->binder);
          }
          arm.patterns.push_back(std::move(mp));
        }
        e->kids.push_back(Expr(w->expr()));
      } else if (auto* el = dynamic_cast<P::ElseArmContext*>(a)) {
        arm.is_else = true;
        e->kids.push_back(Expr(el->expr()));
      } else {
        e->kind = ast::ExprKind::Error;
        continue;
      }
      e->arms.push_back(std::move(arm));
    }
    return e;
  }

  std::vector<ast::Param> Params(P::ParamsContext* ps) {
    std::vector<ast::Param> out;
    if (!ps) return out;
    for (auto* p : ps->param()) out.push_back(ast::Param{Text(p->name), Type(p->type()), R(p)});
    return out;
  }

  ast::LetItem Let(P::LetItemContext* l) {
    ast::LetItem li;
    li.name = Text(l->name);
    if (l->type()) li.type = Type(l->type());
    li.value = Expr(l->expr());
    li.range = R(l);
    li.name_range = R(l->name);
    return li;
  }

  ast::RuleItem Rule(P::RuleItemContext* ru) {
    ast::RuleItem ri;
    ri.name = Text(ru->name);
    ri.citation = Cite(ru->citation());
    if (auto* ex = ru->exceptionTo()) {
      for (auto* id : ex->IDENT()) {
        ri.exception_to.push_back(id->getText());
        ri.exception_ranges.push_back(R(id));
      }
    }
    if (ru->cond) ri.condition = Expr(ru->cond);
    ri.outcome = Expr(ru->outcome);
    ri.range = R(ru);
    ri.name_range = R(ru->name);
    return ri;
  }

  ast::DefaultItem Default(P::DefaultItemContext* de) { return {Cite(de->citation()), Expr(de->expr()), R(de)}; }

  ast::AssertItem Assert(P::AssertItemContext* as) {
    return {Expr(as->cond), as->doc ? Unquote(as->doc->getText()) : "", Cite(as->citation()), R(as)};
  }

  ast::DefDecl Def(P::DefDeclContext* df) {
    ast::DefDecl d;
    d.name = Text(df->name);
    if (auto* up = df->unitParams())
      for (auto* id : up->IDENT()) {
        d.unit_params.push_back(id->getText());
        d.unit_param_ranges.push_back(R(id));
      }
    d.params = Params(df->params());
    d.result = Type(df->type());
    d.body = Expr(df->expr());
    d.citation = Cite(df->citation());
    d.range = R(df);
    d.name_range = R(df->name);
    return d;
  }

  ast::DecisionDecl Decision(P::DecisionDeclContext* dc) {
    ast::DecisionDecl dd;
    dd.name = Text(dc->name);
    dd.params = Params(dc->params());
    dd.result = Type(dc->type());
    dd.citation = Cite(dc->citation());
    dd.range = R(dc);
    dd.name_range = R(dc->name);
    for (auto* item : dc->decisionItem()) {
      if (auto* l = item->letItem())
        dd.lets.push_back(Let(l));
      else if (auto* ru = item->ruleItem())
        dd.rules.push_back(Rule(ru));
      else if (auto* de = item->defaultItem())
        dd.defaults.push_back(Default(de));
      else if (auto* as = item->assertItem())
        dd.asserts.push_back(Assert(as));
    }
    return dd;
  }

  ast::ScopeDecl Scope(P::ScopeDeclContext* sd) {
    ast::ScopeDecl sc;
    sc.name = Text(sd->name);
    sc.params = Params(sd->params());
    sc.citation = Cite(sd->citation());
    sc.range = R(sd);
    sc.name_range = R(sd->name);
    for (auto* item : sd->scopeItem()) {
      if (auto* v = item->scopeVar()) {
        if (!v->name || Missing(v->name->getStart()) || !v->role) continue;  // a syntax error, already reported
        ast::ScopeVar var;
        var.name = Text(v->name);
        var.doc = v->doc ? Unquote(v->doc->getText()) : "";
        var.type = Type(v->type());
        var.output = v->role->getType() == P::KW_OUTPUT;
        var.context = v->context != nullptr;
        var.range = R(v);
        var.name_range = R(v->name);
        sc.vars.push_back(std::move(var));
      } else if (auto* ru = item->scopeRule()) {
        if (!ru->var || Missing(ru->var->getStart()) || !ru->name || Missing(ru->name)) continue;
        ast::ScopeRule r;
        r.var = Text(ru->var);
        r.var_range = R(ru->var);
        r.rule.name = Text(ru->name);
        r.rule.citation = Cite(ru->citation());
        if (auto* ex = ru->exceptionTo()) {
          for (auto* id : ex->IDENT()) {
            r.rule.exception_to.push_back(id->getText());
            r.rule.exception_ranges.push_back(R(id));
          }
        }
        if (ru->cond) r.rule.condition = Expr(ru->cond);
        r.rule.outcome = Expr(ru->outcome);
        r.rule.range = R(ru);
        r.rule.name_range = R(ru->name);
        sc.rules.push_back(std::move(r));
      } else if (auto* de = item->scopeDefault()) {
        if (!de->var || Missing(de->var->getStart())) continue;
        ast::ScopeRule r;
        r.var = Text(de->var);
        r.var_range = R(de->var);
        r.is_default = true;
        r.dflt = {Cite(de->citation()), Expr(de->outcome), R(de)};
        sc.rules.push_back(std::move(r));
      } else if (auto* as = item->assertItem()) {
        sc.asserts.push_back(Assert(as));
      }
    }
    return sc;
  }

  ast::File Build(P::FileContext* f, uint32_t file_id) {
    ast::File out;
    out.file_id = file_id;
    if (auto* h = f->header()) {
      ast::Header hd;
      hd.name = Text(h->name);
      hd.range = R(h);
      for (auto* hf : h->headerField()) {
        ast::HeaderField fld;
        fld.key = Text(hf->key);
        fld.key_range = R(hf->key);
        fld.range = R(hf);
        if (hf->literal()) {
          fld.is_string = hf->literal()->STRING() != nullptr;
          fld.value = fld.is_string ? Unquote(hf->literal()->getText()) : hf->literal()->getText();
        }
        if (fld.key == "amends") {
          out.amends = fld.value;
          out.amends_range = fld.range;
        }
        hd.fields.push_back(std::move(fld));
      }
      out.header = std::move(hd);
    }
    for (auto* im : f->importDecl()) {
      ast::Import i;
      i.range = R(im);
      if (im->STRING()) {
        i.is_path = true;
        i.module = Unquote(im->STRING()->getText());
      } else if (im->modulePath()) {
        i.module = im->modulePath()->getText();
      }
      if (i.is_path || !i.module.empty())
        out.imports.push_back(std::move(i));  // `import "";` is reported by the loader
    }
    for (auto* d : f->decl()) {
      if (auto* u = d->unitDecl()) {
        out.units.push_back({Text(u->name), u->doc ? Unquote(u->doc->getText()) : "", R(u), R(u->name)});
      } else if (auto* e = d->enumDecl()) {
        ast::EnumDecl ed{Text(e->name), e->doc ? Unquote(e->doc->getText()) : "", {}, R(e), R(e->name)};
        for (auto* m : e->enumMember()) {
          if (Missing(m->name)) continue;
          ed.members.push_back({Text(m->name), m->doc ? Unquote(m->doc->getText()) : "", R(m), std::nullopt});
          if (m->payload) ed.members.back().payload = Type(m->payload);
        }
        out.enums.push_back(std::move(ed));
      } else if (auto* r = d->recordDecl()) {
        ast::RecordDecl rd{Text(r->name), r->doc ? Unquote(r->doc->getText()) : "", {}, R(r), R(r->name)};
        rd.incomplete = r->exception != nullptr;
        for (auto* fd : r->fieldDecl()) {
          if (fd->exception || !fd->name || Missing(fd->name->getStart())) {
            rd.incomplete = true;
            continue;
          }
          rd.fields.push_back({fd->name->getText(), fd->doc ? Unquote(fd->doc->getText()) : "", Type(fd->type()), R(fd),
                               fd->where ? Expr(fd->where) : nullptr, fd->dflt ? Expr(fd->dflt) : nullptr});
        }
        out.records.push_back(std::move(rd));
      } else if (auto* c = d->constDecl()) {
        out.consts.push_back({Text(c->name), Type(c->type()), true, Expr(c->expr()), Cite(c->citation()), R(c),
                              R(c->name), c->typical != nullptr});
      } else if (auto* df = d->defDecl()) {
        out.defs.push_back(Def(df));
      } else if (auto* ds = d->describeDecl()) {
        if (!ds->name || Missing(ds->name) || !ds->text) continue;  // a syntax error, already reported
        out.describes.push_back({Text(ds->name), Unquote(ds->text->getText()), R(ds), R(ds->name), R(ds->text)});
      } else if (auto* iv = d->invariantDecl()) {
        if (!iv->name || Missing(iv->name) || !iv->param() || !iv->param()->name || !iv->cond)
          continue;  // a syntax error, already reported
        ast::DefDecl def;
        def.name = Text(iv->name);
        auto* p = iv->param();
        def.params.push_back(ast::Param{Text(p->name), Type(p->type()), R(p)});
        def.result.kind = ast::TypeKind::Bool;
        def.result.range = R(iv->name);
        def.body = Expr(iv->cond);
        def.citation = Cite(iv->citation());
        def.range = R(iv);
        def.name_range = R(iv->name);
        out.invariants.push_back({def.name, iv->doc ? Unquote(iv->doc->getText()) : "",
                                  iv->kind->getType() == P::KW_ASSUMPTION, uint32_t(out.defs.size()), R(iv),
                                  R(iv->name)});
        out.defs.push_back(std::move(def));
      } else if (auto* dc = d->decisionDecl()) {
        out.decisions.push_back(Decision(dc));
      } else if (auto* sd = d->scopeDecl()) {
        if (!sd->name || Missing(sd->name)) continue;  // a syntax error, already reported
        ExpandScope(Scope(sd), out, diags_);
      } else if (auto* am = d->amendDecl()) {
        ast::AmendDecision ad{Text(am->name), Cite(am->citation()), {}, R(am), R(am->name)};
        for (auto* it : am->amendItem()) {
          ast::AmendItem ai;
          ai.range = R(it);
          if (auto* x = dynamic_cast<P::RepealRuleContext*>(it)) {
            ai.kind = ast::AmendKind::RepealRule;
            ai.target = Text(x->target);
            ai.target_range = R(x->target);
            ai.citation = Cite(x->citation());
          } else if (auto* x = dynamic_cast<P::ReplaceRuleContext*>(it)) {
            ai.kind = ast::AmendKind::ReplaceRule;
            ai.rule = Rule(x->ruleItem());
            ai.target = ai.rule.name;
            ai.target_range = ai.rule.name_range;
          } else if (auto* x = dynamic_cast<P::AddRuleContext*>(it)) {
            ai.kind = ast::AmendKind::AddRule;
            ai.rule = Rule(x->ruleItem());
            ai.target = ai.rule.name;
            ai.target_range = ai.rule.name_range;
          } else if (auto* x = dynamic_cast<P::AddLetContext*>(it)) {
            ai.kind = ast::AmendKind::AddLet;
            ai.let = Let(x->letItem());
            ai.target = ai.let.name;
            ai.target_range = ai.let.name_range;
          } else if (auto* x = dynamic_cast<P::AddAssertContext*>(it)) {
            ai.kind = ast::AmendKind::AddAssert;
            ai.assertion = Assert(x->assertItem());
          } else if (auto* x = dynamic_cast<P::ReplaceDefaultContext*>(it)) {
            ai.kind = ast::AmendKind::ReplaceDefault;
            ai.dflt = Default(x->defaultItem());
          } else if (auto* x = dynamic_cast<P::AddExceptionsContext*>(it)) {
            ai.kind = ast::AmendKind::AddExceptions;
            ai.target = Text(x->target);
            ai.target_range = R(x->target);
            ai.citation = Cite(x->citation());
            for (auto* id : x->exceptionTo()->IDENT()) {
              ai.rule.exception_to.push_back(id->getText());
              ai.rule.exception_ranges.push_back(R(id));
            }
          } else if (auto* x = dynamic_cast<P::RestoreRuleContext*>(it)) {
            ai.kind = ast::AmendKind::RestoreRule;
            ai.target = Text(x->target);
            ai.target_range = R(x->target);
            ai.from = Text(x->from);
            ai.from_range = R(x->from);
            ai.citation = Cite(x->citation());
            if (auto* ex = x->exceptionTo()) {
              ai.exceptions_given = true;
              for (auto* id : ex->IDENT()) {
                ai.rule.exception_to.push_back(id->getText());
                ai.rule.exception_ranges.push_back(R(id));
              }
            }
            if (ai.from.empty()) continue;  // a syntax error, already reported
          } else if (auto* x = dynamic_cast<P::RepealDefaultContext*>(it)) {
            ai.kind = ast::AmendKind::RepealDefault;
            ai.citation = Cite(x->citation());
          } else {
            continue;
          }
          if (ai.target.empty() && (ai.kind == ast::AmendKind::RepealRule || ai.kind == ast::AmendKind::ReplaceRule ||
                                    ai.kind == ast::AmendKind::AddRule || ai.kind == ast::AmendKind::AddExceptions ||
                                    ai.kind == ast::AmendKind::RestoreRule))
            continue;  // a syntax error, already reported
          ad.items.push_back(std::move(ai));
        }
        out.amendments.push_back(std::move(ad));
      } else if (auto* im = d->impactDecl()) {
        ast::ImpactDecl id;
        id.type = Text(im->name);
        id.range = R(im);
        id.name_range = R(im->name);
        auto order = [&](P::ImpactOrderContext* o, ast::ImpactItem& item) {
          if (!o) return;
          for (auto* v : o->impactValue()) {
            item.order.push_back(v->getText());
            item.order_ranges.push_back(R(v));
          }
        };
        if (im->impactOrder()) {
          id.whole = true;
          ast::ImpactItem item;
          item.role = "verdict";
          item.role_range = item.range = R(im);
          order(im->impactOrder(), item);
          id.items.push_back(std::move(item));
        }
        for (auto* it : im->impactItem()) {
          if (it->exception || !it->role || Missing(it->role)) continue;  // a syntax error, already reported
          ast::ImpactItem item;
          item.role = Text(it->role);
          item.role_range = R(it->role);
          item.range = R(it);
          for (auto* fn : it->fieldName()) {
            item.fields.push_back(fn->getText());
            item.field_ranges.push_back(R(fn));
          }
          order(it->impactOrder(), item);
          id.items.push_back(std::move(item));
        }
        if (!id.type.empty()) out.impacts.push_back(std::move(id));
      } else if (auto* rs = d->restoreDecl()) {
        ast::RestoreDecision r{Text(rs->name), Text(rs->from), Text(rs->alias), Cite(rs->citation()),
                               R(rs),          R(rs->name),    R(rs->from)};
        if (!r.name.empty() && !r.from.empty()) out.restores.push_back(std::move(r));
      } else if (auto* rp = d->replaceDecl()) {
        if (auto* x = dynamic_cast<P::ReplaceConstContext*>(rp)) {
          ast::ConstDecl cd{Text(x->name),
                            x->type() ? Type(x->type()) : ast::TypeExpr{},
                            x->type() != nullptr,
                            Expr(x->expr()),
                            Cite(x->citation()),
                            R(rp),
                            R(x->name)};
          out.replaced_consts.push_back(std::move(cd));
        } else if (auto* x = dynamic_cast<P::ReplaceDefContext*>(rp)) {
          out.replaced_defs.push_back(Def(x->defDecl()));
        } else if (auto* x = dynamic_cast<P::ReplaceDecisionContext*>(rp)) {
          out.replaced_decisions.push_back(Decision(x->decisionDecl()));
        }
      } else if (auto* t = d->testDecl()) {
        ast::TestDecl td{Text(t->name), {}, R(t), R(t->name)};
        for (auto* s : t->testStmt()) {
          ast::TestStmt ts;
          ts.range = R(s);
          if (s->letItem()) {
            ts.is_let = true;
            ts.let = Let(s->letItem());
          } else {
            ts.assertion = Expr(s->expr());
            if (s->errorKind) {
              ts.fails_with = Text(s->errorKind);
              ts.fails_range = R(s->errorKind);
            }
          }
          td.stmts.push_back(std::move(ts));
        }
        out.tests.push_back(std::move(td));
      }
    }
    return out;
  }

 private:
  uint32_t file_;
  const OffsetMap& map_;
  Diagnostics& diags_;
  uint32_t depth_ = 0;     // Expr calls in progress
  bool too_deep_ = false;  // NestingTooDeep reported (once per file)
};

// Replaces each byte that is not part of valid UTF-8 by `?` (one byte for one, so that offsets
// are unchanged) and reports the first one.
std::string ValidUtf8(const std::string& text, uint32_t file, Diagnostics& diags) {
  std::string out = text;
  bool reported = false;
  for (size_t i = 0; i < out.size();) {
    size_t n = rt::Utf8Length(out, i);
    if (n) {
      i += n;
      continue;
    }
    if (!reported) {
      diags.Emit(DiagKind::InvalidEncoding, SourceRange{file, uint32_t(i), uint32_t(i + 1)},
                 static_cast<unsigned char>(out[i]));
      reported = true;
    }
    out[i++] = '?';
  }
  return out;
}

// Names are compared in Unicode Normalization Form C: a name whose letters are decomposed (`e`
// and a combining accent, as text pasted from some PDFs has it) is the same name as its composed
// spelling. The lexer rewrites each such token's text; its position in the source is unchanged.
class NfcLexer : public EdictLexer {
 public:
  // `ascii`: the text is all ASCII, so every name is already in NFC (and is not copied to see).
  NfcLexer(antlr4::CharStream* input, bool ascii) : EdictLexer(input), ascii_(ascii) {}
  std::unique_ptr<antlr4::Token> nextToken() override {
    std::unique_ptr<antlr4::Token> t = EdictLexer::nextToken();
    if (!ascii_ && t && t->getType() == IDENT) {
      std::string text = t->getText();
      std::string nfc = rt::Nfc(text);
      if (nfc != text)
        if (auto* ct = dynamic_cast<antlr4::CommonToken*>(t.get())) ct->setText(nfc);
    }
    return t;
  }

 private:
  bool ascii_;
};

// The generated parser recurses once or more per nested construct, so nesting deep enough
// would overflow the stack. This parser counts the expressions being parsed (each one a call of
// the left-recursive `expr` rule, paired with its unrolling) and the types that enclose a type,
// and stops at limits::kMaxNestingDepth.
class DepthLimitedParser : public EdictParser {
 public:
  struct TooDeep {
    antlr4::Token* token;
    bool type;
  };
  using EdictParser::EdictParser;

  // Before parsing the same tokens again: no expression is being parsed.
  void reset() override {
    EdictParser::reset();
    exprs_ = 0;
  }

  void enterRecursionRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule, int precedence) override {
    EdictParser::enterRecursionRule(ctx, state, rule, precedence);
    if (++exprs_ > limits::kMaxNestingDepth) throw TooDeep{getCurrentToken(), false};
  }
  void unrollRecursionContexts(antlr4::ParserRuleContext* parent) override {
    --exprs_;
    EdictParser::unrollRecursionContexts(parent);
  }
  // Types nest through an ordinary rule: count the types enclosing this one (a walk bounded by
  // the limit, since deeper is refused).
  void enterRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule) override {
    EdictParser::enterRule(ctx, state, rule);
    if (rule != RuleType) return;
    uint32_t types = 0;
    // The parent of a context the parser made is a context it made: no dynamic_cast is needed.
    for (antlr4::tree::ParseTree* c = ctx; c; c = c->parent)
      if (static_cast<antlr4::ParserRuleContext*>(c)->getRuleIndex() == RuleType)
        if (++types > limits::kMaxNestingDepth) throw TooDeep{getCurrentToken(), true};
  }

 private:
  uint32_t exprs_ = 0;  // calls of `expr` in progress
};

}  // namespace

ast::File Parse(const SourceManager& sources, uint32_t file_id, Diagnostics& diags) {
  const std::string text = ValidUtf8(sources.file(file_id).text, file_id, diags);
  OffsetMap map(text);
  antlr4::ANTLRInputStream input(text);
  NfcLexer lexer(&input, map.ascii());
  lexer.removeErrorListeners();  // unknown characters become UNKNOWN_CHAR tokens instead
  antlr4::CommonTokenStream tokens(&lexer);
  DepthLimitedParser parser(&tokens);
  parser.removeErrorListeners();
  P::FileContext* tree = nullptr;
  // Two stages (ANTLR's recipe): first the faster SLL prediction, giving up at the first syntax
  // error or ambiguity it cannot decide; a text it parses is parsed as full LL would parse it.
  // Otherwise the text is parsed again from its first token with full LL prediction and the
  // error recovery that reports each mistake, exactly as if the first stage had not been tried.
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) { tree = nullptr; } catch (const DepthLimitedParser::TooDeep&) {
    tree = nullptr;  // reported by the second stage, after the syntax errors before it
  }
  ErrorListener listener(file_id, text, map, diags);
  try {
    if (!tree) {
      parser.reset();  // rewinds the token stream too: the tokens are not read again
      parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
      parser.addErrorListener(&listener);
      tree = parser.file();
    }
  } catch (const DepthLimitedParser::TooDeep& deep) {
    // Nothing of the file is built: its other errors would only be consequences.
    antlr4::Token* t = deep.token;
    SourceRange r{file_id, 0, 0};
    if (t && t->getType() != antlr4::Token::EOF)
      r = SourceRange{file_id, map.Byte(t->getStartIndex()), map.Byte(t->getStopIndex() + 1)};
    else if (t)
      r = SourceRange{file_id, map.Byte(t->getStartIndex()), map.Byte(t->getStartIndex())};
    Diagnostic& d =
        diags.Emit(DiagKind::NestingTooDeep, r, deep.type ? "this type" : "this expression", limits::kMaxNestingDepth);
    d.notes.push_back({SourceRange{}, "name the inner parts with `let` or `def` to make it shallower"});
    ast::File empty;
    empty.file_id = file_id;
    return empty;
  }
  Builder b(file_id, map, diags);
  return b.Build(tree, file_id);
}

std::vector<Token> Lex(const SourceManager& sources, uint32_t file_id) {
  const std::string& text = sources.file(file_id).text;
  OffsetMap map(text);
  antlr4::ANTLRInputStream input(text);
  EdictLexer lexer(&input);
  lexer.removeErrorListeners();
  const antlr4::dfa::Vocabulary& voc = lexer.getVocabulary();
  std::vector<Token> out;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    size_t type = t->getType();
    if (type == antlr4::Token::EOF) break;
    if (type == EdictLexer::WS) continue;
    Token k;
    k.begin = map.Byte(t->getStartIndex());
    k.end = map.Byte(t->getStopIndex() + 1);
    switch (type) {
      case EdictLexer::LINE_COMMENT: k.kind = Token::Kind::LineComment; break;
      case EdictLexer::BLOCK_COMMENT: k.kind = Token::Kind::BlockComment; break;
      case EdictLexer::IDENT: k.kind = Token::Kind::Word; break;
      case EdictLexer::NUMBER:
      case EdictLexer::PERCENT:
      case EdictLexer::DATE: k.kind = Token::Kind::Literal; break;
      case EdictLexer::STRING: k.kind = Token::Kind::String; break;
      default:
        k.keyword = std::string(voc.getSymbolicName(type)).rfind("KW_", 0) == 0;
        k.kind = k.keyword ? Token::Kind::Word : Token::Kind::Punct;
        break;
    }
    out.push_back(k);
  }
  return out;
}

}  // namespace edict::parse
