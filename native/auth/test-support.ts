// Shared by this folder's tests: a temp data dir with a real auth.db, a clock the test moves, and
// cheap scrypt parameters (the real ones are exercised in password.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PolicyOverrides } from './service.js';
import { type AuthStore, openAuthStore } from './store.js';

export const FAST_HASH = { N: 2 ** 10, r: 8, p: 1 };

export interface Fixture extends AuthStore {
  dir: string;
  clock: { t: number; advance(ms: number): void };
  logs: string[];
  dispose(): void;
}

export function fixture(policy: PolicyOverrides = {}): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-auth-'));
  const clock = {
    t: Date.UTC(2025, 0, 6, 6, 0, 0),
    advance(ms: number) {
      this.t += ms;
    },
  };
  const logs: string[] = [];
  const store = openAuthStore(dir, {
    now: () => clock.t,
    policy: { hash: FAST_HASH, ...policy },
    log: (level, message) => logs.push(`${level} ${message}`),
  });
  return {
    ...store,
    dir,
    clock,
    logs,
    dispose() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
