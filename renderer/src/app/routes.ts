// The window's address checked against the screen table: a hash that names no screen is no route.
import { parseHash, type Route, startNavigation } from '../platform/navigation';
import { isScreen, SCREENS } from './screens';

export function parseRoute(hash: string): Route | null {
  const parsed = parseHash(hash);
  if (!parsed || !isScreen(parsed.screen)) return null;
  return { ...parsed, screen: parsed.screen };
}

/** Opens the window on the view its address names (else the first screen), with that view's parameters. */
export function startRoute(hash: string): void {
  const route = parseRoute(hash);
  startNavigation(route, SCREENS[0]!.id);
  if (route) for (const s of SCREENS) s.openRoute?.(route);
}
