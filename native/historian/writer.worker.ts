// The historian's writer thread: owns the write connection, folds batches into the store as they
// arrive and commits them every flushIntervalMs, sooner when many samples wait, and at once for the
// flushes an acknowledged push waits on (all those that arrived meanwhile in one commit), so
// encoding, compression and SQLite I/O never run on the thread that serves the bus and the UI.
import { statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../util/errors.js';
import type { FromWriter, ToWriter, WriterInit } from './protocol.js';
import { HistorianStore, isNoRoom } from './store.js';

const port = parentPort;
if (!port) throw new Error('writer.worker must run in a worker thread');
const init = workerData as WriterInit;
const post = (m: FromWriter) => port.postMessage(m);

let store: HistorianStore;
try {
  store = new HistorianStore({
    file: init.file,
    tagNames: init.tagNames,
    policies: init.policies,
    deflateLevel: init.deflateLevel,
    maxDbBytes: init.maxDbBytes,
    durability: init.durability,
  });
} catch (err) {
  post({ type: 'fatal', message: describeError(err), noRoom: isNoRoom(err) });
  // Ends this thread only, without an 'error' event that nobody listens to any more.
  process.exit(1);
}

let received = 0;
let committed = 0;
type Batch = Extract<ToWriter, { type: 'batch' }>;
/** A new tag table waiting for a commit to succeed, and the batches that arrived meanwhile (bounded by the main thread's buffer). */
let retag: Extract<ToWriter, { type: 'retag' }> | null = null;
const held: Batch[] = [];
let lastBatchMs = 0;
/** Below this much free space the disk counts as full: a commit of many samples needs room. */
const MIN_FREE_BYTES = 1 << 20;

/** Why there is no room to write now (disk full, the site's cap reached), or null. */
function noRoom(): string | null {
  if (init.maxDbBytes !== null) {
    let bytes = 0;
    for (const ext of ['', '-wal']) {
      try {
        bytes += statSync(init.file + ext).size;
      } catch {
        // no WAL
      }
    }
    if (bytes >= init.maxDbBytes) return `the database reached its cap of ${(init.maxDbBytes / 1048576).toFixed(3)} MB (historian.maxDbMB)`;
  }
  try {
    const fs = statfsSync(path.dirname(init.file));
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return `disk full: ${fs.bavail * fs.bsize} bytes free`;
  } catch {
    // statfs unsupported: only failed writes tell
  }
  return null;
}

// Started on a full disk: read-only until a commit succeeds, or until there is room again.
const readOnly = store.recovery.recoveryDeferred !== null ? `disk full: ${store.recovery.recoveryDeferred}` : noRoom();
let failingSince: number | null = readOnly === null ? null : Date.now();
let lastAttempt = 0;
const RETRY_MS = 1000;

function tryCommit(force: boolean): string | null {
  if (!store.hasChanges) return null;
  const now = Date.now();
  if (failingSince !== null && !force && now - lastAttempt < RETRY_MS) return 'writes are failing';
  lastAttempt = now;
  try {
    const before = received;
    const stats = store.commit();
    committed = before;
    lastBatchMs = stats.ms;
    if (failingSince !== null) {
      post({
        type: 'system',
        level: 'info',
        message: `historian writes resumed after ${Math.round((now - failingSince) / 1000)} s; buffered samples are stored`,
        failing: false,
      });
      failingSince = null;
    }
    const q = store.lastQuarantine;
    if (q) {
      post({
        type: 'system',
        level: 'error',
        message: `historian quarantined ${q.samples} sample${q.samples === 1 ? '' : 's'} of ${q.tags.join(', ')} that could not be stored (${q.reason}); every other sample was committed; they are kept in the quarantine table`,
      });
    }
    post({
      type: 'committed',
      stats: {
        committed,
        pending: store.pending,
        batchLatencyMs: lastBatchMs,
        chunkBytes: store.chunkBytes,
        chunkSamples: store.chunkSamples,
        quarantined: store.quarantinedTotal,
      },
    });
    return null;
  } catch (err) {
    const message = describeError(err);
    if (failingSince === null) {
      failingSince = now;
      const full = /full|SQLITE_FULL/i.test(message);
      post({
        type: 'system',
        level: 'error',
        message: `historian cannot write ${init.file} (${full ? 'disk full' : message}); samples are kept in memory and written when it can`,
        failing: true,
      });
    }
    return message;
  }
}

function ingest(m: Batch): void {
  store.ingest(m.n, m.ids, m.ts, m.values, m.quality);
  received += m.n;
  if (store.pending >= init.maxBatchSamples) tryCommit(false);
}

/**
 * Put a new tag table (and storage rules) in force: what the store holds is committed first (as
 * it stands: chunks being filled stay open), then the open store takes the new table in place
 * (HistorianStore.retag: rows of new tags made, no chunk sealed, the file neither checked nor
 * reopened), and the batches held meanwhile are ingested. Null when done; else why not yet
 * (writes failing: retried by the timer).
 */
function applyRetag(): string | null {
  const next = retag;
  if (!next) return null;
  const failed = tryCommit(true);
  if (failed !== null) return failed;
  try {
    store.retag(next.tagNames, next.policies, next.durability);
  } catch (err) {
    return `the store could not take the new tag table (${describeError(err)})`;
  }
  retag = null;
  for (const m of held.splice(0)) ingest(m);
  return null;
}

const timer = setInterval(() => {
  if (retag && applyRetag() !== null) return;
  if (store.hasChanges) {
    tryCommit(false);
    return;
  }
  // Nothing to write while writes fail: whether there is room again decides when recording resumes.
  const now = Date.now();
  if (failingSince === null || now - lastAttempt < RETRY_MS) return;
  lastAttempt = now;
  if (noRoom() === null) {
    post({
      type: 'system',
      level: 'info',
      message: `historian has room to write again after ${Math.round((now - failingSince) / 1000)} s; recording resumes`,
      failing: false,
    });
    failingSince = null;
  }
}, init.flushIntervalMs);

/** Flushes waiting for the commit that answers them. */
const flushes: number[] = [];

/** Commit once for every flush waiting, and answer each. */
function answerFlushes(): void {
  if (flushes.length === 0) return;
  // A flush acknowledges what came before it: held batches count, so the new table goes first.
  const waiting = retag ? applyRetag() : null;
  const error = waiting ?? tryCommit(true);
  for (const id of flushes.splice(0)) post({ type: 'done', id, error });
}

port.on('message', (m: ToWriter) => {
  // Any other request is answered after the flushes before it, as it was sent after them.
  if (m.type !== 'batch' && m.type !== 'flush') answerFlushes();
  switch (m.type) {
    case 'batch':
      if (retag) held.push(m);
      else ingest(m);
      break;
    case 'flush':
      // Answered after the messages already queued behind it are read: every flush that arrived
      // meanwhile (each acknowledged push sends one) shares one commit.
      flushes.push(m.id);
      if (flushes.length === 1) setImmediate(answerFlushes);
      break;
    case 'retag': {
      retag = m;
      const error = applyRetag();
      post({
        type: 'done',
        id: m.id,
        error: error === null ? null : `${error}; the new tag table is put in force once the historian can write`,
      });
      break;
    }
    case 'retention':
      try {
        post({ type: 'done', id: m.id, error: null, result: store.applyRetention(m.now) });
      } catch (err) {
        post({ type: 'done', id: m.id, error: (err as Error).message });
      }
      break;
    case 'quota':
      init.maxDbBytes = m.maxDbBytes;
      store.setQuota(m.maxDbBytes);
      post({ type: 'done', id: m.id, error: null });
      break;
    case 'close': {
      clearInterval(timer);
      if (retag) applyRetag();
      store.finish();
      const error = tryCommit(true);
      store.close();
      post({ type: 'done', id: m.id, error });
      port.close();
      break;
    }
  }
});

post({ type: 'ready', recovery: { ...store.recovery, readOnly } });
