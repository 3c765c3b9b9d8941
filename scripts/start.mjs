#!/usr/bin/env node
// `npm start`: the desktop console when an Electron runtime is available; otherwise serve mode on
// 127.0.0.1 with the same UI in a browser, after one line saying why. Extra arguments
// (`npm start -- --port 7800 --data-dir DIR --config SITE.yaml`) go to serve mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const node = process.execPath;
const args = process.argv.slice(2);

function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
}

function electronBinary() {
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** Electron's own installer fetches the runtime; offline it fails fast (name resolution) or times out. */
function tryInstallElectron() {
  if (process.env.AURUM_NO_ELECTRON_DOWNLOAD === '1' || !existsSync(path.join(electronDir, 'install.js'))) return 'download disabled';
  const r = spawnSync(node, [path.join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: 'pipe',
    timeout: 120_000,
    encoding: 'utf8',
  });
  if (r.status === 0 && electronBinary()) return null;
  const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.match(
    /(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|getaddrinfo[^\n]*|HTTPError[^\n]*)/,
  )?.[0];
  return r.error?.code === 'ETIMEDOUT' ? 'download timed out' : `download failed${why ? `: ${why}` : ''}`;
}

const build = run(node, [path.join(root, 'scripts', 'build.mjs'), '--if-needed']);
if (build.status !== 0) process.exit(build.status ?? 1);

let electron = electronBinary();
let reason = electron ? null : tryInstallElectron();
electron = electronBinary();
if (electron && !existsSync(path.join(root, 'native-electron', 'better_sqlite3.node'))) {
  const r = run(node, [path.join(root, 'scripts', 'rebuild-electron.mjs')], { stdio: 'pipe' });
  if (r.status !== 0) reason = 'better-sqlite3 could not be built for Electron (see scripts/rebuild-electron.mjs)';
}

if (electron && !reason) {
  const child = spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    `Electron runtime not available (${reason ?? 'not installed'}); starting serve mode instead — open the URL below in a browser.`,
  );
  const child = spawn(node, [path.join(root, 'bin', 'aurum.mjs'), 'serve', ...args], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
