import { describe, expect, it } from 'vitest';
import { Boundary } from './boundary.js';
import type { LogLevel } from './log.js';

function setup() {
  const lines: { level: LogLevel; message: string }[] = [];
  const raised: string[] = [];
  const cleared: string[] = [];
  let t = 0;
  const boundary = new Boundary({
    log: (level, message) => lines.push({ level, message }),
    raise: (source) => raised.push(source),
    clear: (source) => cleared.push(source),
    summaryMs: 60_000,
    now: () => t,
  });
  return { boundary, lines, raised, cleared, advance: (ms: number) => (t += ms) };
}

describe('Boundary', () => {
  it('run contains a throw, logs once, raises once, counts every occurrence, summarises on the clock', () => {
    const { boundary, lines, raised, advance } = setup();
    const esg = boundary.for('esg');
    for (let i = 0; i < 10; i++) {
      expect(
        esg.run('daily summary', () => {
          throw new RangeError('no such day');
        }),
      ).toBeUndefined();
    }
    expect(lines).toEqual([{ level: 'error', message: 'esg: daily summary failed: no such day' }]);
    expect(raised).toEqual(['esg.fault']);
    expect(boundary.faultsOf('esg')).toBe(10);
    advance(60_000);
    esg.run('daily summary', () => {
      throw new RangeError('no such day');
    });
    expect(lines).toHaveLength(2);
    expect(lines[1]?.message).toContain('still failing: 10 more times');
    expect(boundary.metrics()).toEqual({ esg_faults_total: 11 });
  });

  it('wrap contains throws and rejected promises of callbacks; success clears the alarm once', async () => {
    const { boundary, raised, cleared } = setup();
    const sync = boundary.for('sync');
    let fail = true;
    const handler = sync.wrap('link event', async () => {
      if (fail) throw new Error('refused');
    });
    handler();
    handler();
    await new Promise((r) => setImmediate(r));
    expect(raised).toEqual(['sync.fault']);
    expect(boundary.faultsOf('sync')).toBe(2);
    fail = false;
    handler();
    await new Promise((r) => setImmediate(r));
    expect(cleared).toEqual(['sync.fault']);
    handler();
    await new Promise((r) => setImmediate(r));
    expect(cleared).toEqual(['sync.fault']);
  });

  it('watch contains a rejection nothing awaits', async () => {
    const { boundary, lines } = setup();
    boundary.for('inference').watch('relearn', Promise.reject(new Error('no history')));
    await new Promise((r) => setImmediate(r));
    expect(lines[0]?.message).toBe('inference: relearn failed: no history');
  });

  it('a failing alarm path (full disk) is logged, never thrown', () => {
    const lines: string[] = [];
    const boundary = new Boundary({
      log: (_l, m) => lines.push(m),
      raise: () => {
        throw new Error('SQLITE_FULL: database or disk is full');
      },
    });
    expect(() => boundary.fault('historian', 'writing', new Error('disk full'))).not.toThrow();
    expect(lines[1]).toBe('historian: could not raise the system alarm for "writing": SQLITE_FULL: database or disk is full');
  });
});
