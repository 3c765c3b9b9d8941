// `npm run bench [-- name…] [-- --quick]`: runs bench/<name>.bench.ts modules, prints one table and
// writes bench/results/latest.json. Every figure stands beside a baseline measured in the same run.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './types.js';

const dir = import.meta.dirname;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const selected = wanted.length > 0 ? wanted : available;
const unknown = selected.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const results: BenchResult[] = [];
for (const name of selected) {
  console.error(`bench: ${name}…`);
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.bench.ts`)).href)) as { default: Bench };
  const started = Date.now();
  results.push(...(await mod.default({ quick })));
  console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString());
console.table(
  results.map((r) => ({
    bench: r.bench,
    metric: r.metric,
    value: `${fmt(r.value)} ${r.unit}`,
    baseline: `${fmt(r.baselineValue)} ${r.unit} (${r.baseline})`,
    ratio: r.baselineValue ? `${(r.value / r.baselineValue).toFixed(2)}×` : '—',
    target: r.target ?? '',
  })),
);
const out = path.join(dir, 'results');
mkdirSync(out, { recursive: true });
const file = path.join(out, 'latest.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
// Benchmarks leave servers and workers behind only by mistake: do not let one hang the run.
process.exit(0);
