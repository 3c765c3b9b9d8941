// Electron main process: windows, lifecycle and security. The core runs in a utility process
// (core-host); this process relays messages between windows and the core, checks every message's
// sender and shape, and restarts the core if it dies. The only code that imports 'electron' lives
// in this folder.
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  type IpcMainEvent,
  ipcMain,
  Notification,
  session,
  type UtilityProcess,
  utilityProcess,
} from 'electron';
import { clientMessage } from '../native/api/wire';
import { installLastResort } from '../native/util/boundary';
import { IPC_CHANNEL } from './channel';
import { fromHost, type ToHost } from './host-protocol';
import { CONTENT_SECURITY_POLICY, hardenSession, hardenWebContents, SECURE_WEB_PREFERENCES } from './security';

const distDir = path.resolve(__dirname, '..');
const rendererIndex = path.join(distDir, 'renderer', 'index.html');
const coreHostEntry = path.join(distDir, 'native', 'electron-core-host.mjs');
const preloadEntry = path.join(__dirname, 'preload.cjs');
const SHUTDOWN_TIMEOUT_MS = 10_000;

// Last resort: this process only relays between windows and the core, so what escapes here is
// recorded (log, <userData>/data/crash.log) and the windows stay open.
installLastResort({
  shell: 'electron main',
  exitOnUncaught: false,
  crashFile: () => (app.isReady() ? path.join(app.getPath('userData'), 'data', 'crash.log') : null),
});

let core: UtilityProcess | null = null;
let coreRestarts = 0;
let quitting = false;
let stoppedResolve: (() => void) | null = null;
const windows = new Set<BrowserWindow>();

function postToCore(message: ToHost): void {
  core?.postMessage(message);
}

function broadcast(message: unknown, windowId: number | null): void {
  for (const w of windows) {
    if (windowId === null || w.webContents.id === windowId) w.webContents.send(IPC_CHANNEL, message);
  }
}

function startCoreProcess(): void {
  const child = utilityProcess.fork(coreHostEntry, [], { serviceName: 'Aurum Console core', stdio: 'inherit' });
  core = child;
  child.on('message', (raw: unknown) => {
    const parsed = fromHost.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'toClient') broadcast(msg.message, msg.windowId);
    else if (msg.kind === 'ready') {
      coreRestarts = 0;
      // Windows opened before the core was ready ask again for the hello.
      for (const w of windows) postToCore({ kind: 'client', windowId: w.webContents.id, message: { type: 'ping', id: 0 } });
    } else if (msg.kind === 'failed') console.error(`aurum: core failed to start: ${msg.message}`);
    else if (msg.kind === 'notify') {
      // Critical alarms when no console window has the focus.
      if (!BrowserWindow.getFocusedWindow() && Notification.isSupported()) new Notification({ title: msg.title, body: msg.body }).show();
    } else if (msg.kind === 'setupCode') showSetupCode(msg.code);
    else if (msg.kind === 'stopped') stoppedResolve?.();
  });
  child.on('exit', (code) => {
    core = null;
    if (quitting) return;
    // A crashed core is restarted with backoff; the windows show "connection lost" meanwhile.
    console.error(`aurum: core exited with code ${code}; restarting`);
    setTimeout(startCoreProcess, Math.min(10_000, 500 * 2 ** coreRestarts++));
  });
  postToCore({ kind: 'start', dataDir: path.join(app.getPath('userData'), 'data'), siteFile: process.env.AURUM_SITE_FILE });
}

/**
 * The first-run dialog: the console has no user yet, and creating the first administrator needs
 * this start's one-time code (docs/security.md "First run"). Shown once per code, beside the window.
 */
let shownSetupCode: string | null = null;
function showSetupCode(code: string): void {
  if (code === shownSetupCode) return;
  shownSetupCode = code;
  const options = {
    type: 'info' as const,
    title: 'Aurum Console — first run',
    message: 'This console has no user yet',
    detail: `Setup code: ${code}\n\nEnter this code in the console window with the first administrator's name and password. It works once, for this start only.`,
    buttons: ['OK'],
  };
  const [parent] = windows;
  void (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 960,
    minWidth: 1024,
    minHeight: 700,
    backgroundColor: '#2b2d30',
    title: 'Aurum Console',
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadEntry },
  });
  hardenWebContents(win.webContents, rendererIndex, preloadEntry);
  windows.add(win);
  // A trend or machine opened for a second monitor is another console window on the same core.
  win.webContents.on('did-create-window', (child) => {
    windows.add(child);
    child.on('closed', () => windows.delete(child));
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => windows.delete(win));
  void win.loadFile(rendererIndex);
  return win;
}

/** Accept a renderer message only from our own page, and only in the contract's envelope. */
function onRendererMessage(event: IpcMainEvent, message: unknown): void {
  const frameUrl = event.senderFrame?.url ?? '';
  if (!frameUrl.startsWith('file://') || !decodeURIComponent(new URL(frameUrl).pathname).endsWith('/renderer/index.html')) return;
  const parsed = clientMessage.safeParse(message);
  if (!parsed.success) return;
  postToCore({ kind: 'client', windowId: event.sender.id, message: parsed.data });
}

async function shutdown(): Promise<void> {
  quitting = true;
  if (!core) return;
  const stopped = new Promise<void>((resolve) => {
    stoppedResolve = resolve;
  });
  postToCore({ kind: 'stop' });
  await Promise.race([stopped, new Promise((r) => setTimeout(r, SHUTDOWN_TIMEOUT_MS))]);
  core?.kill();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [first] = windows;
    if (first) {
      if (first.isMinimized()) first.restore();
      first.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, rendererIndex, preloadEntry));
  app.whenReady().then(() => {
    hardenSession(session.defaultSession, CONTENT_SECURITY_POLICY);
    ipcMain.on(IPC_CHANNEL, onRendererMessage);
    startCoreProcess();
    createWindow();
  });
  app.on('window-all-closed', () => app.quit());
  let shutdownDone = false;
  app.on('before-quit', (e) => {
    if (shutdownDone) return;
    // Flush the historian and close connections before the process ends.
    e.preventDefault();
    void shutdown().finally(() => {
      shutdownDone = true;
      app.quit();
    });
  });
}
