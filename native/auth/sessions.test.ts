// Dead sessions removed on a schedule, an administrator ending one, and an administrator's password
// reset (audited, the user's sessions forced out, optionally a new password required at the next
// sign-in) — on a real auth.db with a clock the test moves and the sweep's timer faked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LoginOutcome } from './service.js';
import { SESSION_SWEEP_MS } from './service.js';
import { type Fixture, fixture } from './test-support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ipc = { transport: 'ipc' as const };
const by = { user: 'root', origin: 'ws' };

let f: Fixture;
afterEach(() => {
  f?.dispose();
  vi.useRealTimers();
});

function signedIn(o: LoginOutcome) {
  if (!o.ok) throw new Error(`expected a session, got ${o.reason}: ${o.message}`);
  return o.session;
}
const rowsInFile = () => (f.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

describe('dead sessions', () => {
  it('are removed from the store on a schedule and audited, not only when their token comes back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    f = fixture();
    await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
    const start = f.clock.t;
    const [a, b, c] = [
      signedIn(await f.auth.login('ana', 'blue-valve-7734', { ...ipc, position: 'Desk 1' })),
      signedIn(await f.auth.login('ana', 'blue-valve-7734', { ...ipc, position: 'Desk 2' })),
      signedIn(await f.auth.login('ana', 'blue-valve-7734', { ...ipc, position: 'Desk 3' })),
    ];
    f.clock.advance(7 * HOUR);
    expect(f.auth.session(c.token)?.user).toBe('ana');
    f.clock.advance(HOUR + 1000);
    // Desks 1 and 2 are past the 8-hour idle timeout; desk 3 was used an hour ago.
    expect(rowsInFile()).toBe(3);
    expect(f.auth.listSessions().map((s) => s.position)).toEqual(['Desk 3']);
    // Used an hour ago: idle (it locks at its next use), and it ends 14 hours after sign-in at the latest.
    expect(f.auth.listSessions()[0]).toMatchObject({ idle: true, expiresAt: start + 14 * HOUR });

    vi.advanceTimersByTime(SESSION_SWEEP_MS);
    expect(rowsInFile()).toBe(1);
    const expired = f.audit.query({ action: 'auth.expired' });
    expect(expired.map((e) => e.details.position).sort()).toEqual(['Desk 1', 'Desk 2']);
    expect(expired.every((e) => e.details.swept === true && e.actor === 'ana')).toBe(true);
    expect(f.auth.session(a.token)).toBeNull();
    expect(f.auth.session(b.token)).toBeNull();
    // Nothing more to remove: the next tick writes nothing.
    vi.advanceTimersByTime(SESSION_SWEEP_MS);
    expect(f.audit.query({ action: 'auth.expired' })).toHaveLength(2);
  });

  it('a fault while sweeping stays in the sweep: logged once while it repeats, logged when it clears', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    f = fixture();
    await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
    signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    f.clock.advance(15 * HOUR);
    f.db.exec('ALTER TABLE sessions RENAME TO sessions_away');
    vi.advanceTimersByTime(3 * SESSION_SWEEP_MS);
    expect(f.logs.filter((l) => l.includes('removing expired sessions from auth.db failed'))).toHaveLength(1);
    expect(f.logs.find((l) => l.includes('removing expired sessions'))).toMatch(/^error .*no such table: sessions.*every minute$/);
    f.db.exec('ALTER TABLE sessions_away RENAME TO sessions');
    vi.advanceTimersByTime(SESSION_SWEEP_MS);
    expect(f.logs.at(-1)).toMatch(/expired sessions are removed from auth.db again/);
    expect(rowsInFile()).toBe(0);
  });

  it('an administrator ends one by its listed id, which is not its token', async () => {
    f = fixture();
    await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', { ...ipc, position: 'Desk 4' }));
    const [listed] = f.auth.listSessions();
    expect(listed?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(s.token).not.toContain(listed?.id);
    expect(f.auth.endSession(listed?.id ?? '', by)).toBe(true);
    expect(f.auth.session(s.token)).toBeNull();
    expect(f.auth.endSession(listed?.id ?? '', by)).toBe(false);
    const [entry] = f.audit.query({ action: 'auth.sessions.end' });
    expect(entry).toMatchObject({ actor: 'root', target: 'ana', details: { position: 'Desk 4', origin: 'ipc' } });
  });
});

describe('password reset by an administrator', () => {
  it('is audited, forces the user’s sessions out, and can require a new password before the user may act', async () => {
    f = fixture();
    await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
    const before = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    const updated = await f.auth.updateUser('ana', { password: 'temporary-pass-5521', mustChangePassword: true }, by);
    expect(updated.mustChangePassword).toBe(true);
    expect(f.auth.session(before.token)).toBeNull();
    const [entry] = f.audit.query({ action: 'auth.users.update' });
    expect(entry).toMatchObject({ actor: 'root', target: 'ana' });
    expect(entry?.details).toEqual({
      diff: { password: { old: '(unchanged)', new: '(changed)' }, mustChangePassword: { old: false, new: true } },
      sessionsEnded: 1,
    });
    expect(JSON.stringify(entry)).not.toContain('temporary-pass-5521');

    // Signed in with the temporary password: read-only until a new one is chosen.
    const s = signedIn(await f.auth.login('ana', 'temporary-pass-5521', ipc));
    expect(f.auth.session(s.token)).toMatchObject({ role: 'viewer', mustChangePassword: true });
    await f.auth.changePassword('ana', 'temporary-pass-5521', 'own-choice-8842');
    expect(f.auth.session(s.token)).toMatchObject({ role: 'operator', mustChangePassword: false });
    expect(f.auth.getUser('ana')?.mustChangePassword).toBe(false);
    expect(f.audit.query({ action: 'auth.changePassword' })[0]?.details).toEqual({ required: true });
  });
});
