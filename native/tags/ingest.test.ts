// The push path's room check (tags.ingest, tags.ingestSeries, tags.ingestLines on the real ingest
// driver and tag bus): a push that could never fit its connection's maxQueue is refused at once as
// too large, in every form, naming its count and the limit; a queue that is full only for now
// answers "retry" and takes nothing. The historian's commit is held open by the test (a deferred
// promise), so "awaiting their commit" is a state the test controls, not a race.
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import { ingestConnectionSchema } from '../drivers/ingest/config.js';
import { createIngestDriver } from '../drivers/ingest/driver.js';
import { TagBus } from './bus.js';
import { type IngestStorage, tagHandlers } from './handlers.js';
import { testTag } from './test-tag.js';

const CTX: CallContext = { user: 'gw', role: 'operator', origin: 'internal' };
const NAME = 'Edge/Yard/Spare/X';

function setup() {
  const tags = [testTag(0, NAME, { connection: 'small' })];
  const bus = new TagBus(tags, undefined, undefined, { acceptWindow: { pastMs: 30 * 86_400_000, futureMs: 300_000 } });
  const config = ingestConnectionSchema.parse({
    name: 'small',
    protocol: 'ingest',
    maxQueue: 100,
    lineProtocol: { name: 'Edge/Yard/Spare/{field}' },
  });
  const driver = createIngestDriver(config, [{ id: 0, name: NAME, address: 'X', options: {} } as never], {
    bus,
    dataDir: '',
    log: () => undefined,
  } as never);
  // Commits wait until the test releases them, one by one.
  const pending: (() => void)[] = [];
  let commits = 0;
  const storage: IngestStorage = {
    refuse: () => null,
    commit: () => {
      commits++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  };
  const h = tagHandlers({ bus, machines: [], drivers: new Map([['small', driver]]), storage });
  return { bus, h, pending, commitCount: () => commits };
}

const t0 = Date.now() - 60_000;
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ tag: NAME, value: i, timestamp: t0 + i }));
const series = (n: number) => [{ tag: NAME, t: items(n).map((x) => x.timestamp), v: items(n).map((x) => x.value) }];
const lines = (n: number) => Array.from({ length: n }, (_, i) => `m X=${i} ${t0 + i}`).join('\n');

/** Settle a handler's answer: its value, or the ApiFailure's kind and sentence. */
async function outcome<T>(p: T | Promise<T>): Promise<T | { type: string; message: string }> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiFailure) return { type: err.type, message: err.message };
    throw err;
  }
}

describe('a push larger than its connection can ever hold', () => {
  const sentence =
    'this push holds 101 samples for connection small, more than its maxQueue of 100 (the samples it holds awaiting their commit), ' +
    'so it could never be taken and nothing of it was taken: split it into pushes of at most 100 samples';

  it('is refused at once as too large in each form, and nothing of it is taken', async () => {
    const { bus, h, commitCount } = setup();
    const before = bus.current(0);
    expect(await outcome(h['tags.ingest']({ items: items(101) }, CTX))).toEqual({ type: 'too_large', message: sentence });
    expect(await outcome(h['tags.ingestSeries']({ series: series(101) }, CTX))).toEqual({ type: 'too_large', message: sentence });
    expect(await outcome(h['tags.ingestLines']({ text: lines(101), precision: 'ms' }, CTX))).toEqual({
      type: 'too_large',
      message: sentence,
    });
    expect(bus.current(0)).toEqual(before);
    expect(commitCount()).toBe(0);
  });

  it('counts only the samples it would take: refused items leave room', async () => {
    const { h, pending } = setup();
    const mixed = [...items(100), ...Array.from({ length: 20 }, () => ({ tag: 'Edge/Yard/Spare/Nope', value: 1 }))];
    const answer = h['tags.ingest']({ items: mixed }, CTX);
    await expect.poll(() => pending.length, { timeout: 5_000 }).toBe(1);
    pending.shift()?.();
    const done = (await answer) as { accepted: number; rejected: unknown[] };
    expect(done.accepted).toBe(100);
    expect(done.rejected).toHaveLength(20);
  });
});

describe('a queue full for now', () => {
  it('answers "retry" and takes nothing; once the commit before is over the same push is taken', async () => {
    const { bus, h, pending } = setup();
    const first = h['tags.ingest']({ items: items(60) }, CTX);
    await expect.poll(() => pending.length, { timeout: 5_000 }).toBe(1);
    // 60 samples await their commit: 60 more do not fit under 100 now, in any form.
    const later = items(60).map((x) => ({ ...x, value: x.value + 1000, timestamp: x.timestamp + 100 }));
    expect(await h['tags.ingest']({ items: later }, CTX)).toEqual({ accepted: 0, rejected: [], retryAfterS: 1 });
    expect(await h['tags.ingestSeries']({ series: series(60) }, CTX)).toEqual({ accepted: 0, rejected: [], retryAfterS: 1 });
    expect(await h['tags.ingestLines']({ text: lines(60), precision: 'ms' }, CTX)).toEqual({ accepted: 0, rejected: [], retryAfterS: 1 });
    expect(bus.current(0).value).toBe(59);
    pending.shift()?.();
    expect(await first).toEqual({ accepted: 60, rejected: [] });
    const again = h['tags.ingest']({ items: later }, CTX);
    await expect.poll(() => pending.length, { timeout: 5_000 }).toBe(1);
    pending.shift()?.();
    expect(await again).toEqual({ accepted: 60, rejected: [] });
    expect(bus.current(0).value).toBe(1059);
  });
});
