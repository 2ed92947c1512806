// The web page for trying a case (docs/publishing.md, "The page"): plain HTML, CSS and JavaScript
// from compiler/page/files/, embedded into the binary at build time (embed.cmake writes their bytes
// into a generated source). `edict serve` serves them at `/`; a static site (`edict doc`) can write
// them beside its pages, with the address of the API filled in (Index).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace edict::page {

struct File {
  std::string_view path;          // relative to the page's folder: "index.html", "page.js" ...
  std::string_view bytes;         // the file's content, as in the repository
  std::string_view content_type;  // for an HTTP response: "text/html; charset=utf-8" ...
};

// Every file of the page, index.html first.
const std::vector<File>& Files();

// The file at `path` (relative, as in File::path), or null.
const File* Find(std::string_view path);

// index.html with the base address of the API in its <meta name="edict-api">: where a page that
// has no server of its own (a static site) sends its requests, such as
// "https://decisions.example.org" (HTML-escaped here). Empty: the page's own origin, as served
// by `edict serve`. A query parameter `?api=URL` given to the page overrides both.
std::string Index(std::string_view api_base);

}  // namespace edict::page
