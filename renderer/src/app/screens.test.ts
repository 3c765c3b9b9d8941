import { describe, expect, it } from 'vitest';
import { trendStore } from '../features/trends/store';
import { formatRoute, navigationStore } from '../platform/navigation';
import { parseRoute, startRoute } from './routes';
import { SCREENS, screenForKey, shortcutKey, visibleScreens } from './screens';

// The screen table is the one list: routes, navigation and the Alt+number keys follow it, so a
// screen added there is reachable by its address and its key without editing another list.
describe('the screen table', () => {
  const admin = { state: 'signedIn', user: 'a', role: 'admin', displayName: 'A', position: null, locked: false } as const;

  it('gives every screen a route that round-trips', () => {
    for (const s of SCREENS) {
      expect(parseRoute(formatRoute({ screen: s.id }))).toEqual({ screen: s.id, machine: null, pens: null, windowS: null });
    }
  });

  it('shows every screen to an administrator, in table order, each on its Alt key', () => {
    expect(visibleScreens(admin).map((s) => s.id)).toEqual(SCREENS.map((s) => s.id));
    SCREENS.forEach((s, i) => {
      const key = shortcutKey(i);
      if (key) expect(screenForKey(key, admin)?.id).toBe(s.id);
    });
  });

  it('hides role-restricted screens from other roles', () => {
    const operator = { ...admin, role: 'operator' } as const;
    const hidden = SCREENS.filter((s) => s.roles && !s.roles.includes('operator')).map((s) => s.id);
    expect(hidden.length).toBeGreaterThan(0);
    expect(visibleScreens(operator).map((s) => s.id)).toEqual(SCREENS.map((s) => s.id).filter((id) => !hidden.includes(id)));
  });

  it('opens the window on the view its address names, with that view’s parameters', () => {
    startRoute('#/nowhere?pens=X&window=60');
    expect(navigationStore.getState()).toEqual({ screen: SCREENS[0]?.id, selectedMachine: null });
    expect(trendStore.getState()).toMatchObject({ pens: null, windowS: 300 });
    startRoute('#/machine/Demo/Pump%231');
    expect(navigationStore.getState()).toEqual({ screen: 'machine', selectedMachine: 'Demo/Pump#1' });
    startRoute(formatRoute({ screen: 'trends', pens: ['Demo/A/Flow', 'Demo/A/Temp'], windowS: 600 }));
    expect(navigationStore.getState().screen).toBe('trends');
    expect(trendStore.getState()).toMatchObject({ pens: ['Demo/A/Flow', 'Demo/A/Temp'], windowS: 600 });
  });
});
