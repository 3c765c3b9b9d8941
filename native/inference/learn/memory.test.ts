// Learning's memory does not grow with the period: the fit streams the history (three passes, one
// stretch read at a time, bounded score samples), and a period past the budget is subsampled. Live
// memory (heap without compiled code + array buffers, after two full collections, every third
// slice) is measured in a child process so nothing else of the test run is counted, the median of
// three children; the figures are byte counts, not times.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memory.fixture.ts');

function measureOnce(hours: number): { rows: number; peakBytes: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, String(hours)], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`memory fixture for ${hours} h failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim()) as { rows: number; peakBytes: number };
}

/**
 * The median of three children: a child's figure still moves by a tenth or two of a megabyte with
 * what the runtime does beside the fit (more on a loaded machine), against a fit that holds under 1 MB.
 */
function measure(hours: number): { rows: number; peakBytes: number } {
  const runs = [measureOnce(hours), measureOnce(hours), measureOnce(hours)].sort((a, b) => a.peakBytes - b.peakBytes);
  return runs[1] as { rows: number; peakBytes: number };
}

describe('learning memory, 8 tags at 1 Hz', () => {
  let small: ReturnType<typeof measure>;
  let day: ReturnType<typeof measure>;
  let tenDays: ReturnType<typeof measure>;
  beforeAll(() => {
    small = measure(2.4);
    day = measure(24);
    tenDays = measure(240);
  }, 300_000);

  it('10× the rows read (2.4 h → 1 day, both read whole) uses less than 1.5× the memory', () => {
    expect(day.rows).toBeGreaterThan(9.9 * small.rows);
    expect(day.peakBytes).toBeLessThan(1.5 * small.peakBytes);
  });

  it('10 days use less than 1.5× the memory of one (the period past a day is subsampled to a day of rows)', () => {
    expect(tenDays.rows).toBeLessThanOrEqual(day.rows);
    expect(tenDays.peakBytes).toBeLessThan(1.5 * day.peakBytes);
  });
});
