#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into native-electron/better_sqlite3.node, next to (not
// instead of) the Node build npm made. native/util/sqlite.ts selects it under Electron through
// better-sqlite3's `nativeBinding` option, so tests and serve mode keep using the Node build.
// Needs Electron's headers (fetched by node-gyp from Electron's header server, or from
// ELECTRON_HEADERS_DIR for offline machines: a folder with Electron's node headers).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const work = mkdtempSync(path.join(os.tmpdir(), 'aurum-sqlite-electron-'));
cpSync(path.join(root, 'node_modules', 'better-sqlite3'), work, {
  recursive: true,
  filter: (src) => !src.includes(`${path.sep}build${path.sep}`),
});
const headers = process.env.ELECTRON_HEADERS_DIR;
const gyp = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const argv = [
  gyp,
  'rebuild',
  '--release',
  `--target=${electronVersion}`,
  `--arch=${process.arch}`,
  '--runtime=electron',
  headers ? `--nodedir=${headers}` : '--dist-url=https://electronjs.org/headers',
];
const r = spawnSync(process.execPath, argv, { cwd: work, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: headers ?? '' } });
if (r.status !== 0) {
  rmSync(work, { recursive: true, force: true });
  console.error(`rebuild-electron: node-gyp failed for Electron ${electronVersion}`);
  process.exit(r.status ?? 1);
}
mkdirSync(path.join(root, 'native-electron'), { recursive: true });
cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), path.join(root, 'native-electron', 'better_sqlite3.node'));
rmSync(work, { recursive: true, force: true });
console.log(`rebuild-electron: native-electron/better_sqlite3.node built for Electron ${electronVersion}`);
