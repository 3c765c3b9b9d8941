// Hardening of every window and the session: the renderer is sandboxed, isolated and without Node;
// it may not navigate, open windows, attach webviews or obtain permissions; it loads no remote content.
import type { Session, WebContents, WebPreferences } from 'electron';

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const satisfies WebPreferences;

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Is this URL the app's own page (any #view)? Nothing else may load in a console window. */
export function isAppPage(url: string, appPage: string): boolean {
  if (!url.startsWith('file://')) return false;
  return decodeURIComponent(new URL(url).pathname).endsWith(appPage.split(/[\\/]/).slice(-2).join('/'));
}

/**
 * Deny navigation, redirects and webviews; a window.open of the app's own page (a trend or machine
 * for a second monitor) becomes another hardened console window with the same preload.
 */
export function hardenWebContents(contents: WebContents, appPage: string, preload?: string): void {
  contents.setWindowOpenHandler(({ url }) =>
    preload && isAppPage(url, appPage)
      ? {
          action: 'allow',
          overrideBrowserWindowOptions: { width: 1400, height: 900, webPreferences: { ...SECURE_WEB_PREFERENCES, preload } },
        }
      : { action: 'deny' },
  );
  contents.on('will-navigate', (e, url) => {
    if (!isAppPage(url, appPage)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

export function hardenSession(s: Session, csp: string): void {
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // No remote content: only the app's own files load.
  s.webRequest.onBeforeRequest((details, callback) => {
    const ok =
      details.url.startsWith('file://') ||
      details.url.startsWith('devtools://') ||
      details.url.startsWith('data:') ||
      details.url.startsWith('blob:');
    callback({ cancel: !ok });
  });
}
