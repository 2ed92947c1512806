// The page's files (compiler/page/): embedded byte for byte, with their content types, and
// index.html with the address of the API filled in, escaped.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "compiler/page/page.h"

using edict::page::File;

TEST_CASE("page: every file is embedded byte for byte, index.html first") {
  const auto& files = edict::page::Files();
  REQUIRE(files.size() >= 3);
  CHECK(files.front().path == "index.html");
  for (const File& f : files) {
    std::ifstream in(std::string(EDICT_SOURCE_DIR) + "/compiler/page/files/" + std::string(f.path), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == f.bytes);
    CHECK(edict::page::Find(f.path) == &f);
  }
  CHECK(edict::page::Find("page.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(edict::page::Find("page.css")->content_type == "text/css; charset=utf-8");
  CHECK(edict::page::Find("index.html")->content_type == "text/html; charset=utf-8");
  CHECK(edict::page::Find("nothing.js") == nullptr);
  CHECK(edict::page::Find("/page.js") == nullptr);
}

TEST_CASE("page: Index fills in the API's address, escaped") {
  std::string same = edict::page::Index("");
  CHECK(same == edict::page::Find("index.html")->bytes);
  std::string other = edict::page::Index("https://decisions.example.org/api?a=1&b=\"2\"<x>");
  CHECK(
      other.find(
          "<meta name=\"edict-api\" content=\"https://decisions.example.org/api?a=1&amp;b=&quot;2&quot;&lt;x&gt;\">") !=
      std::string::npos);
  CHECK(other.find("<meta name=\"edict-api\" content=\"\">") == std::string::npos);
}
