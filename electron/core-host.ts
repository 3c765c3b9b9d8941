// Entry of Electron's utility process: the core runs here, apart from the window, so a stalled or
// crashed core never freezes the UI and can be restarted by the main process. It speaks to main
// over process.parentPort; it never imports 'electron' (not available in a utility process).
import type { CallContext, EventStreams } from '../native/api/contract.js';
import { sessionChange } from '../native/api/session.js';
import { clientMessage, type ServerMessage } from '../native/api/wire.js';
import { type Core, startCore } from '../native/core.js';
import { inShellContext, installLastResort } from '../native/util/boundary.js';
import { type FromHost, toHost } from './host-protocol.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('core-host must run in an Electron utility process');
const port = parentPort;
// Last resort (docs/architecture.md, "Containment"): what escapes every service's boundary is
// recorded in <data dir>/crash.log; an escaped exception ends this process (code 70) and main
// restarts the core with backoff, an escaped rejection raises a system alarm and the core runs on.
installLastResort({ shell: 'desktop core', exitOnUncaught: true });

const post = (m: FromHost) => port.postMessage(m);
const toClient = (windowId: number | null, message: ServerMessage) => post({ kind: 'toClient', windowId, message });
// Each window signs in on its own (shift positions, screen lock): its session token lives here,
// in the core's process, never in the renderer.
const tokens = new Map<number, string>();
let core: Core | null = null;

function contextOf(c: Core, windowId: number): CallContext {
  const token = tokens.get(windowId);
  const session = token ? c.auth.session(token, 'ipc') : null;
  return session && token ? { ...session, token } : { user: null, role: null, origin: 'ipc' };
}

const onMessage = async (e: { data: unknown }) => {
  const parsed = toHost.safeParse(e.data);
  if (!parsed.success) return;
  const msg = parsed.data;
  if (msg.kind === 'start') {
    try {
      core = await startCore({ dataDir: msg.dataDir, siteFile: msg.siteFile, shell: 'desktop' });
      const c = core;
      c.onEvent((stream, data) => {
        toClient(null, { type: 'event', stream, data });
        // Critical alarms also reach the operator through the desktop's notifications (main shows
        // them only while no console window has the focus).
        if (stream === 'alarms') {
          for (const row of (data as EventStreams['alarms']).changed) {
            if (row.priority === 'Critical' && row.state === 'unack_active')
              post({ kind: 'notify', title: `Critical alarm: ${row.tag}`, body: row.message });
          }
        }
      });
      post({ kind: 'ready', site: c.info.site, version: c.info.version });
      // First run: the shell's dialog shows the setup code, as serve mode prints it on its terminal.
      const code = c.auth.setupCode();
      if (code) post({ kind: 'setupCode', code });
    } catch (err) {
      post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  } else if (msg.kind === 'client') {
    const c = core;
    const m = clientMessage.safeParse(msg.message);
    if (!c || !m.success) return;
    if (m.data.type === 'ping') {
      toClient(msg.windowId, { type: 'hello', info: c.info });
      return;
    }
    const result = await c.call(m.data.name, m.data.args, contextOf(c, msg.windowId));
    const change = sessionChange(m.data.name, result);
    if (change?.kind === 'start') tokens.set(msg.windowId, change.token);
    else if (change?.kind === 'end') tokens.delete(msg.windowId);
    toClient(
      msg.windowId,
      result.error ? { type: 'res', id: m.data.id, error: result.error } : { type: 'res', id: m.data.id, data: result.data },
    );
  } else if (msg.kind === 'stop') {
    await core?.stop();
    post({ kind: 'stopped' });
  }
};
// The message loop is the core's "ipc" service: a fault in one request is contained there.
port.on('message', (e) => void inShellContext('ipc', () => onMessage(e)));
