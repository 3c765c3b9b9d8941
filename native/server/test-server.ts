// For tests: the core and the HTTP transport in-process on a site file given as text, with a signed-in
// administrator — the setup several server-level tests share.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Core, startCore } from '../core.js';
import { type RunningServer, serve } from './server.js';

export interface ServedCore {
  core: Core;
  server: RunningServer;
  /** Authorization header of the signed-in administrator. */
  auth: Record<string, string>;
  post(p: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

const ADMIN = { user: 'admin', password: 'test-Operator-Pass-2026' };

export async function serveSite(siteText: string, prefix: string): Promise<ServedCore> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, siteText);
  process.env.AURUM_ADMIN_USER = ADMIN.user;
  process.env.AURUM_ADMIN_PASSWORD = ADMIN.password;
  const core = await startCore({ siteFile: file, dataDir: path.join(dir, 'data'), shell: 'test', log: () => undefined });
  const server = await serve(core, { port: 0, staticDir: path.join(dir, 'no-ui') });
  const login = await fetch(`${server.url}/api/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
  const auth = { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  return {
    core,
    server,
    auth,
    post: (p, body) => fetch(`${server.url}${p}`, { method: 'POST', headers: auth, body: JSON.stringify(body) }),
    async stop() {
      await server.close();
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
