// The address of what a window shows, kept in the URL's hash: a trend or a machine opened in a
// second window (a second monitor) starts on the same view. `#/machine/<path>`,
// `#/trends?pens=a,b&window=300`, `#/alarms`…
import type { Screen } from './app';

export interface Route {
  screen: Screen;
  machine: string | null;
  pens: string[] | null;
  windowS: number | null;
}

const SCREENS: Screen[] = [
  'overview',
  'alarms',
  'alarm-history',
  'machine',
  'trends',
  'connections',
  'tags',
  'esg',
  'users',
  'audit',
  'sync',
];

export function parseRoute(hash: string): Route | null {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first, ...rest] = path.split('/');
  const screen = SCREENS.find((s) => s === first);
  if (!screen) return null;
  const params = new URLSearchParams(query);
  const pens = params.get('pens');
  const windowS = Number(params.get('window'));
  return {
    screen,
    machine: screen === 'machine' && rest.length > 0 ? rest.map(decodeURIComponent).join('/') : null,
    pens: pens ? pens.split(',').filter(Boolean) : null,
    windowS: Number.isFinite(windowS) && windowS > 0 ? windowS : null,
  };
}

export function formatRoute(r: Partial<Route> & { screen: Screen }): string {
  let out = `#/${r.screen}`;
  if (r.screen === 'machine' && r.machine) out += `/${r.machine.split('/').map(encodeURIComponent).join('/')}`;
  const params = new URLSearchParams();
  if (r.pens && r.pens.length > 0) params.set('pens', r.pens.join(','));
  if (r.windowS) params.set('window', String(r.windowS));
  const q = params.toString();
  return q ? `${out}?${q}` : out;
}

/** Open a view in a new window (serve mode: a browser window; the desktop shell decides how it opens). */
export function openWindow(r: Partial<Route> & { screen: Screen }): void {
  window.open(`${location.pathname}${location.search}${formatRoute(r)}`, '_blank', 'noopener');
}
