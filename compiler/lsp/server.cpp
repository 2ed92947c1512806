// The server: framing, JSON-RPC, the open documents and the debounced diagnostics.
#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "compiler/base/command.h"
#include "compiler/base/source.h"
#include "compiler/format/format.h"
#include "compiler/literate/literate.h"
#include "compiler/lsp/analysis.h"
#include "compiler/lsp/lsp.h"

namespace edict::lsp {
namespace {

using Clock = std::chrono::steady_clock;

// How long after the last change the diagnostics are computed: typing a word costs one check.
constexpr auto kDebounce = std::chrono::milliseconds(150);
// How long after the diagnostics `edict verify`'s findings are computed (in the background), and
// Z3's resource limit for each of its questions: tight, so that a finding comes in about a second;
// a question Z3 cannot settle within it is left out (the command, `edict verify`, has the full limit).
constexpr auto kVerifyDelay = std::chrono::milliseconds(500);
constexpr uint64_t kVerifySolverLimit = 2'000'000;
// A header block longer than this, or a body announced longer than that, is not LSP.
constexpr size_t kMaxHeaderBytes = 8 * 1024;
constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

// JSON-RPC error codes.
enum : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kRequestFailed = -32803,
};

struct RpcError {
  int code;
  std::string message;
};

struct Document {
  std::string uri, path, text;  // path: canonical
  int64_t version = 0;
};

class Server {
 public:
  Server(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}
  ~Server() {
    if (verify_worker_.joinable()) verify_worker_.join();  // bounded: Z3's limit on each question
    for (int fd : verify_pipe_)
      if (fd >= 0) close(fd);
  }
  int Run();

 private:
  // Framing: the next whole message of the input buffer, if there is one.
  enum class Next { Message, Skipped, Incomplete, Broken };
  Next TakeMessage(std::string* body);
  void Handle(const std::string& body);
  Json Request(const std::string& method, const Json& params);
  void Notification(const std::string& method, const Json& params);
  bool Send(const Json& message);
  void Log(const std::string& text);

  Document& Open(const Json& params);
  const Analysis& Analyse(const Document& d);
  void PublishAll(bool force_uri_only = false, const std::string& uri = "");

  // `edict verify` in the background: one worker at a time over the open documents of one
  // generation; it writes a byte to verify_pipe_ when done, and its findings are published with
  // the checker's diagnostics if no document changed meanwhile.
  void StartVerify();
  void FinishVerify();
  Json Published(const std::string& uri, const Json& diags) const;

  int in_, out_;
  int verify_pipe_[2] = {-1, -1};
  std::thread verify_worker_;
  uint64_t verify_generation_ = 0;                             // the generation the worker verifies
  std::map<std::string, Json> verify_result_;                  // by URI, written by the worker
  std::map<std::string, std::pair<uint64_t, Json>> verified_;  // by URI: generation and findings
  std::optional<Clock::time_point> verify_due_;
  bool verify_on_ = true;
  std::string input_;
  bool initialized_ = false, shutdown_ = false, exited_ = false, write_failed_ = false;
  std::map<std::string, Document> docs_;  // by URI
  struct Cached {
    std::shared_ptr<Analysis> analysis;
    uint64_t generation = 0;
    load::ParseCache trees;  // of the files the analysis before this one parsed, for the next
  };
  std::map<std::string, Cached> analyses_;        // by URI
  std::map<std::string, std::string> published_;  // by URI: the diagnostics last sent (JSON text)
  uint64_t generation_ = 1;                       // bumped by every change to an open document
  std::optional<Clock::time_point> due_;          // when the debounced diagnostics are due
};

// The value of a `Content-Length` header line (the name in any case, a whole number of at most
// 12 digits), or nothing.
std::optional<size_t> ContentLength(std::string_view line) {
  constexpr std::string_view kName = "content-length:";
  if (line.size() < kName.size()) return std::nullopt;
  for (size_t i = 0; i < kName.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) return std::nullopt;
  line.remove_prefix(kName.size());
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty() || line.size() > 12) return std::nullopt;
  size_t n = 0;
  for (char c : line) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + size_t(c - '0');
  }
  return n;
}

// Whether s is a name for a rename: ASCII letters, digits and `_`, not beginning with a digit.
bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 1000 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

Server::Next Server::TakeMessage(std::string* body) {
  size_t end = input_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (input_.size() > kMaxHeaderBytes) {
      Log("the input is not the Language Server Protocol: no end of header in " + std::to_string(input_.size()) +
          " bytes");
      return Next::Broken;
    }
    return Next::Incomplete;
  }
  std::string header = input_.substr(0, end);
  std::optional<size_t> length;
  size_t start = 0;
  while (start <= header.size()) {
    size_t nl = header.find("\r\n", start);
    std::string line = header.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (auto n = ContentLength(line)) length = n;
    if (nl == std::string::npos) break;
    start = nl + 2;
  }
  if (!length) {
    Log("a message without a valid Content-Length header was skipped: `" + header.substr(0, 200) + "`");
    input_.erase(0, end + 4);
    return Next::Skipped;
  }
  if (*length > kMaxBodyBytes) {
    Log("a message announces " + std::to_string(*length) + " bytes, more than the limit of " +
        std::to_string(kMaxBodyBytes));
    return Next::Broken;
  }
  if (input_.size() < end + 4 + *length) return Next::Incomplete;
  *body = input_.substr(end + 4, *length);
  input_.erase(0, end + 4 + *length);
  return Next::Message;
}

bool Server::Send(const Json& message) {
  if (write_failed_) return false;
  std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string data = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(out_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::cerr << "edict lsp: cannot write to the client: " << std::strerror(errno) << "\n";
      write_failed_ = true;
      return false;
    }
    done += size_t(n);
  }
  return true;
}

void Server::Log(const std::string& text) {
  std::cerr << "edict lsp: " << text << "\n";
  if (initialized_)
    Send({{"jsonrpc", "2.0"}, {"method", "window/logMessage"}, {"params", {{"type", 1}, {"message", text}}}});
}

Document& Server::Open(const Json& params) {
  const Json& td = params.at("textDocument");
  std::string uri = td.at("uri").get<std::string>();
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw RpcError{kInvalidParams, "the document `" + uri + "` is not open"};
  return it->second;
}

const Analysis& Server::Analyse(const Document& d) {
  Cached& c = analyses_[d.uri];
  if (!c.analysis || c.generation != generation_) {
    load::Unsaved unsaved;
    for (const auto& [uri, doc] : docs_) unsaved[doc.path] = doc.text;
    // Only the files that changed are parsed again: the other trees pass from the analysis
    // replaced to the new one (a background `edict verify` may still hold the old
    // analysis: it reads its checked module and sources, never its trees).
    if (c.analysis) c.analysis->KeepTrees(c.trees);
    c.analysis.reset();
    c.analysis = std::make_shared<Analysis>(d.path, unsaved, &c.trees);
    c.generation = generation_;
  }
  return *c.analysis;
}

// Sends the diagnostics of every open document whose diagnostics changed since they were last
// sent (of `uri` always, when given: a document just opened).
void Server::PublishAll(bool force_uri_only, const std::string& uri) {
  for (const auto& [u, doc] : docs_) {
    if (force_uri_only && u != uri) continue;
    Json diags;
    try {
      diags = Analyse(doc).Diagnostics();
    } catch (const std::exception& e) {
      Log("checking `" + doc.path + "` failed: " + e.what());
      continue;
    }
    auto v = verified_.find(u);
    if (v != verified_.end() && v->second.first == generation_)
      for (const Json& j : v->second.second) diags.push_back(j);
    std::string text = diags.dump();
    if (u != uri && published_.count(u) && published_[u] == text) continue;
    published_[u] = text;
    Send({{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", u}, {"version", doc.version}, {"diagnostics", diags}}}});
  }
}

void Server::StartVerify() {
  if (verify_worker_.joinable()) return;  // FinishVerify starts the next one
  if (verify_pipe_[0] < 0 && pipe(verify_pipe_) != 0) {
    Log(std::string("cannot run `edict verify` in the background: ") + std::strerror(errno));
    return;
  }
  std::vector<std::pair<std::string, std::shared_ptr<Analysis>>> work;
  for (const auto& [uri, doc] : docs_) {
    if (verified_.count(uri) && verified_[uri].first == generation_) continue;
    try {
      work.push_back({uri, analyses_.count(uri) ? analyses_[uri].analysis : nullptr});
      if (!work.back().second || analyses_[uri].generation != generation_) {
        Analyse(doc);
        work.back().second = analyses_[uri].analysis;
      }
    } catch (const std::exception& e) { work.pop_back(); }
  }
  if (work.empty()) return;
  verify_generation_ = generation_;
  verify_result_.clear();
  int done = verify_pipe_[1];
  verify_worker_ = std::thread([this, work = std::move(work), done] {
    for (const auto& [uri, analysis] : work) {
      Json found = Json::array();
      try {
        found = analysis->VerifyDiagnostics(kVerifySolverLimit);
      } catch (const std::exception& e) {
        std::cerr << "edict lsp: `edict verify` failed on " << uri << ": " << e.what() << "\n";
      }
      verify_result_[uri] = std::move(found);
    }
    char byte = 1;
    while (write(done, &byte, 1) < 0 && errno == EINTR) {}
  });
}

void Server::FinishVerify() {
  char byte;
  while (read(verify_pipe_[0], &byte, 1) < 0 && errno == EINTR) {}
  verify_worker_.join();
  for (auto& [uri, found] : verify_result_) verified_[uri] = {verify_generation_, std::move(found)};
  verify_result_.clear();
  if (verify_generation_ == generation_) {
    PublishAll();  // each document whose findings change what it shows
  } else {
    verify_due_ = Clock::now() + kVerifyDelay;  // the documents changed meanwhile: again
  }
}

Json Server::Request(const std::string& method, const Json& params) {
  if (method == "initialize") {
    initialized_ = true;
    // `"initializationOptions": {"verify": false}` turns the background `edict verify` off.
    if (params.contains("initializationOptions") && params["initializationOptions"].is_object())
      verify_on_ = params["initializationOptions"].value("verify", true);
    return {{"capabilities",
             {{"positionEncoding", "utf-16"},
              {"textDocumentSync", {{"openClose", true}, {"change", 1}}},
              {"hoverProvider", true},
              {"definitionProvider", true},
              {"referencesProvider", true},
              {"documentFormattingProvider", true},
              {"documentSymbolProvider", true},
              {"workspaceSymbolProvider", true},
              {"completionProvider", {{"triggerCharacters", {".", "[", " "}}}},
              {"renameProvider", {{"prepareProvider", true}}},
              {"codeLensProvider", {{"resolveProvider", false}}},
              {"executeCommandProvider", {{"commands", {"edict.runTest", "edict.explain"}}}}}},
            {"serverInfo", {{"name", "edict"}}}};
  }
  if (!initialized_) throw RpcError{kServerNotInitialized, "the server has not been initialized"};
  if (shutdown_) throw RpcError{kInvalidRequest, "the server is shutting down"};
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "workspace/symbol") {
    std::string query = params.at("query").get<std::string>();
    Json out = Json::array();
    std::set<std::string> seen;
    for (const auto& [uri, doc] : docs_) Analyse(doc).WorkspaceSymbols(query, out, seen);
    return out;
  }
  auto position = [&](const Document& d) {
    const Json& p = params.at("position");
    return OffsetOf(d.text, {p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()});
  };
  if (method == "textDocument/hover") {
    const Document& d = Open(params);
    return Analyse(d).Hover(position(d));
  }
  if (method == "textDocument/definition") {
    const Document& d = Open(params);
    const Analysis& a = Analyse(d);
    auto place = a.Definition(position(d));
    if (!place) return nullptr;
    return a.LocationOf(*place);
  }
  if (method == "textDocument/references") {
    const Document& d = Open(params);
    const Analysis& a = Analyse(d);
    bool with_decl = params.contains("context") && params["context"].value("includeDeclaration", false);
    Json out = Json::array();
    for (const Place& p : a.References(position(d), with_decl)) out.push_back(a.LocationOf(p));
    return out;
  }
  if (method == "textDocument/prepareRename") {
    const Document& d = Open(params);
    const Analysis& a = Analyse(d);
    auto target = a.RenameTarget(position(d));
    if (!target) return nullptr;
    return {{"range", a.RangeOf(target->first)}, {"placeholder", target->second}};
  }
  if (method == "textDocument/rename") {
    const Document& d = Open(params);
    std::string name = params.at("newName").get<std::string>();
    if (!IsName(name))
      throw RpcError{kInvalidParams, "`" + name.substr(0, 200) +
                                         "` is not a name (letters, digits and `_`, not starting with a digit)"};
    const Analysis& a = Analyse(d);
    size_t offset = position(d);
    if (!a.RenameTarget(offset)) throw RpcError{kRequestFailed, "there is no name here that can be renamed"};
    Json changes = Json::object();
    for (const Place& p : a.References(offset, true)) {
      std::string uri = a.LocationOf(p)["uri"];
      changes[uri].push_back({{"range", a.RangeOf(p)}, {"newText", name}});
    }
    return {{"changes", changes}};
  }
  if (method == "textDocument/formatting") {
    const Document& d = Open(params);
    SourceManager sources;
    uint32_t id = sources.Add(d.path, d.text);
    edict::Diagnostics diags;
    // A literate file: the code of its edict blocks laid out, the Markdown around it kept.
    std::optional<std::string> formatted =
        literate::IsLiterate(d.path) ? format::FormatLiterate(sources, id, diags) : format::Format(sources, id, diags);
    Json edits = Json::array();
    if (formatted && *formatted != d.text) {
      Position end = PositionOf(d.text, d.text.size());
      edits.push_back(
          {{"range",
            {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", end.line}, {"character", end.character}}}}},
           {"newText", *formatted}});
    }
    return edits;
  }
  if (method == "textDocument/documentSymbol") return Analyse(Open(params)).DocumentSymbols();
  if (method == "textDocument/codeLens") {
    const Document& d = Open(params);
    return Analyse(d).CodeLenses(d.uri);
  }
  if (method == "workspace/executeCommand") {
    std::string command = params.at("command").get<std::string>();
    const Json& args = params.contains("arguments") ? params["arguments"] : Json::array();
    if (command != "edict.runTest" && command != "edict.explain")
      throw RpcError{kInvalidParams, "`" + command.substr(0, 200) + "` is not a command of this server"};
    if (!args.is_array() || args.size() < 2 || !args[0].is_string() || !args[1].is_string())
      throw RpcError{kInvalidParams, command + " needs the arguments [document URI, name]"};
    auto doc = docs_.find(args[0].get<std::string>());
    if (doc == docs_.end())
      throw RpcError{kInvalidParams, "the document `" + args[0].get<std::string>() + "` is not open"};
    const Analysis& a = Analyse(doc->second);
    if (command == "edict.runTest") return a.RunTest(args[1].get<std::string>());
    if (args.size() < 3 || !args[2].is_string())
      throw RpcError{kInvalidParams,
                     "edict.explain needs a case file: the arguments [document URI, decision, path of a JSON case]"};
    return a.Explain(args[1].get<std::string>(), args[2].get<std::string>());
  }
  if (method == "textDocument/completion") {
    const Document& d = Open(params);
    return {{"isIncomplete", false}, {"items", Analyse(d).Completion(d.text, position(d))}};
  }
  throw RpcError{kMethodNotFound, "`" + method + "` is not a method this server knows"};
}

void Server::Notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (!initialized_ || method == "initialized" || method.rfind("$/", 0) == 0) return;
  if (method == "textDocument/didOpen") {
    const Json& td = params.at("textDocument");
    Document d;
    d.uri = td.at("uri").get<std::string>();
    std::string path = PathOfUri(d.uri);
    d.path = load::Canonical(path.empty() ? d.uri : path);
    d.text = td.at("text").get<std::string>();
    d.version = td.value("version", int64_t(0));
    docs_[d.uri] = std::move(d);
    ++generation_;
    PublishAll(true, td.at("uri").get<std::string>());
    verify_due_ = Clock::now() + kVerifyDelay;
    return;
  }
  if (method == "textDocument/didChange") {
    Document& d = Open(params);
    for (const Json& change : params.at("contentChanges")) {
      if (change.contains("range"))
        throw RpcError{kInvalidParams, "only whole-document changes are supported (textDocumentSync 1)"};
      d.text = change.at("text").get<std::string>();
    }
    d.version = params.at("textDocument").value("version", d.version);
    ++generation_;
    due_ = Clock::now() + kDebounce;
    return;
  }
  if (method == "textDocument/didClose") {
    std::string uri = Open(params).uri;
    docs_.erase(uri);
    analyses_.erase(uri);
    published_.erase(uri);
    ++generation_;
    // What was shown for it is cleared, and the documents that import it see the file on disk.
    Send({{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", uri}, {"diagnostics", Json::array()}}}});
    due_ = Clock::now() + kDebounce;
    return;
  }
  if (method == "textDocument/didSave" || method == "workspace/didChangeConfiguration" ||
      method == "workspace/didChangeWatchedFiles")
    return;
  Log("the notification `" + method + "` is not supported; ignored");
}

void Server::Handle(const std::string& body) {
  Json msg;
  try {
    msg = Json::parse(body);
  } catch (const Json::parse_error& e) {
    std::string what = std::string("the message is not JSON: ") + e.what();
    std::cerr << "edict lsp: " << what << "\n";
    Send({{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", kParseError}, {"message", what}}}});
    return;
  }
  if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string()) {
    if (msg.is_object() && msg.contains("id") && (msg.contains("result") || msg.contains("error"))) return;  // a reply
    Send({{"jsonrpc", "2.0"},
          {"id", msg.is_object() && msg.contains("id") ? msg["id"] : Json(nullptr)},
          {"error", {{"code", kInvalidRequest}, {"message", "a request needs a `method` (a string)"}}}});
    return;
  }
  std::string method = msg["method"];
  Json params = msg.contains("params") ? msg["params"] : Json::object();
  bool is_request = msg.contains("id");
  // A failed request is answered with the error; a failed notification is logged.
  auto fail = [&](int code, const std::string& what) {
    if (is_request)
      Send({{"jsonrpc", "2.0"}, {"id", msg["id"]}, {"error", {{"code", code}, {"message", what}}}});
    else
      Log(method + ": " + what);
  };
  try {
    if (is_request) {
      Json id = msg["id"];
      if (!id.is_number_integer() && !id.is_string())
        throw RpcError{kInvalidRequest, "the `id` must be a number or a string"};
      Json result = Request(method, params);
      Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
    } else {
      Notification(method, params);
    }
  } catch (const RpcError& e) { fail(e.code, e.message); } catch (const Json::exception& e) {
    fail(kInvalidParams, std::string("invalid parameters: ") + e.what());
  } catch (const std::exception& e) { fail(kInternalError, std::string("internal error: ") + e.what()); }
}

int Server::Run() {
  std::signal(SIGPIPE, SIG_IGN);  // a client gone is a failed write, reported, not a signal
  char buf[65536];
  for (;;) {
    for (;;) {
      std::string body;
      Next n = TakeMessage(&body);
      if (n == Next::Broken) return 1;
      if (n == Next::Incomplete) break;
      if (n == Next::Message) Handle(body);
      if (write_failed_) return kOutputError;
      if (exited_) return shutdown_ ? 0 : 1;
    }
    int timeout = -1;
    for (const auto& when : {due_, verify_due_})
      if (when) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*when - Clock::now()).count();
        int t = int(std::max<int64_t>(0, left));
        timeout = timeout < 0 ? t : std::min(timeout, t);
      }
    pollfd p[2] = {{in_, POLLIN, 0}, {verify_pipe_[0], POLLIN, 0}};
    int ready = poll(p, verify_pipe_[0] < 0 ? 1 : 2, timeout);
    if (ready < 0 && errno != EINTR) {
      std::cerr << "edict lsp: cannot wait for input: " << std::strerror(errno) << "\n";
      return 1;
    }
    if (ready > 0 && verify_pipe_[0] >= 0 && (p[1].revents & POLLIN)) {
      FinishVerify();
      if (write_failed_) return kOutputError;
      continue;
    }
    if (ready > 0) {
      ssize_t n = read(in_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n < 0) std::cerr << "edict lsp: cannot read the input: " << std::strerror(errno) << "\n";
        return 1;  // the client went away without `exit`
      }
      input_.append(buf, size_t(n));
      continue;  // the messages first: a change that follows resets the delay
    }
    if (due_ && Clock::now() >= *due_) {
      due_.reset();
      PublishAll();
      if (write_failed_) return kOutputError;
      verify_due_ = Clock::now() + kVerifyDelay;
    }
    if (verify_due_ && Clock::now() >= *verify_due_) {
      verify_due_.reset();
      if (verify_on_) StartVerify();
    }
  }
}

}  // namespace

int Serve(int in_fd, int out_fd) { return Server(in_fd, out_fd).Run(); }

}  // namespace edict::lsp
