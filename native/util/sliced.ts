// Long work on the event loop, in slices: the work is a generator that yields after each bounded
// step (a day of journal, a segment of samples, a chunk of rows); the driver gives the loop back
// between steps (setImmediate) so other requests are served, and abandons the work past its
// deadline. The same generator runs to its end synchronously where nothing else is waiting (tests,
// small inputs), so the sliced and the one-shot results are the same code.
import { describeSpan } from './describe.js';

/** The work ran past its deadline and was abandoned (the transports answer 503). */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

export interface SliceOptions {
  /** What the work is, for the deadline message: "alarm KPIs over 2025-01-01 … 2025-12-31". */
  what: string;
  deadlineMs: number;
  now?: () => number;
  /** Called after each slice with the count so far (tests count yields; benchmarks time them). */
  onSlice?: (slices: number) => void;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Run `steps`, giving the event loop back after every yielded step. */
export async function runSliced<T>(steps: Generator<unknown, T>, opts: SliceOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const started = now();
  let slices = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    opts.onSlice?.(++slices);
    if (now() - started > opts.deadlineMs) {
      steps.return(undefined as T);
      throw new DeadlineExceeded(
        `${opts.what} did not finish within its deadline of ${describeSpan(opts.deadlineMs)}; ask for a shorter period`,
      );
    }
    await yieldToLoop();
  }
}

/** Run `steps` to the end without yielding: the one-shot form of the same work. */
export function runToEnd<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
