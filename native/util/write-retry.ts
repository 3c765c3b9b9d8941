// Writes that must not be lost when the disk refuses them for a while (disk full, an I/O fault):
// the store holds what it could not write in memory (bounded, its own business) and this retries
// it with the next write and on a timer, logging the fault once when it starts (RepeatedFault) and
// once when it clears. One mechanism for the alarm journal, the audit trail and whatever else holds rows.
import { describeError } from './errors.js';
import type { RepeatedFault } from './log.js';

export interface WriteRetryOptions {
  /** Writes everything held, in one transaction; throws when the disk refuses it. */
  write: () => void;
  faults: RepeatedFault;
  /** The fault's key in `faults`. */
  key: string;
  /** The log line when a write fails, given the cause (describeError). */
  failed: (cause: string) => string;
  /** The log line when held rows are written again. */
  cleared: string;
  retryMs?: number;
}

export class WriteRetry {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: WriteRetryOptions) {}

  /** True while an earlier write failed and a retry is scheduled. */
  get failing(): boolean {
    return this.timer !== null;
  }

  /** Write what is held now; false (and a retry scheduled) when the disk refused it. Never throws. */
  run(): boolean {
    try {
      this.opts.write();
    } catch (err) {
      this.opts.faults.report(this.opts.key, this.opts.failed(describeError(err)), 'error');
      if (!this.timer) {
        this.timer = setInterval(() => this.run(), this.opts.retryMs ?? 2000);
        this.timer.unref();
      }
      return false;
    }
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.opts.faults.clear(this.opts.key, this.opts.cleared);
    }
    return true;
  }

  /** Stop retrying (the database is closing). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
