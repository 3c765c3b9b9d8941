// The window's address checked against the screen table: a hash that names no screen is no route.
import { parseHash, type Route } from '../platform/navigation';
import { isScreen } from './screens';

export function parseRoute(hash: string): Route | null {
  const parsed = parseHash(hash);
  if (!parsed || !isScreen(parsed.screen)) return null;
  return { ...parsed, screen: parsed.screen };
}
