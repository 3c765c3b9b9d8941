// Which screen a window shows, and its address in the URL's hash: a trend or a machine opened in a
// second window (a second monitor) starts on the same view. `#/machine/<path>`,
// `#/trends?pens=a,b&window=300`, `#/alarms`…
//
// platform/ names no screen: the screens are the one table in app/screens.tsx, which registers
// their ids here by declaration merging (below), so `navigate('machin')` does not compile while this
// file imports nothing above it. The app checks a parsed hash against that table
// (app/routes.ts) and starts navigation with it before the first render.
import { createStore, useStore } from 'zustand';

/** Filled in by app/screens.tsx: one key per screen id of the screen table. */
// biome-ignore lint/suspicious/noEmptyInterface: declaration-merging target, filled in by app/screens.tsx
export interface ScreenIds {}
export type Screen = Extract<keyof ScreenIds, string>;

export interface Route {
  screen: Screen;
  machine: string | null;
  pens: string[] | null;
  windowS: number | null;
}

/** The parts of a hash, its first path segment not yet checked against the screens. */
export function parseHash(hash: string): (Omit<Route, 'screen'> & { screen: string }) | null {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first = '', ...rest] = path.split('/');
  if (!first) return null;
  const params = new URLSearchParams(query);
  const pens = params.get('pens');
  const windowS = Number(params.get('window'));
  return {
    screen: first,
    machine: first === 'machine' && rest.length > 0 ? rest.map(decodeURIComponent).join('/') : null,
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

export interface NavigationState {
  /** null only before the app starts navigation (app/main, before the first render). */
  screen: Screen | null;
  selectedMachine: string | null;
}

export const navigationStore = createStore<NavigationState>(() => ({ screen: null, selectedMachine: null }));

export function useNavigation<T>(selector: (s: NavigationState) => T): T {
  return useStore(navigationStore, selector);
}

/** The view the window opens on: the route of its hash, or the first screen. */
export function startNavigation(route: Route | null, first: Screen): void {
  navigationStore.setState({ screen: route?.screen ?? first, selectedMachine: route?.machine ?? null });
}

export function navigate(screen: Screen, machine: string | null = null): void {
  const selectedMachine = machine ?? navigationStore.getState().selectedMachine;
  navigationStore.setState({ screen, selectedMachine });
  // The hash names the view, so a reload or a second window opens on it.
  if (typeof history !== 'undefined' && typeof location !== 'undefined') {
    history.replaceState(null, '', `${location.pathname}${location.search}${formatRoute({ screen, machine: selectedMachine })}`);
  }
}
