// Starting the console as a real child process for end-to-end tests: serve mode from the built
// bundle, on a free loopback port, with its own data dir and HOME (node-opcua writes its PKI there).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../native/util/net.js';

export const root = path.resolve(import.meta.dirname, '..');

/** The first administrator each test console is started with (AURUM_ADMIN_USER / AURUM_ADMIN_PASSWORD). */
export const ADMIN = { user: 'admin', password: 'e2e-Console-Pass-2026' };

export interface RunningConsole {
  url: string;
  /** Sign in over HTTP; the bearer token for scripted requests. */
  signIn(user?: string, password?: string): Promise<string>;
  port: number;
  dataDir: string;
  output: () => string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Run `script args…` (bin/aurum.mjs serve or scripts/start.mjs) and wait until /api/health answers. */
export async function startConsole(opts: {
  script: string;
  args?: string[];
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<RunningConsole> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'aurum-e2e-'));
  const home = mkdtempSync(path.join(tmpdir(), 'aurum-home-'));
  let out = '';
  const child = spawn(
    process.execPath,
    [path.join(root, opts.script), ...(opts.args ?? []), '--port', String(port), '--data-dir', dataDir],
    {
      cwd: root,
      env: {
        ...process.env,
        HOME: home,
        AURUM_LOG: process.env.AURUM_LOG ?? 'silent',
        AURUM_ADMIN_USER: ADMIN.user,
        AURUM_ADMIN_PASSWORD: ADMIN.password,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor(
      '/api/health',
      async () => {
        if (child.exitCode !== null) throw new Error(`console exited with ${child.exitCode}:\n${out}`);
        const r = await fetch(`${url}/api/health`);
        return r.ok ? true : undefined;
      },
      opts.timeoutMs ?? 30_000,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- console output ---\n${out}`);
  }
  return {
    url,
    port,
    dataDir,
    child,
    async signIn(user = ADMIN.user, password = ADMIN.password) {
      const r = await fetch(`${url}/api/login`, { method: 'POST', body: JSON.stringify({ user, password }) });
      if (!r.ok) throw new Error(`sign-in as ${user} failed: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { token: string }).token;
    },
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}

/** Scripted requests to a running console as one user (a bearer token): what an E2E file does besides its browser. */
export interface Scripted {
  /** The bearer token the requests carry unless another is given. */
  token: string;
  /** `fetch` of a path on the console with the bearer token and a JSON body type; the raw response (for status checks). */
  api(path: string, init?: RequestInit, bearer?: string): Promise<Response>;
  /** `GET path`, its JSON body; throws naming the path and the status unless it answers 2xx. */
  json<T>(path: string, bearer?: string): Promise<T>;
  /** `POST /api/call/<name>` with `args`: the result; throws naming the request, the status and the answer unless it answers 2xx. */
  call<T = unknown>(name: string, args: unknown, bearer?: string): Promise<T>;
  /** Create each user (name → role) with `password` (auth.users.create). */
  createUsers(users: Readonly<Record<string, string>>, password: string): Promise<void>;
}

export function scripted(app: Pick<RunningConsole, 'url'>, token: string): Scripted {
  const api = (p: string, init: RequestInit = {}, bearer = token) =>
    fetch(`${app.url}${p}`, {
      ...init,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
  const json = async <T>(p: string, bearer = token): Promise<T> => {
    const r = await api(p, {}, bearer);
    if (!r.ok) throw new Error(`GET ${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const call = async <T>(name: string, args: unknown, bearer = token): Promise<T> => {
    const r = await api(`/api/call/${name}`, { method: 'POST', body: JSON.stringify(args) }, bearer);
    if (!r.ok) throw new Error(`${name}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  return {
    token,
    api,
    json,
    call,
    async createUsers(users, password) {
      for (const [user, role] of Object.entries(users)) await call('auth.users.create', { user, role, password });
    },
  };
}

/** The demo plant's pumps (resources/demo-site.yaml) and the id of each one's low-flow alarm. */
export const DEMO_PUMPS = ['Pump101', 'Pump102'] as const;
export type DemoPump = (typeof DEMO_PUMPS)[number];
export const lowFlowAlarm = (pump: DemoPump) => `Demo.PumpStation.${pump}.Flow.lo`;

/**
 * Set the demo pumps' SpeedSetpoint to 40 % (its lowest, confirmed): their flow falls below the
 * low-flow limit (80) and each one's low-flow alarm raises after its on-delay (10 s).
 */
export async function slowDemoPumps(s: Scripted, pumps: readonly DemoPump[] = DEMO_PUMPS): Promise<void> {
  for (const pump of pumps) {
    const r = await s.api('/api/tags/write', {
      method: 'POST',
      body: JSON.stringify({ tag: `Demo/PumpStation/${pump}/SpeedSetpoint`, value: 40, confirmed: true }),
    });
    if (!r.ok) throw new Error(`slowing ${pump}: ${r.status} ${await r.text()}`);
  }
}

/**
 * Until every alarm of `ids` is unacknowledged and active (with none given: any alarm is), bounded
 * by `timeoutMs`; the alarm list then.
 */
export async function waitForUnacked<Row extends { id: string; state: string }>(
  s: Scripted,
  ids: readonly string[] = [],
  timeoutMs = 40_000,
): Promise<Row[]> {
  return waitFor(
    ids.length ? ids.join(' and ') : 'an unacknowledged alarm',
    async () => {
      const rows = (await s.json<{ alarms: Row[] }>('/api/alarms')).alarms;
      const up = (a: Row) => a.state === 'unack_active';
      const ready = ids.length ? ids.every((id) => rows.some((a) => a.id === id && up(a))) : rows.some(up);
      return ready ? rows : undefined;
    },
    timeoutMs,
    500,
  );
}
