// The shell's hardening, asserted without an Electron runtime (none can run here): the settings
// objects themselves, the handlers installed on stand-ins for WebContents and Session, and the
// main process's IPC checks read from its source.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, hardenSession, hardenWebContents, SECURE_WEB_PREFERENCES } from './security.js';

const APP_PAGE = '/opt/aurum/resources/app.asar/dist/renderer/index.html';

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string; overrideBrowserWindowOptions?: { webPreferences?: object } }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string; overrideBrowserWindowOptions?: { webPreferences?: object } }) {
    this.openHandler = h;
  }
  /** Emit like Electron: returns whether a listener called preventDefault. */
  fire(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

describe('Electron hardening', () => {
  it('runs the renderer isolated, sandboxed and without Node', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has a strict Content-Security-Policy: own origin only, no inline script, no objects, no framing', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('denies window.open (but for the app page itself, hardened), navigation away, redirects and webviews', () => {
    const wc = new FakeContents();
    hardenWebContents(wc as unknown as WebContents, APP_PAGE, '/opt/aurum/preload.cjs');
    expect(wc.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(wc.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const second = wc.openHandler?.({ url: `file://${APP_PAGE}#/trends?pens=a` });
    expect(second?.action).toBe('allow');
    expect(second?.overrideBrowserWindowOptions?.webPreferences).toMatchObject({
      ...SECURE_WEB_PREFERENCES,
      preload: '/opt/aurum/preload.cjs',
    });
    expect(wc.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(wc.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.fire('will-navigate', `file://${APP_PAGE}`)).toBe(false);
    expect(wc.fire('will-redirect', 'https://example.com/')).toBe(true);
    expect(wc.fire('will-attach-webview')).toBe(true);
  });

  it('refuses every permission request and loads no remote content', () => {
    const calls: Record<string, unknown> = {};
    const fake = {
      setPermissionRequestHandler: (h: unknown) => (calls.request = h),
      setPermissionCheckHandler: (h: unknown) => (calls.check = h),
      webRequest: {
        onHeadersReceived: (h: unknown) => (calls.headers = h),
        onBeforeRequest: (h: unknown) => (calls.before = h),
      },
    };
    hardenSession(fake as unknown as Session, CONTENT_SECURITY_POLICY);
    let granted: boolean | undefined;
    (calls.request as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect((calls.check as () => boolean)()).toBe(false);
    const verdict = (url: string) => {
      let cancel: boolean | undefined;
      (calls.before as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void)({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(verdict('https://cdn.example.com/x.js')).toBe(true);
    expect(verdict('http://127.0.0.1:7700/')).toBe(true);
    expect(verdict(`file://${APP_PAGE}`)).toBe(false);
    let headers: Record<string, string[]> | undefined;
    (
      calls.headers as (
        d: { responseHeaders: Record<string, string[]> },
        cb: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void
    )({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('main checks each IPC message’s sender frame and schema, on one allowlisted channel', () => {
    const main = readFileSync(path.join(import.meta.dirname, 'main.ts'), 'utf8');
    const preload = readFileSync(path.join(import.meta.dirname, 'preload.ts'), 'utf8');
    expect(main).toMatch(/event\.senderFrame\?\.url/);
    expect(main).toMatch(/clientMessage\.safeParse\(message\)/);
    expect(main).toMatch(/ipcMain\.on\(IPC_CHANNEL, onRendererMessage\)/);
    expect(main).toMatch(/requestSingleInstanceLock/);
    expect(main).toMatch(/webPreferences: \{ \.\.\.SECURE_WEB_PREFERENCES/);
    // The preload exposes one object and uses only the one channel.
    expect(preload.match(/exposeInMainWorld/g)).toHaveLength(1);
    expect(preload).not.toMatch(/ipcRenderer\.(send|on)\(['"]/);
  });
});
