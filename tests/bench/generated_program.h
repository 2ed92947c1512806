// The synthetic regulation edict_bench checks, also formatted by the formatter's property test
// (tests/unit/format_test.cpp).
#pragma once
#include <algorithm>
#include <string>

#include <fmt/format.h>

// A synthetic regulation of about `lines` lines in the shape of real ones: country groups,
// thresholds with citations, helpers, decisions of many rules with exceptions, and tests.
inline std::string GenerateProgram(int lines) {
  std::string s = "instrument generated {\n  title: \"Generated regulation\";\n  effective: 2025-01-13;\n}\n\n";
  s += "unit tpp;\nunit chip;\nunit mm2;\n\nenum Policy { approval, case_by_case, denial }\n";
  s += "enum Kind { firm, government, distributor, cloud }\n";
  s += "enum Region {";
  for (int i = 0; i < 200; ++i) s += fmt::format("{} R{}", i ? "," : "", i);
  s += " }\n\nrecord Order {\n  tpp: decimal[tpp/chip];\n  qty: integer[chip];\n  area: decimal[mm2/chip];\n"
       "  region: Region;\n  hq: Region;\n  kind: Kind;\n  day: date;\n}\n\n";
  int n = 0;
  auto count = [&]() { return int(std::count(s.begin(), s.end(), '\n')); };
  while (count() < lines) {
    ++n;
    s += fmt::format("const group_{}: set of Region = {{R{}, R{}, R{}, R{}}} cite \"Supp. {} to part 740\";\n", n,
                     n % 200, (n * 7) % 200, (n * 13) % 200, (n * 31) % 200, n);
    s += fmt::format("const limit_{}: decimal[tpp] = {}.5 [tpp] cite \"740.{}(b)\";\n", n, 1000000 + n, n);
    s += fmt::format("def density_{}(o: Order): decimal[tpp/mm2] = o.tpp / o.area;\n", n);
    s += fmt::format("def total_{}(o: Order): decimal[tpp] = o.qty * o.tpp;\n\n", n);
    s += fmt::format("decision review_{}(o: Order) -> Policy cite \"742.{}\" {{\n", n, n);
    s += fmt::format("  let total = total_{}(o);\n", n);
    s += fmt::format("  rule base cite \"742.{}(a)\" when total > limit_{} then case_by_case;\n", n, n);
    s += fmt::format(
        "  rule small cite \"740.{}\" exception to base when total <= limit_{} and o.kind != distributor then "
        "approval;\n",
        n, n);
    s += fmt::format(
        "  rule grouped cite \"740.{}(c)\" exception to base, small when o.region in group_{} and density_{}(o) >= "
        "5.92 [tpp/mm2] then approval;\n",
        n, n, n);
    s += fmt::format(
        "  rule hq cite \"744.{}\" exception to base, small, grouped when o.hq in group_{} union {{R1}} and o.day >= "
        "2025-05-15 then denial;\n",
        n, n);
    s += "  default then approval;\n}\n\n";
    s += fmt::format("test review_{}_cases {{\n", n);
    s += fmt::format(
        "  let o = Order {{ tpp: 15831.2 [tpp/chip], qty: 10 [chip], area: 814 [mm2/chip], region: R{}, hq: R0, kind: "
        "firm, day: 2025-06-01 }};\n",
        (n * 7) % 200);
    s += fmt::format(
        "  assert review_{}(o) == approval;\n  assert review_{}(o with {{ qty: 100000 [chip] }}) == approval;\n}}\n\n",
        n, n);
  }
  return s;
}
