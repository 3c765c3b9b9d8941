import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('Boundary restarts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('restarts a faulty service after 1 s, doubling while faults go on, back to 1 s after 60 s without one', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const cleared: string[] = [];
    const boundary = new Boundary({ log: (_l, m) => lines.push(m), clear: (s) => cleared.push(s) });
    let restarts = 0;
    const plc = boundary.for('connection plc1', { restart: () => void restarts++ });
    const fail = () => plc.fault('polling', new Error('bad frame'));
    const advanceBy = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return restarts;
    };

    fail();
    fail(); // while a restart is pending: no second one
    expect(await advanceBy(999)).toBe(0);
    expect(await advanceBy(1)).toBe(1);
    expect(cleared).toEqual(['connection plc1.fault']);
    fail();
    expect(await advanceBy(1999)).toBe(1);
    expect(await advanceBy(1)).toBe(2);
    fail();
    expect(await advanceBy(3999)).toBe(2);
    expect(await advanceBy(1)).toBe(3);
    // A minute without a fault: the next one is restarted after 1 s again.
    await advanceBy(60_000);
    fail();
    expect(await advanceBy(1000)).toBe(4);
    expect(boundary.restartsOf('connection plc1')).toBe(4);
    expect(boundary.metrics()).toMatchObject({ connection_plc1_faults_total: 5, connection_plc1_restarts_total: 4 });
    expect(lines.filter((l) => l.startsWith('connection plc1: restarted'))).toHaveLength(4);
    // Stopping the core: no restart after close.
    fail();
    boundary.close();
    expect(await advanceBy(120_000)).toBe(4);
  });
});

describe('the last resort with service contexts (a real process)', () => {
  it('contains escapes from a service, records the rest, exits 70 only for an exception outside every service', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aurum-boundary-'));
    try {
      const crash = path.join(dir, 'crash.log');
      const fixture = fileURLToPath(new URL('./boundary-process.fixture.ts', import.meta.url));
      const r = spawnSync(process.execPath, ['--import', 'tsx', fixture, crash], { encoding: 'utf8', timeout: 60_000 });
      const out = r.stdout.split('\n').filter(Boolean);
      expect(r.status).toBe(70);
      // The driver's three faults: one log line per distinct fault, one system alarm, one restart.
      expect(out.filter((l) => l.startsWith('log error connection plc1:'))).toEqual([
        "log error connection plc1: a callback failed: cannot read properties of undefined (reading 'value')",
        'log error connection plc1: a promise failed: poll chain broke',
      ]);
      expect(out.filter((l) => l.startsWith('alarm '))[0]).toBe('alarm connection plc1.fault');
      expect(out).toContain('restarted 1');
      expect(out).toContain('faults 3');
      // Outside every service: a rejection is recorded and raised, and the process runs on…
      expect(out).toContain('last-resort error unhandled rejection in the fixture process: stray promise');
      expect(out).toContain('alarm console.fault');
      expect(out).toContain('still running');
      // …an exception is recorded and ends it.
      expect(out).toContain('last-resort error unhandled exception in the fixture process: state unknown');
      const record = readFileSync(crash, 'utf8');
      expect(record).toContain('unhandled rejection in the fixture process: stray promise');
      expect(record).toMatch(/unhandled exception in the fixture process: state unknown\nRangeError: state unknown\n\s+at /);
      expect(record).not.toContain('plc1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
