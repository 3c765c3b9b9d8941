// The shared connection life cycle on its own: transitions, the backoff sequence (on a clock the test
// drives), error classes and the throttled fault log. No protocol, no wall clock.
import { describe, expect, it } from 'vitest';
import { backoffMs, Connection, classifyError, type LinkAdapter, LinkError, type LinkHandle, type StateChange } from './connection.js';
import { ManualClock, settle } from './test-support.js';

interface Harness {
  link: Connection;
  clock: ManualClock;
  changes: StateChange[];
  lines: { level: string; message: string }[];
  bad: string[];
  calls: string[];
  handles: LinkHandle[];
  /** What the next open() does: resolve, or throw this. */
  outcome: { fail: unknown | null };
}

function harness(extra: Partial<LinkAdapter> = {}, summaryMs?: number): Harness {
  const clock = new ManualClock();
  const changes: StateChange[] = [];
  const lines: Harness['lines'] = [];
  const bad: string[] = [];
  const calls: string[] = [];
  const handles: LinkHandle[] = [];
  const outcome: Harness['outcome'] = { fail: null };
  const adapter: LinkAdapter = {
    async open(handle) {
      calls.push('open');
      handles.push(handle);
      if (outcome.fail !== null) throw outcome.fail;
    },
    async close() {
      calls.push('close');
    },
    markBad: (reason) => void bad.push(reason),
    ...extra,
  };
  const link = new Connection(
    {
      name: 'plc1',
      protocol: 'modbus',
      endpoint: 'modbus-tcp://10.0.0.5:502/1',
      tagCount: 3,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      log: (level, message) => void lines.push({ level, message }),
      label: '[modbus:plc1]',
      clock,
      ...(summaryMs === undefined ? {} : { summaryMs }),
    },
    adapter,
  );
  link.on((c) => void changes.push(c));
  return { link, clock, changes, lines, bad, calls, handles, outcome };
}

const path = (changes: StateChange[]) => changes.map((c) => c.to);
const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:502'), { code: 'ECONNREFUSED' });

describe('connection life cycle: transitions', () => {
  it('idle → connecting → connected, with typed events and the API state beside', async () => {
    const h = harness();
    expect(h.link.state).toBe('idle');
    expect(h.link.diagnostics().state).toBe('disconnected');
    await h.link.start();
    expect(path(h.changes)).toEqual(['connecting', 'connected']);
    expect(h.changes[0]).toEqual({ from: 'idle', to: 'connecting', at: h.clock.t, reason: null });
    expect(h.link.diagnostics()).toMatchObject({ state: 'connected', reconnects: 0, lastError: null, errors: {}, tagCount: 3 });
    expect(h.bad).toEqual(['comm failure: not connected yet']);
    // The API's states are logged as "state a → b" only when they change; the life cycle's as "link a → b".
    expect(h.lines.filter((l) => l.message.includes(' state ')).map((l) => l.message)).toEqual([
      '[modbus:plc1] state disconnected → connecting',
      '[modbus:plc1] state connecting → connected',
    ]);
  });

  it('a lost link: Bad at once, closed, backoff, then connecting again; a reconnect counted', async () => {
    const h = harness();
    await h.link.start();
    h.handles[0]?.lost({ kind: 'lost', message: 'connection to modbus-tcp://10.0.0.5:502/1 lost: socket closed' });
    await settle();
    expect(path(h.changes)).toEqual(['connecting', 'connected', 'lost', 'backoff']);
    expect(h.bad.at(-1)).toBe('comm failure: connection to modbus-tcp://10.0.0.5:502/1 lost: socket closed');
    expect(h.calls).toEqual(['open', 'close']);
    expect(h.link.diagnostics()).toMatchObject({ state: 'error', errors: { lost: 1 } });
    await h.clock.advance(100);
    expect(path(h.changes).slice(4)).toEqual(['connecting', 'connected']);
    expect(h.link.diagnostics().reconnects).toBe(1);
    expect(h.link.snapshot()).toMatchObject({ attempts: 0, byClass: { lost: 1 }, lastErrorClass: 'lost' });
  });

  it('a handle of an earlier link is stale: its late events change nothing', async () => {
    const h = harness();
    await h.link.start();
    const first = h.handles[0] as LinkHandle;
    first.lost({ kind: 'lost', message: 'socket closed' });
    await settle();
    await h.clock.advance(100);
    expect(h.link.state).toBe('connected');
    expect(first.current).toBe(false);
    first.lost({ kind: 'lost', message: 'a late close event of the old socket' });
    await settle();
    expect(h.link.state).toBe('connected');
    expect(h.link.diagnostics().errors.lost).toBe(1);
  });

  it('degraded: the link stays up (no close, no reconnect) and the next answer recovers it', async () => {
    const h = harness();
    await h.link.start();
    h.link.degrade({ kind: null, key: 'silent', cls: 'timeout', message: 'timeout: no response from unit 1 within 100 ms (2 attempts)' });
    h.link.degrade({ kind: null, key: 'silent', cls: 'timeout', message: 'timeout: no response from unit 1 within 100 ms (2 attempts)' });
    expect(h.link.state).toBe('degraded');
    expect(h.link.diagnostics().state).toBe('connected');
    expect(h.link.up).toBe(true);
    h.link.recover('silent', 'unit 1 answers again');
    expect(path(h.changes)).toEqual(['connecting', 'connected', 'degraded', 'connected']);
    expect(h.calls).toEqual(['open']);
    expect(h.link.diagnostics().reconnects).toBe(0);
    const warn = h.lines.filter((l) => l.level === 'warn');
    expect(warn.map((l) => l.message)).toEqual(['[modbus:plc1] timeout: no response from unit 1 within 100 ms (2 attempts)']);
    expect(h.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      '[modbus:plc1] unit 1 answers again (after 2 occurrences over 0 s)',
    ]);
  });

  it('a config fault is not retried: failed, no timer', async () => {
    const h = harness();
    h.outcome.fail = new LinkError({ kind: 'tls', cls: 'config', bad: null, message: 'tls: tls.ca: cannot read /x/ca.pem: no such file' });
    await h.link.start();
    expect(path(h.changes)).toEqual(['connecting', 'failed']);
    expect(h.clock.pending).toBe(0);
    expect(h.link.diagnostics()).toMatchObject({
      state: 'error',
      errors: { tls: 1 },
      lastError: 'tls: tls.ca: cannot read /x/ca.pem: no such file',
    });
    // bad: null leaves the tags as they are ("not connected yet").
    expect(h.bad).toEqual(['comm failure: not connected yet']);
  });

  it('stop: cancels the backoff, ends run(), closes, tags Bad; start begins again', async () => {
    let runs = 0;
    let ended = 0;
    const h = harness({
      async run(handle) {
        runs++;
        while (handle.current) await handle.sleep(1000);
        ended++;
      },
    });
    await h.link.start();
    expect(runs).toBe(1);
    await h.link.stop();
    expect(ended).toBe(1);
    expect(h.link.state).toBe('stopped');
    expect(h.link.diagnostics().state).toBe('disconnected');
    expect(h.bad.at(-1)).toBe('comm failure: driver stopped');
    expect(h.clock.pending).toBe(0);

    h.outcome.fail = refused();
    await h.link.start();
    expect(h.link.state).toBe('backoff');
    await h.link.stop();
    expect(h.clock.pending).toBe(0);
    await h.clock.advance(10_000);
    expect(h.link.state).toBe('stopped');
    expect(h.calls.filter((c) => c === 'open')).toHaveLength(2);
  });
});

describe('connection life cycle: backoff', () => {
  it('waits initial, doubling, capped at max — from the reconnect config — and starts again after a success', async () => {
    const h = harness();
    h.outcome.fail = refused();
    await h.link.start();
    for (let i = 0; i < 5; i++) await h.clock.advance(h.clock.delays.at(-1) ?? 0);
    expect(h.clock.delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(h.link.snapshot().attempts).toBe(6);
    h.outcome.fail = null;
    await h.clock.advance(1000);
    expect(h.link.state).toBe('connected');
    expect(h.link.diagnostics().reconnects).toBe(1);
    h.handles.at(-1)?.lost({ kind: 'lost', message: 'socket closed' });
    await settle();
    expect(h.clock.delays.at(-1)).toBe(100);
  });

  it('backoffMs: the same sequence as a function', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((a) => backoffMs(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
});

describe('connection life cycle: faults', () => {
  it('a peer that stays down is logged once, summarised every summaryMs, and cleared once on connect', async () => {
    const h = harness({}, 60_000);
    h.outcome.fail = refused();
    await h.link.start();
    // 40 failed attempts at the 1 s cap: about 40 s, under one summary period.
    for (let i = 0; i < 40; i++) await h.clock.advance(1000);
    const warn = () => h.lines.filter((l) => l.level === 'warn');
    const opens = () => h.calls.filter((c) => c === 'open').length;
    expect(opens()).toBeGreaterThan(40);
    expect(h.link.diagnostics().errors.connect).toBe(opens());
    expect(warn()).toHaveLength(1);
    expect(warn()[0]?.message).toBe('[modbus:plc1] connect: connect ECONNREFUSED 10.0.0.5:502');
    for (let i = 0; i < 30; i++) await h.clock.advance(1000);
    expect(warn()).toHaveLength(2);
    expect(warn()[1]?.message).toMatch(/still failing: \d+ more times in the last 1 min/);
    h.outcome.fail = null;
    await h.clock.advance(1000);
    const info = h.lines.filter((l) => l.level === 'info').map((l) => l.message);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatch(/^\[modbus:plc1\] connected to modbus-tcp:\/\/10\.0\.0\.5:502\/1 \(after \d+ occurrences over 71 s\)$/);
    expect(h.link.snapshot().byClass).toEqual({ refused: h.link.diagnostics().errors.connect });
  });

  it('fault and count: kinds in diagnostics.errors, classes in the snapshot, lastError with its time', async () => {
    const h = harness();
    await h.link.start();
    h.link.count('timeout', 'timeout');
    h.link.count('retry');
    h.link.fault({
      kind: 'exception',
      key: 'exception hr:7',
      cls: 'protocol',
      message: 'plc1 unit 1 hr:7: exception 2 illegal data address',
    });
    h.link.fault({ kind: 'json', key: null, message: 'json: dev/t: payload is not valid JSON', cls: 'payload' });
    expect(h.link.diagnostics().errors).toEqual({ timeout: 1, retry: 1, exception: 1, json: 1 });
    expect(h.link.snapshot()).toMatchObject({
      byClass: { timeout: 1, protocol: 1, payload: 1 },
      lastError: 'json: dev/t: payload is not valid JSON',
      lastErrorAt: new Date(h.clock.t).toISOString(),
      lastErrorClass: 'payload',
    });
    // key: null is counted, not logged.
    expect(h.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      '[modbus:plc1] plc1 unit 1 hr:7: exception 2 illegal data address',
    ]);
    expect(h.link.diagnostics({ queued: 4 })).toMatchObject({ errors: { queued: 4, json: 1 } });
  });

  it('classifies what libraries throw', () => {
    const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
    expect(classifyError(coded('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe('refused');
    expect(classifyError(coded('getaddrinfo ENOTFOUND plc.local', 'ENOTFOUND'))).toBe('refused');
    expect(classifyError(coded('read ECONNRESET', 'ECONNRESET'))).toBe('lost');
    expect(classifyError({ name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' })).toBe('timeout');
    expect(classifyError(new Error('connack timeout'))).toBe('timeout');
    expect(classifyError(new Error('Connection refused: Not authorized'))).toBe('auth');
    expect(classifyError(new Error('the server refused the login of user "operator" (wrong user name or password?)'))).toBe('auth');
    expect(classifyError(coded('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('certificate');
    expect(classifyError(new LinkError({ kind: 'tls', cls: 'config', message: 'tls: cannot read' }))).toBe('config');
    // node-opcua's status names.
    expect(classifyError(new Error('ServiceFault: BadIdentityTokenRejected'))).toBe('auth');
    expect(classifyError(new Error('BadUserAccessDenied (0x801f0000)'))).toBe('auth');
    expect(classifyError(new Error('The connection may have been rejected by server: BadSecurityChecksFailed'))).toBe('certificate');
    expect(classifyError(new Error('BadCertificateUntrusted'))).toBe('certificate');
    expect(classifyError({ weird: true })).toBe('other');
  });
});
