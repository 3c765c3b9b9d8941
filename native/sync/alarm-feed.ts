// Every journaled alarm transition, queued for the uplink once, in journal order. The journal's
// sequence number of the last entry queued is kept in sync.db, written in the same transaction as
// the queued rows, so a restart resumes exactly after what the outbox holds. (Delivery from the
// outbox is at least once; the back end de-duplicates by message id.)
// Read in pages, one page per turn of the event loop, so a long journal never holds the loop.
import type { JournalEntry } from '../api/alarm-requests.js';
import type { SyncService } from './service.js';

const MARK = 'alarms.lastSeq';
const PAGE = 500;

export interface JournalSource {
  journal(q: { afterSeq: number; limit: number }): JournalEntry[];
}

export interface AlarmFeed {
  /** New entries were journaled: queue them (coalesced to one read per turn). */
  changed(): void;
  /** Queue one page now; returns how many entries were queued. */
  tick(): number;
  stop(): void;
}

export function startAlarmFeed(opts: {
  sync: SyncService;
  journal: JournalSource;
  /** A read or queue that fails (reported by the caller's boundary; retried on the next change). */
  onError?: (err: unknown) => void;
}): AlarmFeed {
  let scheduled = false;
  let stopped = false;

  function tick(): number {
    const after = opts.sync.mark(MARK) ?? 0;
    const page = opts.journal.journal({ afterSeq: after, limit: PAGE });
    const last = page[page.length - 1];
    if (!last) return 0;
    for (const e of page) opts.sync.enqueue('alarms', e);
    // The rows and the mark past them reach sync.db in one transaction: after a crash the feed
    // resumes exactly after what the outbox holds, so no entry is skipped or queued twice.
    opts.sync.setMarkWithQueued(MARK, last.seq);
    return page.length;
  }

  function changed(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (stopped) return;
      try {
        // A full page means more may wait: read on in the next turn.
        if (tick() === PAGE) changed();
      } catch (err) {
        opts.onError?.(err);
      }
    });
  }

  // Transitions journaled while the console was stopped (or before the link was configured).
  changed();
  return {
    changed,
    tick,
    stop: () => {
      stopped = true;
    },
  };
}
