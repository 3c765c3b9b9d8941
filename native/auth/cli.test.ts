import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditCli, userCli } from './cli.js';
import { openAuthStore } from './store.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}) {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`), env } };
}

describe('aurum user / aurum audit', () => {
  it('adds, lists, re-roles, disables and unlocks users, each change audited', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-cli-'));
    const a = io({ AURUM_NEW_PASSWORD: 'blue-valve-7734' });
    expect(await userCli(['add', 'ana', '--role', 'operator', '--display-name', 'Ana P.'], dir, a.io)).toBe(0);
    expect(await userCli(['role', 'ana', 'engineer'], dir, a.io)).toBe(0);
    expect(await userCli(['disable', 'ana'], dir, a.io)).toBe(0);
    expect(await userCli(['list'], dir, a.io)).toBe(0);
    expect(a.lines.at(-1)).toBe('ana\tengineer\tAna P.\t(disabled)');
    expect(await userCli(['enable', 'ana'], dir, a.io)).toBe(0);
    expect(await userCli(['unlock', 'ana'], dir, a.io)).toBe(0);
    expect(await auditCli(['verify'], dir, a.io)).toBe(0);
    expect(a.lines.at(-1)).toMatch(/^audit trail intact: 4 entries/);

    expect(await userCli(['passwd', 'ana', '--must-change'], dir, io({ AURUM_NEW_PASSWORD: 'temporary-pass-5521' }).io)).toBe(0);
    expect(await userCli(['list'], dir, a.io)).toBe(0);
    expect(a.lines.at(-1)).toBe('ana\tengineer\tAna P.\t(must choose a new password)');
    expect(await userCli(['passwd', 'ana'], dir, a.io)).toBe(0);

    const store = openAuthStore(dir);
    expect(store.audit.query().map((e) => `${e.action} ${e.actor}`)[0]).toMatch(/^auth\.users\.update cli:/);
    expect((await store.auth.login('ana', 'blue-valve-7734', { transport: 'internal' })).ok).toBe(true);
    store.close();
  });

  it('refuses bad input with exit codes 1 and 2 and a reason', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-cli-'));
    const a = io({ AURUM_NEW_PASSWORD: 'short' });
    expect(await userCli(['add', 'ana', '--role', 'superuser'], dir, a.io)).toBe(2);
    expect(await userCli(['add', 'ana', '--role', 'viewer'], dir, a.io)).toBe(1);
    expect(a.lines.at(-1)).toMatch(/password refused: at least 10 characters/);
    expect(await userCli(['passwd', 'nobody', '--password', 'blue-valve-7734'], dir, a.io)).toBe(1);
    expect(await userCli(['add', 'ana', '--role', 'viewer', '--bogus'], dir, a.io)).toBe(2);
    expect(await userCli([], dir, a.io)).toBe(2);
    // No password anywhere and no terminal to ask on.
    expect(await userCli(['add', 'ana', '--role', 'viewer'], dir, io().io)).toBe(1);
  });
});
