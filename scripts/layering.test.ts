// Who may import whom (VS Code-style layering), checked over every source file:
//   electron/  the only folder that imports 'electron'
//   native/    never imports electron, React or the renderer
//   renderer/  reaches native/ only through type-only imports of the API contract
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/**
 * The source file a relative import names, or undefined when it leaves `dir` or is not a script.
 * Native code names its imports './x.js' (the emitted name) for the file x.ts.
 */
function resolveWithin(ref: ImportRef, dir: string): string | undefined {
  if (!ref.spec.startsWith('.')) return undefined;
  const base = path.resolve(root, path.dirname(ref.file), ref.spec);
  if (!base.startsWith(dir + path.sep)) return undefined;
  const script = base.replace(/\.js$/, '');
  for (const candidate of [base, `${script}.ts`, `${script}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (/\.(ts|tsx)$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
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
    expect(refs.some((r) => r.spec.includes('renderer/src/platform/bridge') && r.typeOnly)).toBe(true);
  });
});

// ── Renderer layout ─────────────────────────────────────────────────────────────────────────────
// renderer/src is laid out by feature, in floors; a file imports only its own floor or one below:
//   platform/  API client, envelope, bridge, live and shared stores, navigation   (floor 0)
//   lib/       format, period, download, decimate, search, useDebounced           (floor 1)
//   ui/        shared parts: DataTable, FilterBar, LiveValue, Priority, TrendChart… (floor 2)
//   features/  one folder per screen, with its own parts and stores               (floor 3)
//   app/       the screen table, routes, the shell around the screens             (floor 4)
//   main.tsx   the entry                                                          (floor 5)
// A feature never imports another feature, and no import circle exists anywhere in renderer/.
const RENDERER = path.join(root, 'renderer', 'src');
// api/ holds only the bridge type re-export that electron/preload.ts still imports by path.
const RENDERER_FLOORS: Record<string, number> = { platform: 0, api: 0, lib: 1, ui: 2, features: 3, app: 4 };

function rendererFloor(file: string): number | undefined {
  const rel = path.relative(RENDERER, file);
  if (rel === 'main.tsx') return 5;
  return RENDERER_FLOORS[rel.split(path.sep)[0] ?? ''];
}

/** The renderer file an import names, or undefined when it leaves renderer/src or is not a script (CSS). */
function resolveRendererImport(ref: ImportRef): string | undefined {
  return resolveWithin(ref, RENDERER);
}

/** Every import edge between renderer files, type-only ones included (a type circle is a circle too). */
function rendererGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(path.join('renderer', 'src'))) {
    const targets = importsOf(file)
      .map(resolveRendererImport)
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Each import circle once, as the files around it (Tarjan's strongly connected components). */
function importCircles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

const rel = (f: string) => path.relative(root, f);
const featureOf = (f: string) => {
  const parts = path.relative(RENDERER, f).split(path.sep);
  return parts[0] === 'features' ? parts[1] : undefined;
};

describe('renderer layout', () => {
  const graph = rendererGraph();

  it('every renderer file sits on a floor', () => {
    expect([...graph.keys()].filter((f) => rendererFloor(f) === undefined).map(rel)).toEqual([]);
  });

  it('a file imports only its own floor or one below (platform < lib < ui < features < app < main)', () => {
    const offenders = [...graph].flatMap(([from, targets]) =>
      targets.filter((to) => (rendererFloor(to) ?? 0) > (rendererFloor(from) ?? 0)).map((to) => `${rel(from)} → ${rel(to)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('a feature never imports another feature', () => {
    const offenders = [...graph].flatMap(([from, targets]) =>
      targets
        .filter((to) => featureOf(from) !== undefined && featureOf(to) !== undefined && featureOf(from) !== featureOf(to))
        .map((to) => `${rel(from)} → ${rel(to)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no import circle in renderer/', () => {
    expect(importCircles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it('the checks see the graph (guards against a resolver that finds nothing)', () => {
    const app = graph.get(path.join(RENDERER, 'app', 'screens.tsx')) ?? [];
    expect(app).toContain(path.join(RENDERER, 'features', 'trends', 'Trends.tsx'));
    expect(
      importCircles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
  });
});

// ── Native floors ───────────────────────────────────────────────────────────────────────────────
// native/ is built in floors; a file imports only its own floor or one below, never above:
//   util/          logging, errors, containment, SQLite, workers, messages            (floor 0)
//   api/           the contract: request schemas, events, the handler registry         (floor 1)
//   tags/bus.ts    the tag bus and the UI value stream over it, and capability.ts:
//                  the one shape of a capability and the ctx it is opened with         (floor 2)
//   <capability>/  alarms, auth, drivers, esg, historian, inference, maintenance,
//                  plant, sync, the rest of tags                                       (floor 3)
//   site/          site-file loading, the joined schema, the editor                   (floor 4)
//   core.ts        the list of capabilities and the loop that opens them              (floor 5)
//   server/, cli   the shells' transports and the command line                         (floor 6)
// Tests (*.test.ts) sit above every floor and are not part of the graph. Type-only imports count:
// a type imported from above still makes the lower file know the upper one, and a circle of types
// is still two files that cannot be read, moved or changed apart.
const NATIVE = path.join(root, 'native');
const NATIVE_FLOORS: [prefix: string, floor: number][] = [
  ['util/', 0],
  ['api/', 1],
  ['tags/bus.ts', 2],
  ['tags/value-stream.ts', 2],
  ['capability.ts', 2],
  ...['alarms', 'auth', 'displays', 'drivers', 'esg', 'historian', 'inference', 'maintenance', 'plant', 'sync', 'tags'].map(
    (c): [string, number] => [`${c}/`, 3],
  ),
  ['site/', 4],
  ['core.ts', 5],
  ['server/', 6],
  ['cli.ts', 6],
  ['cli-main.ts', 6],
];
const NATIVE_FLOOR_NAMES = ['util', 'api', 'tags/bus', 'capabilities', 'site', 'core', 'shells'];

function nativeFloor(file: string): number | undefined {
  const rel = path.relative(NATIVE, file).split(path.sep).join('/');
  // The longest matching prefix wins: tags/bus.ts is on the bus floor, the rest of tags/ above it.
  const match = NATIVE_FLOORS.filter(([prefix]) => rel === prefix || (prefix.endsWith('/') && rel.startsWith(prefix))).sort(
    (a, b) => b[0].length - a[0].length,
  )[0];
  return match?.[1];
}

/** Every import edge between native source files (tests excluded), type-only ones included. */
function nativeGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources('native').filter((f) => !/\.test\.ts$/.test(f))) {
    const targets = importsOf(file)
      .map((r) => resolveWithin(r, NATIVE))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

describe('native floors', () => {
  const graph = nativeGraph();

  it('every native source file sits on a floor', () => {
    expect([...graph.keys()].filter((f) => nativeFloor(f) === undefined).map(rel)).toEqual([]);
  });

  it('a file imports only its own floor or below (util < api < tags/bus < capabilities < site < core < shells)', () => {
    const name = (f: string) => NATIVE_FLOOR_NAMES[nativeFloor(f) ?? 0];
    const offenders = [...graph].flatMap(([from, targets]) =>
      targets
        .filter((to) => (nativeFloor(to) ?? 0) > (nativeFloor(from) ?? 0))
        .map((to) => `${rel(from)} (${name(from)}) → ${rel(to)} (${name(to)})`),
    );
    expect(offenders).toEqual([]);
  });

  it('native/core.ts stays a short list and a loop: under 120 lines, nothing bound late (no let)', () => {
    const text = readFileSync(path.join(NATIVE, 'core.ts'), 'utf8');
    expect(text.split('\n').length).toBeLessThan(120);
    expect(text.match(/^\s*let\s.*$/gm) ?? []).toEqual([]);
  });

  it('no import circle in native/', () => {
    expect(importCircles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it('the checks see the graph (guards against a resolver that finds nothing)', () => {
    expect(graph.get(path.join(NATIVE, 'core.ts'))).toContain(path.join(NATIVE, 'tags', 'bus.ts'));
    expect(nativeFloor(path.join(NATIVE, 'tags', 'bus.ts'))).toBe(2);
    expect(nativeFloor(path.join(NATIVE, 'tags', 'handlers.ts'))).toBe(3);
  });
});
