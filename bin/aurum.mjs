#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `aurum` command line: builds on first use from a source checkout, then runs the bundled CLI.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'native', 'cli.mjs');
if (!existsSync(cli)) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(cli);
