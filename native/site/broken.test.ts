// Broken site files, each refused with exactly the problems it states, by check-config and by
// serve start alike.
//
// Fixture format (native/site/broken/*.yaml): a site file the console must refuse, whose first
// lines are comments:
//   # about: what the file gets wrong (optional, for people)
//   # expect: LINE:COLUMN FIELD: MESSAGE
// with one `# expect:` line per problem, in the order the validator reports them (file order).
// FIELD is the dotted path (connections[0].endpoint) or "(file)" for the file as a whole (YAML
// syntax). `<sitedir>` in a message stands for the absolute path of native/site/broken. The file
// must give exactly these problems: no more, no fewer; so a file with several `# expect:` lines
// also proves that every problem is reported at once. The comment lines count: positions are
// those of the file as it is. Files the site file names (TLS CA…) sit in broken/files/.
// Protocol fixtures are named after their protocol: modbus-*.yaml, opcua-*.yaml, mqtt-*.yaml.
//
// How "same answer" is shown, without 40+ slow console starts:
//   1. check-config is the real command line (`node --import tsx native/cli-main.ts check-config`
//      on the sources), run once with every fixture; its report for each file is compared with
//      the file's expectations, and the shipped demo site must still be valid.
//   2. For EVERY fixture, the function serve (and the desktop's core host) starts the console
//      with, startCore, must refuse before starting anything with a ConfigError whose text is
//      byte for byte the report check-config printed for that file: both go through the one
//      validator (native/site), and this checks that nothing on serve's path adds, drops or
//      rewords a problem.
//   3. `aurum serve --config FILE` as a real process, for one fixture of each stage (YAML, schema,
//      cross-reference, referenced file, several at once, and each protocol's first fixture): it
//      exits 1 with check-config's report on stderr, and never says it is serving.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, packageRoot, startCore } from '../core.js';
import { ConfigError } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, 'broken');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

interface Fixture {
  name: string;
  file: string;
  expected: string[];
}

const fixtures: Fixture[] = files.map((name) => {
  const file = path.join(dir, name);
  const expected = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('# expect: '))
    .map(
      (l) =>
        `${file}:${l
          .slice('# expect: '.length)
          .replace(/^(\d+):(\d+) /, '$1:$2: ')
          .replaceAll('<sitedir>', dir)}`,
    );
  return { name, file, expected };
});

// tsx's loader by its own URL: the commands run in another working directory, where "tsx" does not resolve.
const TSX = pathToFileURL(path.join(packageRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, path.join(packageRoot, 'native', 'cli-main.ts'), ...args],
      { cwd: os.tmpdir(), timeout: timeoutMs, env: { ...process.env, HOME: tmpHome } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

/** check-config's stderr, split into one report per refused file (each starts "<file>: N error(s)"). */
function reportsOf(stderr: string): Map<string, string> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stderr.split('\n')) {
    const head = /^(.*\.yaml): \d+ errors?$/.exec(line);
    if (head) {
      current = [line];
      out.set(head[1] as string, current);
    } else if (line !== '') current.push(line);
  }
  return new Map([...out].map(([file, lines]) => [file, lines.join('\n')]));
}

let tmpHome = '';
let checkConfig: Run;
let reports: Map<string, string>;

beforeAll(async () => {
  tmpHome = mkdtempSync(path.join(os.tmpdir(), 'aurum-broken-'));
  // The working directory is not the fixtures' folder: relative file names must resolve against the site file.
  checkConfig = await cli(['check-config', DEMO_SITE_FILE, ...fixtures.map((f) => f.file)], 120_000);
  reports = reportsOf(checkConfig.stderr);
}, 150_000);

afterAll(() => rmSync(tmpHome, { recursive: true, force: true }));

describe('broken site files', () => {
  it('has at least 40 of them, each stating what it expects', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    for (const f of fixtures) expect(f.expected.length, `${f.name} has no "# expect:" line`).toBeGreaterThan(0);
  });

  it('check-config accepts the shipped demo site and refuses the rest (exit 1)', () => {
    expect(checkConfig.stdout).toContain(`${DEMO_SITE_FILE}: valid`);
    expect(checkConfig.code).toBe(1);
  });

  it.each(fixtures)('check-config: $name', (f) => {
    const report = reports.get(f.file);
    expect(report, `check-config did not refuse ${f.name}`).toBeDefined();
    const [head, ...lines] = (report as string).split('\n');
    expect(lines).toEqual(f.expected);
    expect(head).toBe(`${f.file}: ${f.expected.length} error${f.expected.length === 1 ? '' : 's'}`);
  });

  it.each(fixtures)('serve start (startCore) gives check-config’s report: $name', async (f) => {
    const dataDir = mkdtempSync(path.join(tmpHome, 'data-'));
    const started = startCore({ siteFile: f.file, dataDir, shell: 'serve' });
    const err = await started.then(
      async (core) => {
        await core.stop();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(reports.get(f.file));
    // Nothing was started: the data dir holds no historian, audit or user store.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  const stages = [
    'yaml-indentation.yaml',
    'unknown-field-typo.yaml',
    'unknown-connection.yaml',
    'file-not-found-relative.yaml',
    'every-error-at-once.yaml',
  ];
  const protocols = ['modbus-', 'opcua-', 'mqtt-'].flatMap((p) => files.find((f) => f.startsWith(p)) ?? []);
  it.each([...stages, ...protocols])(
    'aurum serve (a real process) refuses %s with check-config’s report, before starting anything',
    async (name) => {
      const file = path.join(dir, name);
      const dataDir = mkdtempSync(path.join(tmpHome, 'serve-'));
      const run = await cli(['serve', '--config', file, '--data-dir', dataDir, '--port', '0'], 60_000);
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd()).toBe(reports.get(file));
      expect(run.stdout).not.toMatch(/serving/);
    },
    90_000,
  );
});
