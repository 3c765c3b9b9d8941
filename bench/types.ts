/** One benchmark figure with the same-run baseline it is judged against (these machines are noisy). */
export interface BenchResult {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** What the baseline is, e.g. "bare better-sqlite3 row inserts". */
  baseline: string;
  baselineValue: number;
  /** Optional target, stated so the table shows whether it is met. */
  target?: string;
  notes?: string;
}

/** A benchmark module: `bench/<name>.bench.ts` default-exports one of these. */
export type Bench = (opts: { quick: boolean }) => Promise<BenchResult[]>;
