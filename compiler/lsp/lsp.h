// `edict lsp`: the Language Server Protocol (JSON-RPC 2.0 with Content-Length framing) for any
// editor, over a pair of file descriptors (standard input and output). docs/editors.md lists what
// it answers. It checks each open document with the same loader, checker and formatter as the
// commands (compiler/load, compiler/format), with the editor's unsaved buffers standing for the
// files on disk, imports included.
#pragma once

namespace edict::lsp {

// Serves one client until it sends `exit` or closes its end. Returns the exit code: 0 after
// `shutdown` then `exit`; 1 on `exit` without `shutdown`, at the end of the input without `exit`,
// or after input that cannot be framed; 74 when an answer could not be written. Diagnostics about
// the protocol itself go to standard error.
int Serve(int in_fd, int out_fd);

}  // namespace edict::lsp
