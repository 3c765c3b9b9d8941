import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginOutcome } from './service.js';
import { type Fixture, fixture } from './test-support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ipc = { transport: 'ipc' as const };
const by = { user: 'root', origin: 'cli' };

let f: Fixture;
afterEach(() => f?.dispose());

function signedIn(o: LoginOutcome) {
  if (!o.ok) throw new Error(`expected a session, got ${o.reason}: ${o.message}`);
  return o.session;
}

async function withOperator(policy = {}) {
  f = fixture(policy);
  await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
}

describe('first administrator', () => {
  it('is created from the environment on the first start only', async () => {
    f = fixture();
    expect(f.auth.needsSetup()).toBe(true);
    expect(await f.auth.ensureFirstAdmin({})).toEqual({ created: null, needsSetup: true });
    const env = { AURUM_ADMIN_USER: 'boss', AURUM_ADMIN_PASSWORD: 'correct-horse-battery' };
    expect(await f.auth.ensureFirstAdmin(env)).toEqual({ created: 'boss', needsSetup: false });
    expect(f.auth.getUser('boss')?.role).toBe('admin');
    // A later start with other values changes nothing: the variables only seed an empty data dir.
    expect(await f.auth.ensureFirstAdmin({ AURUM_ADMIN_USER: 'mallory', AURUM_ADMIN_PASSWORD: 'another-long-one' })).toEqual({
      created: null,
      needsSetup: false,
    });
    expect(f.auth.getUser('mallory')).toBeNull();
    expect(signedIn(await f.auth.login('boss', 'correct-horse-battery', ipc)).role).toBe('admin');
  });

  it('refuses a weak first password instead of starting with it', async () => {
    f = fixture();
    await expect(f.auth.ensureFirstAdmin({ AURUM_ADMIN_USER: 'boss', AURUM_ADMIN_PASSWORD: 'password' })).rejects.toThrow(
      /password refused/,
    );
    expect(f.auth.needsSetup()).toBe(true);
  });

  it("setup needs this start's one-time code (also in an owner-only file), works once, then refuses", async () => {
    f = fixture();
    await f.auth.ensureFirstAdmin({});
    const file = path.join(f.dir, 'setup-code');
    const code = readFileSync(file, 'utf8').trim();
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(f.auth.setupCode()).toBe(code);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(f.auth.setupFirstAdmin('boss', 'correct-horse-battery', 'AAAA-BBBB-CCCC-DDDD', ipc)).rejects.toThrow(
      /setup code is missing or wrong.*setup-code/,
    );
    expect(f.auth.needsSetup()).toBe(true);
    expect(f.audit.query({ action: 'auth.setup' })[0]).toMatchObject({ result: 'denied', details: { reason: 'wrong setup code' } });
    // Two at once with the right code and different names: one administrator, not two.
    const both = await Promise.allSettled([
      f.auth.setupFirstAdmin('boss', 'correct-horse-battery', code.toLowerCase(), ipc),
      f.auth.setupFirstAdmin('eve', 'correct-horse-battery', code, ipc),
    ]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const s = (both[0] as PromiseFulfilledResult<{ token: string }>).value;
    expect(f.auth.session(s.token)?.role).toBe('admin');
    expect(f.auth.listUsers().map((u) => u.user)).toEqual(['boss']);
    expect(existsSync(file)).toBe(false);
    expect(f.auth.setupCode()).toBeNull();
    await expect(f.auth.setupFirstAdmin('eve', 'correct-horse-battery', code, ipc)).rejects.toThrow(/already has users/);
  });
});

describe('sign-in', () => {
  it('gives a session for the right password and nothing for a wrong one or an unknown user', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', { transport: 'http', address: '10.0.0.5', position: 'Desk 2' }));
    expect(s).toMatchObject({ user: 'ana', role: 'operator' });
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(f.auth.session(s.token)).toMatchObject({ user: 'ana', role: 'operator', locked: false, position: 'Desk 2' });
    expect(await f.auth.login('ana', 'blue-valve-7735', ipc)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await f.auth.login('nobody', 'blue-valve-7734', ipc)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(f.auth.session('not-a-token')).toBeNull();
    expect(f.auth.logout(s.token)).toBe(true);
    expect(f.auth.session(s.token)).toBeNull();
  });

  it('locks an account after 5 failures, even against the right password, until the lockout ends', async () => {
    await withOperator();
    for (let i = 0; i < 4; i++) expect(await f.auth.login('ana', `wrong-${i}`, ipc)).toMatchObject({ reason: 'invalid' });
    expect(f.auth.getUser('ana')?.lockedUntil).toBeNull();
    expect(await f.auth.login('ana', 'wrong-4', ipc)).toMatchObject({ reason: 'invalid' });
    expect(f.auth.getUser('ana')?.lockedUntil).toBe(f.clock.t + 15 * MIN);
    expect(await f.auth.login('ana', 'blue-valve-7734', ipc)).toMatchObject({ ok: false, reason: 'locked' });
    f.clock.advance(15 * MIN - 1);
    expect(await f.auth.login('ana', 'blue-valve-7734', ipc)).toMatchObject({ ok: false, reason: 'locked' });
    f.clock.advance(2);
    signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    // The counter starts again from zero after a success.
    for (let i = 0; i < 4; i++) await f.auth.login('ana', `wrong-${i}`, ipc);
    expect(f.auth.getUser('ana')?.lockedUntil).toBeNull();
    expect(f.audit.query({ action: 'auth.lockout' })).toHaveLength(1);
  });

  it('reserves each attempt before the hash runs: 150 parallel wrong passwords lock the account, the right one is then refused', async () => {
    await withOperator();
    const from = { transport: 'http' as const, address: '192.0.2.7' };
    const guesses = await Promise.all(Array.from({ length: 150 }, (_, i) => f.auth.login('ana', `wrong-guess-${i}`, from)));
    // Only the first five were checked at all; the rest were refused before any hash ran.
    expect(guesses.filter((o) => !o.ok && o.reason === 'invalid')).toHaveLength(5);
    expect(guesses.filter((o) => !o.ok && o.reason === 'locked')).toHaveLength(145);
    expect(f.auth.getUser('ana')?.lockedUntil).toBe(f.clock.t + 15 * MIN);
    expect(await f.auth.login('ana', 'blue-valve-7734', { transport: 'http', address: '192.0.2.8' })).toMatchObject({
      ok: false,
      reason: 'locked',
    });
    // The refusals are audited in aggregate: one row with the count, written at the end of the period.
    f.auth.flushAudit();
    const denied = f.audit.query({ action: 'auth.login', result: 'denied' });
    const aggregated = denied.filter((e) => e.details.reason === 'locked');
    expect(aggregated.map((e) => [e.target, e.details.address, e.details.count])).toEqual([
      ['ana', '192.0.2.8', 1],
      ['ana', '192.0.2.7', 145],
    ]);
    expect(denied.filter((e) => e.details.reason === 'invalid_credentials')).toHaveLength(5);
  });

  it('the per-address limit holds under concurrency too, and its refusals are one audit row per period', async () => {
    await withOperator({ loginRate: { attempts: 3, windowMs: 10 * MIN }, throttleAuditMs: MIN });
    const from = { transport: 'http' as const, address: '192.0.2.9' };
    const names = Array.from({ length: 60 }, (_, i) => `name${i}`);
    const outcomes = await Promise.all(names.map((n) => f.auth.login(n, 'guess-guess', from)));
    expect(outcomes.filter((o) => !o.ok && o.reason === 'invalid')).toHaveLength(3);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'rate_limited')).toHaveLength(57);
    f.auth.flushAudit();
    const limited = f.audit.query({ action: 'auth.login' }).filter((e) => e.details.reason === 'rate_limited');
    expect(limited).toHaveLength(57); // one per name tried…
    expect(limited.every((e) => e.details.count === 1)).toBe(true);
    // …and one name hammered from one address is one row per period, however many tries.
    for (let i = 0; i < 200; i++) await f.auth.login('ana', 'guess-guess', from);
    f.clock.advance(MIN);
    await f.auth.login('ana', 'guess-guess', from);
    f.auth.flushAudit();
    const ana = f.audit.query({ action: 'auth.login', target: 'ana' }).filter((e) => e.details.reason === 'rate_limited');
    expect(ana.map((e) => e.details.count)).toEqual([1, 200]);
  });

  it('answers an unknown name exactly like an account: wrong, then locked after the same count', async () => {
    await withOperator();
    const answers = async (user: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const o = await f.auth.login(user, `wrong-guess-${i}`, ipc);
        out.push(o.ok ? 'ok' : `${o.reason}: ${o.message}`);
      }
      return out;
    };
    const known = await answers('ana');
    const unknown = await answers('nobody-here');
    expect(unknown).toEqual(known);
    expect(known[4]).toMatch(/^invalid/);
    expect(known[5]).toMatch(/^locked/);
    // Both unlock after the same time.
    f.clock.advance(15 * MIN + 1);
    expect((await f.auth.login('nobody-here', 'wrong-again', ipc)).ok === false).toBe(true);
    expect(await f.auth.login('nobody-here', 'wrong-again', ipc)).toMatchObject({ reason: 'invalid' });
  });

  it('an administrator can lift a lockout early', async () => {
    await withOperator({ maxFailures: 2 });
    await f.auth.login('ana', 'x', ipc);
    await f.auth.login('ana', 'y', ipc);
    expect(await f.auth.login('ana', 'blue-valve-7734', ipc)).toMatchObject({ reason: 'locked' });
    await f.auth.updateUser('ana', { unlock: true }, by);
    signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
  });

  it('rate-limits failures per client address across user names', async () => {
    await withOperator({ loginRate: { attempts: 3, windowMs: 10 * MIN } });
    const from = (address: string) => ({ transport: 'http' as const, address });
    for (const u of ['a', 'b', 'c']) expect(await f.auth.login(u, 'guess-guess', from('192.0.2.9'))).toMatchObject({ reason: 'invalid' });
    const limited = await f.auth.login('ana', 'blue-valve-7734', from('192.0.2.9'));
    expect(limited).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect(limited.ok === false && limited.retryAfterMs).toBeGreaterThan(0);
    signedIn(await f.auth.login('ana', 'blue-valve-7734', from('192.0.2.10')));
    f.clock.advance(10 * MIN + 1);
    signedIn(await f.auth.login('ana', 'blue-valve-7734', from('192.0.2.9')));
  });

  it('a disabled account cannot sign in, and disabling ends its sessions', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    await f.auth.disable('ana', by);
    expect(f.auth.session(s.token)).toBeNull();
    expect(await f.auth.login('ana', 'blue-valve-7734', ipc)).toMatchObject({ ok: false, reason: 'disabled' });
    expect(await f.auth.login('ana', 'wrong-guess-123', ipc)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('the next operator signing in at a shared PC ends the previous session', async () => {
    await withOperator();
    await f.auth.createUser({ user: 'ben', role: 'operator', password: 'green-pump-5521' }, by);
    const first = signedIn(await f.auth.login('ana', 'blue-valve-7734', { ...ipc, position: 'Desk 1' }));
    const next = signedIn(await f.auth.login('ben', 'green-pump-5521', { ...ipc, position: 'Desk 1', replaces: first.token }));
    expect(f.auth.session(first.token)).toBeNull();
    expect(f.auth.session(next.token)?.user).toBe('ben');
    expect(f.auth.listSessions().map((s) => `${s.user}@${s.position}`)).toEqual(['ben@Desk 1']);
  });
});

describe('session timeouts (controlled clock)', () => {
  it('locks after idling, keeps a read-only view, and unlocks with the password', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    f.clock.advance(14 * MIN);
    expect(f.auth.session(s.token)).toMatchObject({ role: 'operator', locked: false });
    f.clock.advance(15 * MIN + 1);
    expect(f.auth.session(s.token)).toMatchObject({ user: 'ana', role: 'viewer', locked: true });
    expect(await f.auth.unlock(s.token, 'wrong-password')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(f.auth.session(s.token)?.locked).toBe(true);
    expect(signedIn(await f.auth.unlock(s.token, 'blue-valve-7734')).token).toBe(s.token);
    expect(f.auth.session(s.token)).toMatchObject({ role: 'operator', locked: false });
  });

  it('unlock is atomic under concurrency too: 150 parallel wrong passwords lock the account, the right one is then refused', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    f.auth.lock(s.token);
    const tries = await Promise.all(Array.from({ length: 150 }, (_, i) => f.auth.unlock(s.token, `wrong-guess-${i}`)));
    expect(tries.filter((o) => !o.ok && o.reason === 'invalid')).toHaveLength(5);
    expect(await f.auth.unlock(s.token, 'blue-valve-7734')).toMatchObject({ ok: false, reason: 'locked' });
    expect(f.auth.session(s.token)?.locked).toBe(true);
    f.auth.flushAudit();
    const rows = f.audit.query({ action: 'auth.unlock', result: 'denied' });
    expect(rows.filter((e) => e.details.reason === 'locked').map((e) => e.details.count)).toEqual([146]);
  });

  it('with lockedRole null a locked session keeps no role at all', async () => {
    await withOperator({ lockedRole: null });
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    expect(f.auth.lock(s.token)).toBe(true);
    expect(f.auth.session(s.token)).toMatchObject({ user: 'ana', role: null, locked: true });
  });

  it('ends an idle session after the idle timeout', async () => {
    await withOperator({ idleLockMs: 0 });
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    const idle = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    expect(s.expiresAt).toBe(f.clock.t + 8 * HOUR);
    f.clock.advance(8 * HOUR - 1);
    const alive = f.auth.session(s.token);
    expect(alive?.user).toBe('ana');
    expect(alive?.expiresAt).toBe(f.clock.t + 6 * HOUR + 1); // capped by the absolute timeout (14 h from sign-in)
    f.clock.advance(1);
    expect(f.auth.session(idle.token)).toBeNull();
    expect(f.auth.session(s.token)?.user).toBe('ana');
    f.clock.advance(8 * HOUR);
    expect(f.auth.session(s.token)).toBeNull();
  });

  it('ends a busy session at the absolute timeout', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    for (let i = 0; i < 14 * 6; i++) {
      f.clock.advance(10 * MIN);
      const ctx = f.auth.session(s.token);
      if (i < 14 * 6 - 1) expect(ctx?.role, `after ${(i + 1) * 10} min`).toBe('operator');
      else expect(ctx).toBeNull();
    }
    expect(f.audit.query({ action: 'auth.expired' })).toHaveLength(1);
  });
});

describe('user management', () => {
  it('applies a role change to live sessions at once and records the diff', async () => {
    await withOperator();
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    await f.auth.updateUser('ana', { role: 'engineer', displayName: 'Ana P.' }, by);
    expect(f.auth.session(s.token)?.role).toBe('engineer');
    const [entry] = f.audit.query({ action: 'auth.users.update' });
    expect(entry?.details).toEqual({ diff: { role: { old: 'operator', new: 'engineer' }, displayName: { old: 'ana', new: 'Ana P.' } } });
    expect(entry?.actor).toBe('root');
  });

  it('enforces the password policy', async () => {
    f = fixture();
    const add = (user: string, password: string) => f.auth.createUser({ user, role: 'viewer', password }, by);
    await expect(add('carl', 'short-1')).rejects.toThrow(/at least 10 characters/);
    await expect(add('carl', 'carl-is-my-name')).rejects.toThrow(/user name/);
    await expect(add('carl', 'Password123')).rejects.toThrow(/commonly used/);
    await expect(add('carl', 'aaaaaaaaaaaaaa')).rejects.toThrow(/few different/);
    await add('carl', 'four words make sense');
    await expect(add('CARL', 'four words make sense')).rejects.toThrow(/already exists/);
  });

  it('keeps at least one enabled administrator', async () => {
    f = fixture();
    await f.auth.createUser({ user: 'boss', role: 'admin', password: 'correct-horse-battery' }, by);
    await expect(f.auth.updateUser('boss', { role: 'viewer' }, by)).rejects.toThrow(/last enabled administrator/);
    await expect(f.auth.disable('boss', by)).rejects.toThrow(/last enabled administrator/);
    await f.auth.createUser({ user: 'boss2', role: 'admin', password: 'correct-horse-battery' }, by);
    await f.auth.updateUser('boss', { role: 'viewer' }, by);
    expect(f.auth.getUser('boss')?.role).toBe('viewer');
  });

  it('changing the password needs the current one and ends other sessions when an admin resets it', async () => {
    await withOperator();
    await expect(f.auth.changePassword('ana', 'not-it-at-all', 'red-tank-99881')).rejects.toThrow(/current password/);
    await f.auth.changePassword('ana', 'blue-valve-7734', 'red-tank-99881');
    const s = signedIn(await f.auth.login('ana', 'red-tank-99881', ipc));
    await f.auth.setPassword('ana', 'yellow-fan-44123', by);
    expect(f.auth.session(s.token)).toBeNull();
    signedIn(await f.auth.login('ana', 'yellow-fan-44123', ipc));
  });

  it('CSRF tokens belong to their session', async () => {
    await withOperator();
    const a = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    const b = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    expect(f.auth.checkCsrf(a.token, a.csrfToken)).toBe(true);
    expect(f.auth.checkCsrf(a.token, b.csrfToken)).toBe(false);
    expect(f.auth.checkCsrf(a.token, undefined)).toBe(false);
  });
});
