// The Edict language grammar (ANTLR 4). Only compiler/parse/ sees the generated code.
// Keyword tokens carry a KW_ prefix (Catch2 defines WHEN/THEN/GIVEN as macros).
grammar Edict;

file        : header? importDecl* decl* EOF ;

header      : KW_INSTRUMENT name=IDENT '{' headerField* '}' ;
headerField : key=IDENT ':' literal ';' ;

importDecl  : KW_IMPORT (modulePath | STRING) ';' ;
modulePath  : IDENT ('.' IDENT)* ;

decl        : unitDecl | enumDecl | recordDecl | constDecl | defDecl | decisionDecl | scopeDecl | testDecl
            | amendDecl | replaceDecl | restoreDecl | impactDecl | invariantDecl | describeDecl ;

// How reports name a value of a record type in one sentence (a symbolic diff's witnesses):
// `describe Order: "{quantity} chips to a {consignee.kind} in {destination:doc}, {date}";`
describeDecl : KW_DESCRIBE name=IDENT ':' text=STRING ';' ;

// A condition every real value of a record type meets (`invariant`, implied by the law or by the
// meaning of the fields) or is assumed to meet (`assumption`, unverified): a case that breaks one
// is rejected as `invalid_case`, and the symbolic diff ranges only over cases that meet them all.
// `invariant in_destination(t: Transaction): t.consignee.country == t.destination "..." cite "...";`
invariantDecl : kind=(KW_INVARIANT | KW_ASSUMPTION) name=IDENT '(' param ')' ':' cond=expr doc=STRING? citation? ';' ;

// How a reader of a verdict diff compares two outcomes of a type: which fields are the verdict
// (with the order of severity of their values), which are detail and which are explanation.
// `impact Verdict { verdict review: approval < denial; detail authorization; explanation basis; }`,
// or for an enum outcome `impact Review: approval < denial;` (docs/language.md, docs/diff.md).
impactDecl  : KW_IMPACT name=IDENT ('{' impactItem* '}' | ':' impactOrder ';') ;
impactItem  : role=IDENT fieldName (',' fieldName)* (':' impactOrder)? ';' ;
impactOrder : impactValue ('<' impactValue)* ;
impactValue : IDENT | KW_TRUE | KW_FALSE ;

// `restore decision d from v;` re-enacts the decision `d` as version `v` had it, checked against
// the constants and helpers in force now (a rescission restores earlier text).
restoreDecl : KW_RESTORE KW_DECISION name=IDENT KW_FROM from=IDENT (KW_AS alias=IDENT)? citation? ';' ;

// Amendments: an instrument whose header says `amends: "base.edict";` changes its base.
// `restore rule r from v;` re-enacts rule r of the decision as version v had it (its provision and
// enacting instrument stay v's), with its own exceptions or those given here.
amendDecl   : KW_AMEND KW_DECISION name=IDENT citation? '{' amendItem* '}' ;
amendItem   : KW_REPEAL KW_RULE target=IDENT citation? ';'          # repealRule
            | KW_REPLACE ruleItem                                   # replaceRule
            | KW_REPLACE defaultItem                                # replaceDefault
            | KW_REPEAL KW_DEFAULT citation? ';'                    # repealDefault
            | KW_RULE target=IDENT exceptionTo citation? ';'         # addExceptions
            | KW_RESTORE KW_RULE target=IDENT KW_FROM from=IDENT exceptionTo? citation? ';'  # restoreRule
            | ruleItem                                              # addRule
            | letItem                                               # addLet
            | assertItem                                            # addAssert
            ;
replaceDecl : KW_REPLACE KW_CONST name=IDENT (':' type)? '=' expr citation? ';'   # replaceConst
            | KW_REPLACE defDecl                                                  # replaceDef
            | KW_REPLACE decisionDecl                                             # replaceDecision
            ;

unitDecl    : KW_UNIT name=IDENT doc=STRING? ';' ;
enumDecl    : KW_ENUM name=IDENT doc=STRING? '{' enumMember (',' enumMember)* ','? '}' ;
// A member may carry a value of a type: `enum Sale { none, most_recent(Purchase) }` (a sum type).
enumMember  : name=IDENT ('(' payload=type ')')? doc=STRING? ;
recordDecl  : KW_RECORD name=IDENT doc=STRING? '{' fieldDecl* '}' ;
// `where` bounds the field's domain: the cases a decision accepts (see docs/language.md).
// `= value` is the field's default: a case (JSON) or a record literal may omit the field.
fieldDecl   : name=fieldName ':' type ('=' dflt=expr)? (KW_WHERE where=expr)? doc=STRING? ';' ;
// `typical const usual: Order = ...;` marks the most ordinary value of a record type: a symbolic
// diff's witnesses take its values wherever their class allows (docs/diff.md).
constDecl   : typical=KW_TYPICAL? KW_CONST name=IDENT ':' type '=' expr citation? ';' ;
// `def round_cents<u>(x: decimal[u]): decimal[u] = ...`: a helper generic over the units `u`, which
// each call infers from its arguments (docs/language.md, "Helpers generic over units").
defDecl     : KW_DEF name=IDENT unitParams? '(' params? ')' ':' type '=' expr citation? ';' ;
unitParams  : '<' IDENT (',' IDENT)* '>' ;
params      : param (',' param)* ;
param       : name=softName ':' type ;
citation    : KW_CITE cite=STRING (KW_ASSUMING note=STRING)? ;

decisionDecl: KW_DECISION name=IDENT '(' params? ')' '->' type citation? '{' decisionItem* '}' ;
decisionItem: letItem | ruleItem | defaultItem | assertItem ;
// `assert cond "what must hold" cite "...";` inside a decision: a violated one is the runtime error
// `assertion_failed` naming its provision (docs/language.md, "Assertions").
assertItem  : KW_ASSERT cond=expr doc=STRING? citation? ';' ;
letItem     : KW_LET name=softName (':' type)? '=' expr ';' ;
ruleItem    : KW_RULE name=IDENT citation? exceptionTo? (KW_WHEN cond=expr)? KW_THEN outcome=expr ';' ;
exceptionTo : KW_EXCEPTION KW_TO IDENT (',' IDENT)* ;
defaultItem : KW_DEFAULT citation? KW_THEN outcome=expr ';' ;

// A scope (docs/language.md, "Scopes"): one computation with several outputs, each variable defined
// by its own rules (`rule r for v when ... then ...;`) and default (`default for v then ...;`).
// A `context` variable may be given by the caller instead: `benefits(h, rate: 0.5).amount`.
scopeDecl   : KW_SCOPE name=IDENT '(' params? ')' citation? '{' scopeItem* '}' ;
scopeItem   : scopeVar | scopeRule | scopeDefault | assertItem ;
scopeVar    : context=KW_CONTEXT? role=(KW_OUTPUT | KW_INTERNAL) name=softName ':' type doc=STRING? ';' ;
scopeRule   : KW_RULE name=IDENT citation? KW_FOR var=softName exceptionTo? (KW_WHEN cond=expr)? KW_THEN outcome=expr ';' ;
scopeDefault: KW_DEFAULT citation? KW_FOR var=softName KW_THEN outcome=expr ';' ;

testDecl    : KW_TEST name=IDENT '{' testStmt* '}' ;
testStmt    : letItem
            | KW_ASSERT expr (KW_FAILS KW_WITH errorKind=IDENT)? ';'
            ;

type        : KW_BOOL                                  # boolType
            | KW_INTEGER unitAnnot?                    # integerType
            | KW_DECIMAL unitAnnot?                    # decimalType
            | KW_DATE                                  # dateType
            | KW_DURATION                              # durationType
            | KW_TEXT                                  # textType
            | KW_SET KW_OF type                        # setType
            | KW_LIST KW_OF type                       # listType
            | KW_OPTIONAL type                         # optionalType
            | IDENT                                    # namedType
            ;
unitAnnot   : '[' unitExpr ']' ;
unitExpr    : unitFactor (unitOp+=('*' | '/') unitFactor)* ;
unitFactor  : IDENT ('^' NUMBER)? | NUMBER ;

expr        : primary                                                   # primaryExpr
            | expr '.' fieldName                                        # fieldExpr
            | expr '[' index=expr ']'                                   # indexExpr
            | expr KW_WITH '{' fieldInits? '}'                          # withExpr
            | '-' expr                                                  # negExpr
            | expr op=('*' | '/' | KW_MOD) expr                         # mulExpr
            | expr op=('+' | '-') expr                                  # addExpr
            | expr op=(KW_UNION | KW_INTER | KW_MINUS) expr             # setOpExpr
            | expr KW_NOT? KW_IN expr                                   # inExpr
            | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr      # cmpExpr
            | KW_NOT expr                                               # notExpr
            | expr KW_AND expr                                          # andExpr
            | expr KW_OR expr                                           # orExpr
            | KW_IF expr KW_THEN expr KW_ELSE expr                      # ifExpr
            | quant=(KW_EXISTS | KW_ALL) IDENT KW_IN expr ':' expr      # quantExpr
            ;

primary     : NUMBER unitAnnot?                        # numberLit
            | PERCENT                                  # percentLit
            | NUMBER durationUnit                      # durationLit
            | DATE                                     # dateLit
            | STRING                                   # stringLit
            | (KW_TRUE | KW_FALSE)                     # boolLit
            | IDENT '(' args? ')'                      # callLit
            | qual=IDENT '.' IDENT '(' args? ')'       # qualifiedCallLit
            | IDENT '{' fieldInits? '}'                # recordLit
            | softName                                 # nameLit
            | '{' (expr (',' expr)*)? '}'              # setLit
            | '[' (expr (',' expr)*)? ']'              # listLit
            | '[' value=expr KW_FOR var=softName KW_IN list=expr (KW_WHERE cond=expr)? ']'   # comprehensionLit
            | op=IDENT '(' value=expr KW_FOR var=softName KW_IN list=expr (KW_WHERE cond=expr)? ')'   # aggregateLit
            | op=IDENT '(' var=softName KW_IN list=expr (KW_WHERE cond=expr (KW_BY key=expr)? | KW_BY key=expr) ')'   # selectLit
            | '(' expr ')'                             # parenLit
            | KW_MATCH expr '{' matchArm (',' matchArm)* ','? '}'   # matchLit
            ;
// Lists (docs/language.md, "Lists"): `[c.age for c in children where c.age < 20]` (a list: one value
// per element, of the elements the condition keeps); `sum(c.income for c in household)`, and `min`,
// `max` (an aggregate of one value per element, `where` optional); `count(c in children where ...)`,
// `argmax(c in children by c.age)`, `argmin`, `sort(c in children by c.birth_date)` (the elements
// themselves, `where` before `by` optional). The operation's name is an IDENT the checker reads.
// `l[i]` (indexExpr) is the element at position i, counted from 0.
// `match s.last_sale { when none then 0 [usd], when most_recent(p) then p.price }`: one arm per
// member (or several joined by `or`), the value a member carries bound to a name; `else` covers
// the members no arm names. The checker requires every member to be covered.
matchArm    : KW_WHEN matchPattern (KW_OR matchPattern)* KW_THEN expr   # whenArm
            | KW_ELSE expr                                           # elseArm
            ;
matchPattern: (qual=IDENT '.')? member=IDENT ('(' binder=softName ')')? ;
durationUnit: KW_DAY | KW_DAYS | KW_MONTH | KW_MONTHS | KW_YEAR | KW_YEARS ;
args        : arg (',' arg)* ;
arg         : (name=softName ':')? expr ;
fieldInits  : fieldInit (',' fieldInit)* ','? ;
fieldInit   : name=fieldName ':' expr ;

literal     : STRING | DATE | NUMBER | IDENT ;

// Parameters and local names may be words Edict reserves only in type or duration position.
softName    : IDENT | KW_DATE | KW_TEXT | KW_DAY | KW_MONTH | KW_YEAR | KW_DURATION | KW_UNIT | KW_EXCEPTION | KW_IMPACT
            | KW_INVARIANT | KW_ASSUMPTION | KW_DESCRIBE | KW_TYPICAL
            | KW_OPTIONAL | KW_BY | KW_SCOPE | KW_OUTPUT | KW_INTERNAL | KW_CONTEXT ;

// Field names may be words the language reserves elsewhere: `date`, `exception`, `text` ...
fieldName   : IDENT | KW_DATE | KW_EXCEPTION | KW_TEXT | KW_SET | KW_LIST | KW_UNIT | KW_ALL | KW_DEFAULT
            | KW_RULE | KW_TEST | KW_DURATION | KW_DAY | KW_DAYS | KW_MONTH | KW_MONTHS | KW_YEAR | KW_YEARS
            | KW_TO | KW_OF | KW_WITH | KW_CITE | KW_DECISION | KW_RECORD | KW_ENUM | KW_CONST | KW_IMPORT
            | KW_INTEGER | KW_DECIMAL | KW_BOOL | KW_INSTRUMENT | KW_ASSUMING | KW_FAILS | KW_EXISTS
            | KW_UNION | KW_INTER | KW_MINUS | KW_MOD | KW_WHERE | KW_AMEND | KW_REPEAL | KW_REPLACE | KW_RESTORE | KW_FROM | KW_AS
            | KW_IMPACT | KW_INVARIANT | KW_ASSUMPTION | KW_DESCRIBE | KW_TYPICAL
            | KW_OPTIONAL | KW_MATCH | KW_FOR | KW_BY | KW_SCOPE | KW_OUTPUT | KW_INTERNAL | KW_CONTEXT ;

KW_INSTRUMENT : 'instrument' ;
KW_IMPORT   : 'import' ;
KW_UNIT     : 'unit' ;
KW_ENUM     : 'enum' ;
KW_RECORD   : 'record' ;
KW_IMPACT   : 'impact' ;
KW_INVARIANT: 'invariant' ;
KW_ASSUMPTION: 'assumption' ;
KW_DESCRIBE : 'describe' ;
KW_TYPICAL  : 'typical' ;
KW_CONST    : 'const' ;
KW_DEF      : 'def' ;
KW_DECISION : 'decision' ;
KW_SCOPE    : 'scope' ;
KW_OUTPUT   : 'output' ;
KW_INTERNAL : 'internal' ;
KW_CONTEXT  : 'context' ;
KW_RULE     : 'rule' ;
KW_DEFAULT  : 'default' ;
KW_EXCEPTION: 'exception' ;
KW_TO       : 'to' ;
KW_WHEN     : 'when' ;
KW_WHERE    : 'where' ;
KW_THEN     : 'then' ;
KW_ELSE     : 'else' ;
KW_IF       : 'if' ;
KW_LET      : 'let' ;
KW_CITE     : 'cite' ;
KW_ASSUMING : 'assuming' ;
KW_TEST     : 'test' ;
KW_ASSERT   : 'assert' ;
KW_FAILS    : 'fails' ;
KW_WITH     : 'with' ;
KW_AMEND    : 'amend' ;
KW_REPEAL   : 'repeal' ;
KW_REPLACE  : 'replace' ;
KW_RESTORE  : 'restore' ;
KW_FROM     : 'from' ;
KW_AS       : 'as' ;
KW_BOOL     : 'bool' ;
KW_INTEGER  : 'integer' ;
KW_DECIMAL  : 'decimal' ;
KW_DATE     : 'date' ;
KW_DURATION : 'duration' ;
KW_TEXT     : 'text' ;
KW_SET      : 'set' ;
KW_LIST     : 'list' ;
KW_OF       : 'of' ;
KW_TRUE     : 'true' ;
KW_FALSE    : 'false' ;
KW_AND      : 'and' ;
KW_OR       : 'or' ;
KW_NOT      : 'not' ;
KW_IN       : 'in' ;
KW_UNION    : 'union' ;
KW_INTER    : 'inter' ;
KW_MINUS    : 'minus' ;
KW_MOD      : 'mod' ;
KW_EXISTS   : 'exists' ;
KW_ALL      : 'all' ;
KW_DAY      : 'day' ;
KW_DAYS     : 'days' ;
KW_MONTH    : 'month' ;
KW_MONTHS   : 'months' ;
KW_YEAR     : 'year' ;
KW_YEARS    : 'years' ;
KW_OPTIONAL : 'optional' ;
KW_MATCH    : 'match' ;
KW_FOR      : 'for' ;
KW_BY       : 'by' ;

DATE        : [0-9][0-9][0-9][0-9] '-' [0-9][0-9] '-' [0-9][0-9] ;
NUMBER      : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? ;
fragment DIGITS : [0-9] ([0-9_]* [0-9])? ;
// `40%` is the decimal 0.4, exactly (docs/language.md, "Percentages").
PERCENT     : NUMBER '%' ;
// Names are letters of any script, digits and `_` (Unicode's identifier properties, UAX #31: a
// letter or `_` first, then letters, combining marks, digits and connectors); the parser builds
// them in Normalization Form C, so `a_renoncé` is one name however its `é` is encoded.
IDENT       : [\p{ID_Start}_] [\p{ID_Continue}]* ;
STRING      : '"' (~["\\\r\n] | '\\' .)* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS          : [ \t\r\n]+ -> channel(HIDDEN) ;
// Any other character becomes a token the parser rejects, so the diagnostic names it.
UNKNOWN_CHAR: . ;
