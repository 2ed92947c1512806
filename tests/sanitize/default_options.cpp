// The sanitizers' options, compiled into every executable of a sanitizer build (EDICT_SANITIZE or
// EDICT_FUZZ), so that they apply however a program is started: from a test, a script or by hand.
// ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS given in the environment add to them (and win).
//
// - leaks are errors, except the third-party ones listed and explained in lsan.supp;
// - the order in which globals are initialised across files must not matter;
// - undefined behaviour prints its stack (and stops: the code is built with
//   -fno-sanitize-recover=undefined).
extern "C" {
const char* __asan_default_options() { return "detect_leaks=1:check_initialization_order=1:strict_init_order=1"; }
const char* __lsan_default_options() { return "suppressions=" EDICT_LSAN_SUPPRESSIONS ":print_suppressions=0"; }
const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }
}
