// The console's screens, in navigation order. A screen is listed only when the requests it needs
// are in the API contract: `requires` is typed against it, so a screen whose capability has not
// landed cannot be added by mistake, and adding one that has is this one line.
// Designed to take, in this order: Overview, Alarms, Machine, Trends, Connections, Tags &
// configuration, ESG, Users.
import type { ComponentType } from 'react';
import type { RequestName } from '../../native/api/contract';
import { Connections } from './screens/Connections';
import { Machine } from './screens/Machine';
import { Overview } from './screens/Overview';
import { Tags } from './screens/Tags';
import { Trends } from './screens/Trends';
import type { Screen } from './store/app';

export interface ScreenDef {
  id: Screen;
  label: string;
  requires: RequestName[];
  component: ComponentType;
}

export const SCREENS: ScreenDef[] = [
  { id: 'overview', label: 'Overview', requires: ['tags.list', 'tags.snapshot'], component: Overview },
  { id: 'machine', label: 'Machine', requires: ['tags.list', 'tags.write'], component: Machine },
  { id: 'trends', label: 'Trends', requires: ['tags.list', 'history.query'], component: Trends },
  { id: 'connections', label: 'Connections', requires: ['connections.list'], component: Connections },
  { id: 'tags', label: 'Tags & configuration', requires: ['tags.list'], component: Tags },
];

/** Alt+1 … Alt+9 open the screens in navigation order. */
export function screenForKey(key: string): ScreenDef | undefined {
  const n = Number(key);
  return Number.isInteger(n) && n >= 1 ? SCREENS[n - 1] : undefined;
}
