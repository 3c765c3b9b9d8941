#!/usr/bin/env node
// Builds everything that runs: the core and CLI bundle (dist/native), worker bundles, the Electron
// shell (dist/electron) and the renderer (dist/renderer, Vite).
//   node scripts/build.mjs              full build
//   node scripts/build.mjs --if-needed  skip when dist/ is newer than every source file
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const SOURCE_DIRS = ['native', 'electron', 'renderer', 'resources'];

function newestSource() {
  let newest = statSync(path.join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(path.join(root, d))) walk(path.join(root, d));
  return newest;
}

function workerEntries() {
  const entries = {};
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.worker.ts')) {
        const rel = path.relative(path.join(root, 'native'), p).replace(/\.worker\.ts$/, '');
        entries[`workers/${rel.split(path.sep).join('-')}`] = p;
      }
    }
  };
  walk(path.join(root, 'native'));
  return entries;
}

if (process.argv.includes('--if-needed') && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);

const started = Date.now();
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning', packages: 'external' };

await Promise.all([
  // The core, the CLI and workers: ESM, dependencies left to node_modules (native addons, large SDKs).
  esbuild({
    ...common,
    format: 'esm',
    outdir: path.join(dist, 'native'),
    outExtension: { '.js': '.mjs' },
    entryPoints: {
      cli: path.join(root, 'native/cli-main.ts'),
      'electron-core-host': path.join(root, 'electron/core-host.ts'),
      ...workerEntries(),
    },
  }),
  // The Electron main process: CommonJS, as Electron loads it.
  esbuild({
    ...common,
    format: 'cjs',
    outfile: path.join(dist, 'electron', 'main.cjs'),
    external: ['electron'],
    entryPoints: [path.join(root, 'electron/main.ts')],
  }),
  // The preload: a sandboxed preload may require only 'electron', so everything else is bundled in.
  esbuild({
    ...common,
    packages: undefined,
    format: 'cjs',
    outfile: path.join(dist, 'electron', 'preload.cjs'),
    external: ['electron'],
    entryPoints: [path.join(root, 'electron/preload.ts')],
  }),
]);

const { build: viteBuild } = await import('vite');
await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });

mkdirSync(dist, { recursive: true });
writeFileSync(stamp, new Date().toISOString());
console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
