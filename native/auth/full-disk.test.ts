// auth.db refusing writes (a real full tmpfs, so root only: SQLite's max_page_count does not stop a small row that fits a page):
// signing in still works (the session is kept in memory), lockout still counts, the audit entries
// are held and written, in order and chained, once there is room.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginOutcome } from './service.js';
import { type AuthStore, openAuthStore } from './store.js';
import { FAST_HASH } from './test-support.js';

const ipc = { transport: 'ipc' as const };
const by = { user: 'root', origin: 'cli' };
const canMount = process.getuid?.() === 0;
let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

/** auth.db on a small real tmpfs (root only), with a clock the test does not need to move. */
function onSmallDisk(): { store: AuthStore; logs: string[]; fill(): void; free(): void; reopen(): AuthStore } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-auth-full-'));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  const logs: string[] = [];
  const open = () =>
    openAuthStore(dir, {
      policy: { hash: FAST_HASH, maxFailures: 3 },
      log: (level, message) => logs.push(`${level} ${message}`),
    });
  let store = open();
  const filler = path.join(dir, 'filler');
  cleanup = () => {
    store.close();
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    get store() {
      return store;
    },
    logs,
    fill() {
      const fd = openSync(filler, 'w');
      try {
        for (let i = 0; i < 10_000; i++) writeSync(fd, Buffer.alloc(4096));
      } catch {
        // full
      }
      closeSync(fd);
    },
    free: () => rmSync(filler),
    reopen() {
      store.close();
      store = open();
      return store;
    },
  };
}

function signedIn(o: LoginOutcome) {
  if (!o.ok) throw new Error(`expected a session, got ${o.reason}: ${o.message}`);
  return o.session;
}

describe.skipIf(!canMount)('auth on a full disk (a real tmpfs: root only)', () => {
  it('signs in with the session kept in memory, counts failures, and writes the held audit entries once there is room', async () => {
    const disk = onSmallDisk();
    const f = disk.store;
    await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, by);
    await f.auth.createUser({ user: 'bo', role: 'operator', password: 'green-pump-2291' }, by);
    const earlier = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    const before = f.audit.query({}).length;
    disk.fill();

    const s = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    expect(f.auth.session(s.token)?.user).toBe('ana');
    expect(f.auth.listSessions().map((x) => x.user)).toContain('ana');
    expect(disk.logs).toContainEqual(expect.stringMatching(/auth\.db cannot be written \(a new session: .*full/));
    expect(f.audit.held()).toBe(1);

    // Lockout holds although the account's row cannot be updated.
    for (let i = 0; i < 3; i++) expect((await f.auth.login('bo', 'wrong-password-000', ipc)).ok).toBe(false);
    const locked = await f.auth.login('bo', 'green-pump-2291', ipc);
    expect(locked.ok).toBe(false);
    if (!locked.ok) expect(locked.reason).toBe('locked');

    expect(f.auth.lock(s.token)).toBe(true);
    expect(f.auth.session(s.token)?.locked).toBe(true);
    expect(f.auth.logout(s.token)).toBe(true);
    expect(f.auth.session(s.token)).toBeNull();
    // A session from before the disk filled, ended on the full disk; and one that stays.
    expect(f.auth.logout(earlier.token)).toBe(true);
    expect(f.auth.session(earlier.token)).toBeNull();
    const kept = signedIn(await f.auth.login('ana', 'blue-valve-7734', ipc));
    const held = f.audit.held();
    expect(held).toBeGreaterThanOrEqual(5);
    expect(f.audit.query({}).length).toBe(before);

    // Room again: the next entry writes every held one first, in the order they happened.
    disk.free();
    f.audit.append({ actor: 'root', action: 'test.after', target: 'x' });
    expect(f.audit.held()).toBe(0);
    const actions = f.audit
      .query({})
      .slice(0, held + 1)
      .map((e) => e.action)
      .reverse();
    expect(actions[0]).toBe('auth.login');
    expect(actions.at(-1)).toBe('test.after');
    expect(actions).toContain('auth.lockout');
    expect(actions).toContain('auth.logout');
    expect(f.audit.verify().ok).toBe(true);

    // The sessions and failure counts kept in memory reached the file: a restart keeps them.
    const g = disk.reopen();
    expect(g.auth.session(kept.token)?.user).toBe('ana');
    expect(g.auth.session(s.token)).toBeNull();
    expect(g.auth.session(earlier.token)).toBeNull();
    const still = await g.auth.login('bo', 'green-pump-2291', ipc);
    expect(still.ok ? 'signed in' : still.reason).toBe('locked');
  });
});
