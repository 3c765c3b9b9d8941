// Who may import whom (VS Code-style layering), checked over every source file:
//   electron/  the only folder that imports 'electron'
//   native/    never imports electron, React or the renderer
//   renderer/  reaches native/ only through type-only imports of the API contract
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts|mjs)$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

interface ImportRef {
  file: string;
  spec: string;
  typeOnly: boolean;
}

const IMPORT =
  /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): ImportRef[] {
  const text = readFileSync(file, 'utf8');
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    if (spec) refs.push({ file: path.relative(root, file), spec, typeOnly: m[2] !== undefined });
  }
  return refs;
}

function resolvesInto(ref: ImportRef, folder: string): boolean {
  if (!ref.spec.startsWith('.')) return false;
  const target = path.resolve(root, path.dirname(ref.file), ref.spec);
  return target.startsWith(path.join(root, folder) + path.sep);
}

const isElectron = (r: ImportRef) => r.spec === 'electron' || r.spec.startsWith('electron/');
const isReact = (r: ImportRef) => /^(react|react-dom)(\/|$)/.test(r.spec);

describe('layering', () => {
  it('only electron/ imports electron', () => {
    const offenders = ['native', 'renderer']
      .flatMap(sources)
      .flatMap(importsOf)
      .filter((r) => isElectron(r) && !r.typeOnly);
    expect(offenders).toEqual([]);
  });

  it('native/ never imports React, the renderer or the shell', () => {
    const offenders = sources('native')
      .flatMap(importsOf)
      .filter((r) => isReact(r) || isElectron(r) || resolvesInto(r, 'renderer') || resolvesInto(r, 'electron'));
    expect(offenders).toEqual([]);
  });

  it('renderer/ imports native/ only type-only, and only the API contract', () => {
    const offenders = sources('renderer')
      .flatMap(importsOf)
      .filter((r) => resolvesInto(r, 'native') && (!r.typeOnly || !resolvesInto(r, 'native/api')));
    expect(offenders).toEqual([]);
  });

  it('the checker sees imports at all (guards against a regex that matches nothing)', () => {
    const refs = importsOf(path.join(root, 'electron', 'preload.ts'));
    expect(refs.some((r) => r.spec === 'electron' && !r.typeOnly)).toBe(true);
    expect(refs.some((r) => r.spec.includes('renderer/src/api/bridge') && r.typeOnly)).toBe(true);
  });
});
