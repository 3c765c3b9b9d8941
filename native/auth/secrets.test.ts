import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { userCli } from './cli.js';
import { authHandlers } from './handlers.js';
import { auditedCall } from './recorder.js';
import { isSealed, KEY_FILE, openSecrets } from './secrets.js';
import { openAuthStore } from './store.js';
import { FAST_HASH } from './test-support.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('secrets at rest (serve mode)', () => {
  it('creates a 0600 key file and seals with AES-256-GCM', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-secrets-'));
    const s = openSecrets(dir);
    if (process.platform !== 'win32') expect(statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    const a = s.encrypt('plc-pa$$word-123');
    const b = s.encrypt('plc-pa$$word-123');
    expect(isSealed(a)).toBe(true);
    expect(a).not.toBe(b); // a fresh IV each time
    expect(a).not.toContain('plc-pa');
    expect(s.decrypt(a)).toBe('plc-pa$$word-123');
    expect(openSecrets(dir).decrypt(b)).toBe('plc-pa$$word-123'); // the same key on the next start
  });

  it('refuses altered values, other keys and a key file others can read, never echoing the secret', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-secrets-'));
    const s = openSecrets(dir);
    const sealed = s.encrypt('hunter2-hunter2');
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(() => s.decrypt(flipped)).toThrow(/altered|another key/);
    expect(() => s.decrypt('hunter2-hunter2')).toThrow(/not a sealed secret/);
    const otherDir = path.join(dir, 'other');
    expect(() => openSecrets(otherDir).decrypt(sealed)).toThrow(/another key file/);
    try {
      s.decrypt(flipped);
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
    if (process.platform !== 'win32') {
      chmodSync(path.join(dir, KEY_FILE), 0o644);
      expect(() => openSecrets(dir)).toThrow(/readable by other accounts/);
    }
  });
});

describe('no secret in plain text in any file written or any log line', () => {
  it('holds through user creation, sign-ins, audited requests and a site file with a sealed password', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-nosecrets-'));
    const PASSWORD = 'Sup3r-Secret-Operator-PW';
    const NEXT = 'N3xt-Secret-After-Reset';
    const PLC = 'plc-connection-Pa55-XyZ';
    const API_KEY = 'cloud-api-key-7f3a9b';
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: { AURUM_NEW_PASSWORD: PASSWORD } };
    expect(await userCli(['add', 'ana', '--role', 'operator'], dir, io)).toBe(0);
    expect(await userCli(['add', 'boss', '--role', 'admin', '--password', NEXT], dir, io)).toBe(0);
    expect(await userCli(['passwd', 'ana'], dir, { ...io, env: { AURUM_NEW_PASSWORD: NEXT } })).toBe(0);

    const store = openAuthStore(dir, { policy: { hash: FAST_HASH }, log: (l, m) => out.push(`${l} ${m}`) });
    const h = authHandlers(store.auth, store.audit);
    const anonymous = { user: null, role: null, origin: 'http' as const, address: '10.1.1.1' };
    await expect(h['auth.login']({ user: 'ana', password: PASSWORD }, anonymous)).rejects.toThrow(/wrong user name or password/);
    const s = await h['auth.login']({ user: 'ana', password: NEXT }, anonymous);
    await h['auth.unlock']({ password: NEXT }, { user: 'ana', role: 'operator', origin: 'http', token: s.token });
    await h['auth.users.create']({ user: 'carl', role: 'viewer', password: PASSWORD }, { user: 'boss', role: 'admin', origin: 'http' });
    const call = auditedCall(async () => ({ data: { ok: true } }), store.audit);
    await call(
      'models.activate',
      { model: 'pump-ae', apiKey: API_KEY, connection: { password: PLC } },
      { user: 'ana', role: 'engineer', origin: 'ipc' },
    );

    const secrets = openSecrets(dir);
    writeFileSync(
      path.join(dir, 'site.yaml'),
      `connections:\n  - name: plc1\n    protocol: opcua\n    password: ${secrets.encrypt(PLC)}\n`,
    );
    expect(store.audit.verify()).toMatchObject({ ok: true });
    expect(store.audit.query({ action: 'auth.login' }).map((e) => e.result)).toEqual(['ok', 'denied']);
    store.close();

    const files = readdirSync(dir).map((n) => path.join(dir, n));
    expect(files.map((p) => path.basename(p))).toEqual(expect.arrayContaining(['auth.db', KEY_FILE, 'site.yaml']));
    const haystacks = [
      ...files.map((p) => ({ where: p, text: readFileSync(p).toString('latin1') })),
      { where: 'log', text: out.join('\n') },
    ];
    for (const secret of [PASSWORD, NEXT, PLC, API_KEY]) {
      for (const hay of haystacks) expect(hay.text.includes(secret), `${secret} found in ${hay.where}`).toBe(false);
    }
    // The search can fail: the audit trail did record the request, with the secrets replaced.
    expect(readFileSync(path.join(dir, 'auth.db')).toString('latin1')).toContain('(redacted)');
  });
});
