import { afterEach, describe, expect, it } from 'vitest';
import { authHandlers } from './handlers.js';
import type { AuthCallContext } from './http.js';
import { type Fixture, fixture } from './test-support.js';

let f: Fixture;
afterEach(() => f?.dispose());

const anon = (origin: AuthCallContext['origin']): AuthCallContext => ({ user: null, role: null, origin });

describe('auth and audit handlers', () => {
  it('first-run setup only from this machine with the setup code, then sign-in, me, lock, unlock, logout', async () => {
    f = fixture();
    const h = authHandlers(f.auth, f.audit);
    expect(h['auth.status']({}, anon('ipc'))).toEqual({ needsSetup: true });
    // The rules the first-run form shows before submitting are the ones the core applies.
    expect((await h['auth.passwordPolicy']({}, anon('http'))).rules).toContain('At least 10 characters (at most 256).');
    await expect(h['auth.setup']({ user: 'boss', password: 'short-1', code: f.auth.setupCode() as string }, anon('ipc'))).rejects.toThrow(
      /at least 10 characters/,
    );
    const code = f.auth.setupCode() as string;
    // From the network: refused even with the code.
    await expect(h['auth.setup']({ user: 'boss', password: 'correct-horse-battery', code }, anon('http'))).rejects.toMatchObject({
      type: 'forbidden',
    });
    // From this machine without the code: refused.
    const local = { ...anon('http'), address: '127.0.0.1' };
    await expect(h['auth.setup']({ user: 'boss', password: 'correct-horse-battery', code: 'WRONG-CODE' }, local)).rejects.toMatchObject({
      type: 'forbidden',
      message: expect.stringMatching(/setup code/),
    });
    const first = await h['auth.setup']({ user: 'boss', password: 'correct-horse-battery', code }, anon('ipc'));
    expect(first.role).toBe('admin');
    await expect(h['auth.setup']({ user: 'eve', password: 'correct-horse-battery', code }, anon('ipc'))).rejects.toMatchObject({
      type: 'conflict',
    });

    const s = await h['auth.login']({ user: 'boss', password: 'correct-horse-battery', position: 'Desk 1' }, anon('ws'));
    const ctx = { ...f.auth.session(s.token, 'ws') } as AuthCallContext;
    expect(h['auth.me']({}, ctx)).toMatchObject({ user: 'boss', role: 'admin', position: 'Desk 1', locked: false, csrfToken: s.csrfToken });
    expect((await h['auth.me']({}, ctx)).allowed).toContain('auth.users.update');
    expect(h['auth.lock']({}, ctx)).toEqual({ ok: true });
    expect((await h['auth.me']({}, ctx)).locked).toBe(true);
    // Locked: the read-only role's requests only, so the screens offer no write or acknowledgement.
    const lockedCtx = { ...f.auth.session(s.token, 'ws') } as AuthCallContext;
    expect((await h['auth.me']({}, lockedCtx)).allowed).toContain('tags.list');
    expect((await h['auth.me']({}, lockedCtx)).allowed).not.toContain('tags.write');
    await expect(h['auth.unlock']({ password: 'wrong-wrong-wrong' }, ctx)).rejects.toMatchObject({ type: 'unauthenticated' });
    expect((await h['auth.unlock']({ password: 'correct-horse-battery' }, ctx)).token).toBe(s.token);
    expect(h['auth.logout']({}, ctx)).toEqual({ ok: true });
    expect(() => h['auth.me']({}, ctx)).toThrow(/ended/);
    expect(() => h['auth.logout']({}, anon('ws'))).toThrow(/no session/);
  });

  it('manages users with errors mapped to API failure kinds, and reads the audit trail', async () => {
    f = fixture();
    const h = authHandlers(f.auth, f.audit);
    const admin: AuthCallContext = { user: 'boss', role: 'admin', origin: 'http' };
    await h['auth.users.create']({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, admin);
    await expect(h['auth.users.create']({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, admin)).rejects.toMatchObject({
      type: 'conflict',
    });
    await expect(h['auth.users.update']({ user: 'nobody', role: 'viewer' }, admin)).rejects.toMatchObject({ type: 'not_found' });
    await expect(h['auth.users.create']({ user: 'bob', role: 'viewer', password: 'x' }, admin)).rejects.toMatchObject({
      type: 'validation',
    });
    expect((await h['auth.users.update']({ user: 'ana', role: 'engineer' }, admin)).role).toBe('engineer');
    expect((await h['auth.users.list']({}, admin)).map((u) => `${u.user}:${u.role}`)).toEqual(['ana:engineer']);

    const entries = await h['audit.query']({ limit: 10 }, admin);
    expect(entries.map((e) => e.action)).toEqual(['auth.users.update', 'auth.users.create']);
    expect(entries[0]?.actor).toBe('boss');
    const file = await h['audit.export']({}, admin);
    expect(file.filename).toMatch(/^aurum-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(file.body.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(h['audit.verify']({}, admin)).toMatchObject({ ok: true, entries: 2 });
  });
});
