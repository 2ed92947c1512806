# Run on the parser ANTLR generates (cmake -DFILE=.../EdictParser.cpp -P static_casts.cmake).
#
# ANTLR 4.7's C++ target casts a rule's context to the labelled alternative that the same block
# of code has just created (`dynamic_cast<AddExprContext *>(_localctx)->op = ...`), and in
# `sempred` a context of rule `expr` to ExprContext, with dynamic_cast: a walk of the class
# hierarchy at run time for every labelled token of an expression, a few percent of parsing. The
# context is always of that class there, so these casts become static_casts. Nothing else of the
# generated code is changed.
file(READ "${FILE}" text)
string(REGEX REPLACE "dynamic_cast<([A-Za-z]+Context \\*)>\\((_localctx|context)\\)" "static_cast<\\1>(\\2)" text
                     "${text}")
file(WRITE "${FILE}" "${text}")
