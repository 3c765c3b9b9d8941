// The trend screen's state: pens, live window or history range, and named views saved in the
// browser's storage. Coarse (changes on operator actions only), so React may select from it.
import { createStore, useStore } from 'zustand';
import type { TimeRange } from '../../lib/period';
import type { Route } from '../../platform/navigation';

export type TrendMode = 'live' | 'history';

export interface TrendView {
  pens: string[];
  windowS: number;
}

export interface TrendState {
  pens: string[] | null;
  windowS: number;
  mode: TrendMode;
  /** The history range (ms since epoch); null in live mode. */
  range: TimeRange | null;
  views: Record<string, TrendView>;
}

export const MAX_PENS = 16;
export const LIVE_WINDOWS_S = [60, 300, 600, 900];
/** Presets of the history range picker, seconds back from now. */
export const HISTORY_PRESETS_S = [900, 3600, 8 * 3600, 24 * 3600, 7 * 24 * 3600];
const VIEWS_KEY = 'aurum.trendViews';
const MIN_SPAN_MS = 1000;

export function parseViews(raw: string | null): Record<string, TrendView> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const views: Record<string, TrendView> = {};
    for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
      const view = v as Partial<TrendView> | null;
      if (!view || !Array.isArray(view.pens) || typeof view.windowS !== 'number') continue;
      views[name] = { pens: view.pens.filter((p): p is string => typeof p === 'string').slice(0, MAX_PENS), windowS: view.windowS };
    }
    return views;
  } catch {
    return {};
  }
}

function loadViews(): Record<string, TrendView> {
  try {
    return parseViews(localStorage.getItem(VIEWS_KEY));
  } catch {
    return {};
  }
}

function storeViews(views: Record<string, TrendView>): void {
  try {
    localStorage.setItem(VIEWS_KEY, JSON.stringify(views));
  } catch {
    // Storage unavailable: views last for this session only.
  }
}

/** Move a range by a fraction of its span (negative: back in time), never past `now`. */
export function panRange(r: TimeRange, fraction: number, now: number): TimeRange {
  const span = r.to - r.from;
  const shift = Math.min(span * fraction, now - r.to);
  return { from: r.from + shift, to: r.to + shift };
}

/** Scale a range around its centre (factor < 1 zooms in), keeping at least a second and ending by `now`. */
export function zoomRange(r: TimeRange, factor: number, now: number): TimeRange {
  const centre = (r.from + r.to) / 2;
  const half = Math.max(MIN_SPAN_MS, (r.to - r.from) * factor) / 2;
  const to = Math.min(now, centre + half);
  return { from: to - 2 * half, to };
}

export const trendStore = createStore<TrendState>(() => ({
  pens: null,
  windowS: 300,
  mode: 'live',
  range: null,
  views: loadViews(),
}));

export function useTrend<T>(selector: (s: TrendState) => T): T {
  return useStore(trendStore, selector);
}

export const trendActions = {
  /** The address the window opened on: a window opened with `#/trends?pens=…&window=…` (openWindow) starts on those pens. */
  openRoute(route: Route) {
    if (route.pens) trendStore.setState({ pens: route.pens });
    if (route.windowS) trendStore.setState({ windowS: route.windowS });
  },
  setPens(pens: string[]) {
    trendStore.setState({ pens: [...new Set(pens)].slice(0, MAX_PENS) });
  },
  addPen(name: string, current: string[]) {
    trendActions.setPens([...current, name]);
  },
  setWindow(windowS: number) {
    trendStore.setState({ windowS });
  },
  /** Freeze the chart on a range: from live, the window just shown. */
  showHistory(range?: TimeRange) {
    const s = trendStore.getState();
    const now = Date.now();
    trendStore.setState({ mode: 'history', range: range ?? s.range ?? { from: now - s.windowS * 1000, to: now } });
  },
  backToLive() {
    trendStore.setState({ mode: 'live', range: null });
  },
  pan(fraction: number) {
    const { range } = trendStore.getState();
    if (range) trendStore.setState({ range: panRange(range, fraction, Date.now()) });
  },
  zoom(factor: number) {
    const { range } = trendStore.getState();
    if (range) trendStore.setState({ range: zoomRange(range, factor, Date.now()) });
  },
  saveView(name: string, pens: string[]) {
    const views = { ...trendStore.getState().views, [name]: { pens, windowS: trendStore.getState().windowS } };
    storeViews(views);
    trendStore.setState({ views });
  },
  loadView(name: string) {
    const view = trendStore.getState().views[name];
    if (view) trendStore.setState({ pens: view.pens, windowS: view.windowS });
  },
  deleteView(name: string) {
    const { [name]: _gone, ...views } = trendStore.getState().views;
    storeViews(views);
    trendStore.setState({ views });
  },
};
