import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historyRequests } from '../api/history-requests.js';
import { ApiFailure } from '../api/registry.js';
import { TagBus } from '../tags/bus.js';
import { openSqlite } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { type Historian, historyHandlers, openHistorian } from './index.js';
import { StoreReader } from './reader.js';
import { HistorianStore } from './store.js';
import { STATE_ROWS_SQL } from './tag-state.js';
import { backToSegments, batch, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const TAGS = makeTags(40);
const open: Historian[] = [];
const dirs: string[] = [];

async function start(dir: string) {
  const h = await openHistorian({ dir, tags: TAGS, now: () => T0 + 86_400_000, retentionIntervalMs: 0 });
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

/** Tags 0–9 stop reporting early; tag 10 fills several chunks; quality varies. */
function feed(bus: TagBus): void {
  let step = 0;
  const put = (id: number, i: number) => bus.update(id, Math.round(Math.sin(i / 50) * 1000) / 10, i % 13 === 0 ? 1 : 0, T0 + ++step * 500);
  for (let i = 0; i < 5000; i++) {
    const id = i % TAGS.length;
    if (id >= 10 || i < 400) put(id, i);
    if (i < 2500) put(10, i + 1);
    if (i % 97 === 0) bus.flush();
  }
  bus.flush();
}

/** A historian in a new dir that feed() filled over a bus, flushed; the bus holds the current values. */
async function fedHistorian(): Promise<{ d: string; h: Historian; bus: TagBus }> {
  const d = dir();
  const h = await start(d);
  const bus = new TagBus(TAGS);
  bus.onBatch((b) => h.ingest(b));
  feed(bus);
  await h.flush();
  return { d, h, bus };
}

/** Close `h` within the test (before it is opened again); afterEach then leaves it alone. */
async function closeEarly(h: Historian): Promise<void> {
  open.splice(open.indexOf(h), 1);
  await h.close();
}

const names = TAGS.map((t) => t.name);

describe('historian last values', () => {
  it('after a restart equal the current-value table, for every tag in one request', async () => {
    const { d, h, bus } = await fedHistorian();
    await closeEarly(h);

    const again = await start(d);
    const got = again.lastValues({ tags: names });
    expect(got).toEqual(
      TAGS.map((t) => {
        const cv = bus.current(t.id);
        return { tag: t.name, ts: cv.ts, value: cv.value, quality: cv.quality };
      }),
    );
    // A tag that stopped reporting long ago keeps its last stored value.
    expect(got[3]?.ts).toBeLessThan(got[20]?.ts as number);
    expect(got[3]?.value).toBe(bus.current(3).value);
  });

  it('answer many tags in one query exactly as tag by tag', async () => {
    const { d, h } = await fedHistorian();
    await closeEarly(h);
    const db = openSqlite(path.join(d, 'historian.db'), { readonly: true });
    const r = new StoreReader(db);
    const sids = db.prepare('SELECT id FROM tag').pluck().all() as number[];
    // Every tag twice, in reverse, and ids no tag has.
    const many = [...sids, ...sids.reverse(), 9_999, 10_000];
    expect(many.length).toBeGreaterThanOrEqual(64);
    expect(r.lastValues(many)).toEqual(many.map((sid) => r.lastValues([sid])[0]));
    expect(r.lastValues([9_999])).toEqual([null]);
    db.close();
  });

  it('of 500 tags of 1,000 stored (and 3 unknown ids) are exactly those, equal to the current-value table', async () => {
    const d = dir();
    const tags = makeTags(1000);
    const h = await openHistorian({ dir: d, tags, now: () => T0 + 86_400_000, retentionIntervalMs: 0 });
    open.push(h);
    const bus = new TagBus(tags);
    bus.onBatch((b) => h.ingest(b));
    // Each tag its own count of samples, newest time and quality.
    for (let i = 0; i < 4; i++) {
      for (const t of tags)
        if (i <= t.id % 4) bus.update(t.id, t.id * 10 + i + 0.25, (t.id + i) % 3 === 0 ? 1 : 0, T0 + t.id * 7 + i * 1000);
      bus.flush();
    }
    await h.flush();
    await closeEarly(h);

    const db = openSqlite(path.join(d, 'historian.db'), { readonly: true });
    const sidOf = db.prepare('SELECT id FROM tag WHERE name = ?').pluck();
    const asked = tags.filter((t) => t.id % 2 === 1).reverse();
    const sids = [...asked.map((t) => sidOf.get(t.name) as number), 1_000_001, 1_000_002, 1_000_003];
    expect(new StoreReader(db).lastValues(sids)).toEqual([
      ...asked.map((t) => {
        const cv = bus.current(t.id);
        return { ts: cv.ts, value: cv.value, quality: cv.quality };
      }),
      null,
      null,
      null,
    ]);
    // Only the asked groups' rows are read: each is a primary-key lookup, the table is never scanned.
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${STATE_ROWS_SQL}`).all('[1]') as { detail: string }[]).map((r) => r.detail);
    expect(plan.filter((p) => /^SEARCH s USING INTEGER PRIMARY KEY/.test(p))).toHaveLength(1);
    expect(plan.filter((p) => /^SCAN s\b/.test(p))).toEqual([]);
    db.close();

    const again = await openHistorian({ dir: d, tags, now: () => T0 + 86_400_000, retentionIntervalMs: 0 });
    open.push(again);
    expect(again.lastValues({ tags: asked.map((t) => t.name) })).toEqual(
      asked.map((t) => {
        const cv = bus.current(t.id);
        return { tag: t.name, ts: cv.ts, value: cv.value, quality: cv.quality };
      }),
    );
  });

  it('keep the newest sample when late data arrives, and null for a tag never stored', async () => {
    const h = await start(dir());
    h.ingest(batch([[0, T0 + 10_000, 5]]));
    await h.flush();
    h.ingest(batch([[0, T0 + 2_000, 7, 1]]));
    await h.flush();
    expect(h.lastValues({ tags: [names[0] as string, names[1] as string] })).toEqual([
      { tag: names[0], ts: T0 + 10_000, value: 5, quality: 0 },
      { tag: names[1], ts: null, value: null, quality: null },
    ]);
    // The late sample is stored all the same.
    expect(h.valueAt({ tags: [names[0] as string], t: T0 + 2_000, mode: 'previous' })[0]?.value).toBe(7);
  });

  it('a file from before the last_value table is filled once from its chunks when opened', async () => {
    const { d, h } = await fedHistorian();
    const before = h.lastValues({ tags: names });
    await closeEarly(h);

    // Exactly what the previous version left: schema at 001_init, no last_value table (003 packs rollups, idempotent).
    const db = openSqlite(path.join(d, 'historian.db'));
    backToSegments(db);
    db.exec("DROP TABLE last_value; DELETE FROM historian_migrations WHERE id IN ('002_last_value', '003_rollup_blocks')");
    db.close();

    // Opened read-only before any writer migrated it (a disk too full to write): answered from the chunks.
    const ro = openSqlite(path.join(d, 'historian.db'), { readonly: true });
    const sid = ro.prepare('SELECT id FROM tag WHERE name = ?').pluck();
    expect(new StoreReader(ro).lastValues(names.map((n) => sid.get(n) as number))).toEqual(
      before.map((b) => (b.ts === null ? null : { ts: b.ts, value: b.value, quality: b.quality })),
    );
    ro.close();

    const again = await start(d);
    expect(again.lastValues({ tags: names })).toEqual(before);
    const check = openSqlite(path.join(d, 'historian.db'), { readonly: true });
    expect(check.prepare('SELECT id FROM historian_migrations ORDER BY id').pluck().all()).toEqual([
      '001_init',
      '002_last_value',
      '003_rollup_blocks',
      '004_tail',
      '005_rollup_open',
      '006_tag_state',
    ]);
    check.close();
  });

  it('refuses an unknown tag and a request over its bound before any work', async () => {
    const h = await start(dir());
    const handlers = historyHandlers(h);
    const ctx = { origin: 'test', user: null } as unknown as Parameters<(typeof handlers)['history.lastValues']>[1];
    expect(() => handlers['history.lastValues']({ tags: ['Site/Area/M/Nope'] }, ctx)).toThrow(ApiFailure);
    const tooMany = historyRequests['history.lastValues'].safeParse({ tags: Array.from({ length: 100_001 }, (_, i) => `t${i}`) });
    expect(tooMany.success).toBe(false);
    expect(tooMany.error?.issues[0]?.message).toBe(
      '100,001 tags exceeds the limit of 100,000 tags for history.lastValues; ask in several requests',
    );
    expect(historyRequests['history.lastValues'].safeParse({ tags: names }).success).toBe(true);
  });
});

describe('historian last values under a poison sample', () => {
  it('never name a sample that was quarantined instead of stored', () => {
    const d = dir();
    const file = path.join(d, 'historian.db');
    const opts = { file, tagNames: names, policies: resolvePolicies(TAGS) };
    const feedStore = (store: HistorianStore, rows: [number, number, number][]) =>
      store.ingest(
        rows.length,
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map(() => 0),
      );
    let store = new HistorianStore(opts);
    feedStore(store, [[0, T0, 1]]);
    store.finish();
    store.commit();
    store.close();
    // A real SQLite fault tied to one value: any chunk holding 666 cannot be inserted.
    const db = openSqlite(file);
    const table = db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().get() as string;
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON ${table} WHEN NEW.vmax = 666 BEGIN SELECT RAISE(ABORT, 'value 666 refused'); END`);
    db.close();

    store = new HistorianStore(opts);
    const rows: [number, number, number][] = [];
    // The newest sample of tag 0 is the poisoned one.
    for (let i = 1; i <= 200; i++) rows.push([0, T0 + i * 1000, i === 200 ? 666 : i]);
    feedStore(store, rows);
    store.finish();
    store.commit();
    expect(store.lastQuarantine).toMatchObject({ samples: 1 });
    expect(store.reader.lastValues([store.db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(names[0]) as number])).toEqual([
      { ts: T0 + 199_000, value: 199, quality: 0 },
    ]);
    store.close();
  });
});
