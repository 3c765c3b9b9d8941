// The console's screens, in navigation order: the one table from which the Screen type, the routes
// (app/routes.ts), the navigation bar and the Alt+number keys derive. Adding a screen is one entry
// here. A screen is listed only when the requests it needs are in the API contract: `requires` is
// typed against it, so a screen whose capability has not landed cannot be added by mistake.
// Designed to take, in this order: Overview, Alarms, Machine, Trends, Connections, Tags &
// configuration, ESG, Users; Alarm history and the Audit trail came later and go after ESG and
// Users so that the Alt+number keys operators already know keep their screens.
import type { ComponentType } from 'react';
import type { RoleName } from '../../../native/api/auth-requests';
import type { RequestName } from '../../../native/api/contract';
import { AlarmHistory } from '../features/alarm-history/AlarmHistory';
import { Alarms } from '../features/alarms/Alarms';
import { Audit } from '../features/audit/Audit';
import { Configuration } from '../features/configuration/Configuration';
import { Connections } from '../features/connections/Connections';
import { Displays } from '../features/displays/Displays';
import { DisplayEditor } from '../features/displays/editor/Editor';
import { Esg } from '../features/esg/Esg';
import { Machine } from '../features/machine/Machine';
import { Overview } from '../features/overview/Overview';
import { Sync } from '../features/sync/Sync';
import { Tags } from '../features/tags/Tags';
import { trendActions } from '../features/trends/store';
import { Trends } from '../features/trends/Trends';
import { Users } from '../features/users/Users';
import type { Route, Screen } from '../platform/navigation';
import type { Session } from '../platform/store';

export interface ScreenDef<Id extends string = Screen> {
  id: Id;
  label: string;
  requires: readonly RequestName[];
  component: ComponentType;
  /** Shown only to these roles (the core's permission gate is the control; this hides what would be refused). */
  roles?: readonly RoleName[];
  /** Takes the parameters of the address the window opened on (a trend's pens and window), whichever screen it names. */
  openRoute?: (route: Route) => void;
}

const TABLE = [
  { id: 'overview', label: 'Overview', requires: ['tags.list', 'tags.snapshot'], component: Overview },
  { id: 'alarms', label: 'Alarms', requires: ['alarms.list', 'alarms.ack', 'alarms.shelve'], component: Alarms },
  { id: 'machine', label: 'Machine', requires: ['tags.list', 'tags.write'], component: Machine },
  { id: 'trends', label: 'Trends', requires: ['tags.list', 'history.query'], component: Trends, openRoute: trendActions.openRoute },
  { id: 'connections', label: 'Connections', requires: ['connections.list'], component: Connections },
  { id: 'tags', label: 'Tags & configuration', requires: ['tags.list', 'config.updateTag'], component: Tags },
  { id: 'esg', label: 'ESG', requires: ['esg.summary', 'esg.report'], component: Esg },
  { id: 'alarm-history', label: 'Alarm history', requires: ['alarms.journal', 'alarms.export', 'alarms.kpis'], component: AlarmHistory },
  { id: 'users', label: 'Users', requires: ['auth.users.list', 'auth.users.update'], component: Users, roles: ['admin'] },
  {
    id: 'audit',
    label: 'Audit trail',
    requires: ['audit.query', 'audit.export', 'audit.verify'],
    component: Audit,
    roles: ['admin', 'engineer'],
  },
  {
    id: 'sync',
    label: 'Cloud sync',
    requires: ['sync.status', 'sync.pause', 'sync.resume', 'sync.models.list'],
    component: Sync,
    roles: ['admin', 'engineer'],
  },
  // Every role may read the versions and their diffs; the editor, Apply and Roll back follow the permission table (useCan).
  { id: 'configuration', label: 'Configuration', requires: ['config.versions', 'config.diff'], component: Configuration },
  // Process displays (viewer): every role may open them.
  { id: 'displays', label: 'Displays', requires: ['displays.list', 'displays.get', 'tags.list'], component: Displays },
  // The display editor: engineers draw, bind and save displays (each save a configuration version).
  {
    id: 'display-editor',
    label: 'Display editor',
    requires: ['displays.save', 'displays.importSvg', 'displays.get'],
    component: DisplayEditor,
    roles: ['admin', 'engineer'],
  },
] as const satisfies readonly ScreenDef<string>[];

type ScreenId = (typeof TABLE)[number]['id'];

// The screen ids become platform/navigation's Screen type: `navigate` and routes are typed by this table.
declare module '../platform/navigation' {
  interface ScreenIds extends Record<ScreenId, true> {}
}

export const SCREENS: readonly ScreenDef[] = TABLE;

export const isScreen = (id: string): id is Screen => SCREENS.some((s) => s.id === id);

export function visibleScreens(session: Session): ScreenDef[] {
  if (session.state !== 'signedIn') return [];
  return SCREENS.filter((s) => !s.roles || s.roles.includes(session.role));
}

/** The key that opens the i-th (0-based) visible screen with Alt: 1 … 9, then 0 for the tenth. */
export const shortcutKey = (i: number): string | undefined => (i < 9 ? String(i + 1) : i === 9 ? '0' : undefined);

/** Alt+1 … Alt+9 and Alt+0 open the visible screens in navigation order. */
export function screenForKey(key: string, session: Session): ScreenDef | undefined {
  const n = key === '0' ? 10 : Number(key);
  return Number.isInteger(n) && n >= 1 ? visibleScreens(session)[n - 1] : undefined;
}
