import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
