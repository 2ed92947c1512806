// The Edict extension's client: starts `<edict.path> lsp` over standard input and output for
// .edict files (the server is compiler/lsp/, docs/editors.md) and restarts it when the setting
// changes. Plain JavaScript: VS Code loads this file as it is, with no build step.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const fs = require('fs');
const path = require('path');

let client = null;

// The binary the setting names: a path (absolute, or relative to the first workspace folder) when
// it contains a separator, otherwise a name looked up on PATH. Returns null when nothing is found.
function resolveBinary(setting) {
  const isFile = (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch (e) {
      return false;
    }
  };
  if (setting.includes('/') || setting.includes('\\')) {
    let p = setting.startsWith('~/') ? path.join(require('os').homedir(), setting.slice(2)) : setting;
    if (!path.isAbsolute(p) && vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 0) {
      p = path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, p);
    }
    return isFile(p) ? p : null;
  }
  const exts = process.platform === 'win32' ? (process.env.PATHEXT || '.EXE').split(';') : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, setting + ext);
      if (isFile(candidate)) return candidate;
    }
  }
  return null;
}

async function start(context) {
  const setting = vscode.workspace.getConfiguration('edict').get('path', 'edict') || 'edict';
  const binary = resolveBinary(setting);
  if (binary === null) {
    const choice = await vscode.window.showErrorMessage(
      `Edict: the language server cannot start: no executable "${setting}" was found` +
        (setting.includes('/') ? '.' : ' on PATH.') +
        ' Build Edict (./quickstart.sh) and set "edict.path" to its build/edict.',
      'Open Settings');
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'edict.path');
    }
    return;
  }
  const server = { command: binary, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient('edict', 'Edict Language Server', { run: server, debug: server }, {
    documentSelector: [{ scheme: 'file', language: 'edict' }, { scheme: 'untitled', language: 'edict' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.edict') },
  });
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(`Edict: "${binary} lsp" failed to start: ${err && err.message ? err.message : err}`);
    client = null;
  }
}

async function stop() {
  if (client !== null) {
    const c = client;
    client = null;
    await c.stop();
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('edict.restartServer', async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('edict.path')) {
        await stop();
        await start(context);
      }
    }));
  await start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, resolveBinary };
