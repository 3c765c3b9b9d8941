// electron-builder.yml against electron-builder's own validation (its JSON schema plus its checks
// for deprecated options), and the packaging decisions a schema cannot see: native modules and
// models unpacked from the asar archive, the app's folders included, the icons real images, the
// per-machine installer choice, auto-update off. A full package cannot be built on CI machines
// without an Electron binary; `electron-builder --linux dir -c.electronDist=<stub>` was used to check
// that these patterns select what the tests below say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebugLogger } from 'builder-util';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const raw = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;

const target = z.object({ target: z.string(), arch: z.array(z.string()) });
const config = z
  .object({
    appId: z.string(),
    productName: z.string(),
    files: z.array(z.string()),
    asar: z.literal(true),
    asarUnpack: z.array(z.string()),
    npmRebuild: z.literal(false),
    publish: z.null(),
    electronFuses: z.object({ runAsNode: z.literal(false), onlyLoadAppFromAsar: z.literal(true) }).passthrough(),
    win: z.object({ icon: z.string(), target: z.array(target) }).passthrough(),
    nsis: z
      .object({
        oneClick: z.literal(false),
        perMachine: z.literal(false),
        allowElevation: z.literal(true),
        deleteAppDataOnUninstall: z.literal(false),
      })
      .passthrough(),
    linux: z.object({ icon: z.string(), target: z.array(target) }).passthrough(),
  })
  .passthrough();
const cfg = config.parse(raw);

/** Does this file list (with "!" exclusions, last match wins as in electron-builder) take the path? */
function takes(patterns: string[], file: string): boolean {
  let taken = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (minimatch(file, p.slice(1), { dot: true })) taken = false;
    } else if (minimatch(file, p, { dot: true })) taken = true;
  }
  return taken;
}

// electron-builder's engine (app-builder-lib) validates with the same function its CLI calls; its
// logger is consulted only when debugging.
const loadValidator = () => import('app-builder-lib/out/util/config/config.js');
const quietLogger = new DebugLogger(false);

/** electron-builder's file macros, as it expands them for one target. */
function expand(patterns: string[], platform: 'linux' | 'win32', arch: 'x64' | 'arm64'): string[] {
  return patterns.map((p) => p.replace(/\$\{platform\}/g, platform).replace(/\$\{arch\}/g, arch));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration validation", async () => {
    const { validateConfiguration } = await loadValidator();
    await expect(validateConfiguration(structuredClone(raw), quietLogger)).resolves.toBeUndefined();
  });

  it('the validation can fail: a misspelt option and a wrong type are refused', async () => {
    const { validateConfiguration } = await loadValidator();
    const misspelt: Record<string, unknown> = { ...structuredClone(raw), asarUnpak: ['x'] };
    const wrongType: Record<string, unknown> = { ...structuredClone(raw), npmRebuild: 'no' };
    await expect(validateConfiguration(misspelt, quietLogger)).rejects.toThrow(/asarUnpak/);
    await expect(validateConfiguration(wrongType, quietLogger)).rejects.toThrow(/npmRebuild/);
  });

  it('unpacks the native modules, the Electron build of SQLite and the models from the asar archive', () => {
    for (const file of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/lib/database.js',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll',
      'native-electron/better_sqlite3.node',
      'models/pump-ae/1/model.onnx',
    ]) {
      expect(takes(cfg.asarUnpack, file), file).toBe(true);
    }
    expect(takes(cfg.asarUnpack, 'dist/native/cli.mjs')).toBe(false);
  });

  it('includes the built app, models, default resources and the Electron SQLite build, and leaves out sources', () => {
    const files = expand(cfg.files, 'linux', 'x64');
    for (const file of [
      'package.json',
      'dist/electron/main.cjs',
      'dist/electron/preload.cjs',
      'dist/native/electron-core-host.mjs',
      'dist/renderer/index.html',
      'models/pump-ae/1/model.onnx',
      'models/pump-ae/1/manifest.json',
      'resources/demo-site.yaml',
      'resources/emission-factors/grid-gb-desnz.json',
      'resources/icons/icon.png',
      'native-electron/better_sqlite3.node',
    ]) {
      expect(takes(files, file), file).toBe(true);
    }
    for (const file of [
      'native/core.ts',
      'renderer/main.tsx',
      'models/training/rul.ts',
      'models/shipped.test.ts',
      'bench/run.mjs',
      'e2e/app.test.ts',
      'docs/install.md',
    ]) {
      expect(takes(files, file), file).toBe(false);
    }
  });

  it("ships only the platform's own onnxruntime binaries, with no per-platform file list replacing the shared one", () => {
    // electron-builder replaces `files` with a platform section's own list (it does not merge them),
    // which once shipped the whole source tree; so there must be none.
    for (const platform of ['win', 'linux', 'mac'])
      expect((raw[platform] as Record<string, unknown> | undefined)?.files, platform).toBeUndefined();
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6';
    const linux = expand(cfg.files, 'linux', 'x64');
    const windows = expand(cfg.files, 'win32', 'x64');
    // node_modules entries are filtered by the exclusions only (electron-builder adds "**/*" first).
    const kept = (patterns: string[], file: string) => takes(['**/*', ...patterns.filter((p) => p.startsWith('!'))], file);
    expect(kept(linux, `${bin}/linux/x64/onnxruntime_binding.node`)).toBe(true);
    expect(kept(linux, `${bin}/linux/arm64/onnxruntime_binding.node`)).toBe(false);
    expect(kept(linux, `${bin}/win32/x64/onnxruntime_binding.node`)).toBe(false);
    expect(kept(linux, `${bin}/darwin/arm64/onnxruntime_binding.node`)).toBe(false);
    expect(kept(windows, `${bin}/win32/x64/onnxruntime.dll`)).toBe(true);
    expect(kept(windows, `${bin}/linux/x64/libonnxruntime.so.1`)).toBe(false);
    expect(kept(linux, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(kept(linux, 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(false);
  });

  it('builds NSIS + portable for Windows and AppImage + deb for Linux with distinct file names', () => {
    expect(cfg.productName).toBe('Aurum Console');
    expect(cfg.win.target.map((t) => t.target).sort()).toEqual(['nsis', 'portable']);
    expect(cfg.linux.target.map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    const nsisName = (raw.nsis as { artifactName: string }).artifactName;
    const portableName = (raw.portable as { artifactName: string }).artifactName;
    expect(nsisName).not.toBe(portableName);
  });

  it('points at real icons: a 512×512 PNG and an .ico with a 256 px image', () => {
    const png = readFileSync(path.join(root, cfg.linux.icon));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    const ico = readFileSync(path.join(root, cfg.win.icon));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1); // 1 = icon
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + i * 16) || 256);
    expect(widths).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });
});
