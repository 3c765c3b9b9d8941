// Coarse application state for React: tag and machine metadata, connection diagnostics, link
// state and theme (which screen shows is navigation.ts's). Changes here are rare (seconds), so
// components may select freely.
import { createStore, useStore } from 'zustand';
import type { RoleName } from '../../../native/api/auth-requests';
import type { SystemMessage } from '../../../native/api/events';
import type { ConnectionDiagnostics, CoreInfo, MachineInfo, TagInfo } from '../../../native/api/types';
import type { LinkState } from './client';

export type Theme = 'dark' | 'light';

/** Who is signed in; `needsSetup` when the console has no user yet. */
export type Session =
  | { state: 'unknown' }
  | { state: 'signedOut'; needsSetup: boolean }
  | {
      state: 'signedIn';
      user: string;
      role: RoleName;
      displayName: string;
      position: string | null;
      locked: boolean;
      /** An administrator reset the password and asked for a new one: read-only until it is chosen. */
      mustChangePassword?: boolean;
    };

export interface AppState {
  link: LinkState;
  session: Session;
  /**
   * The requests this session may make now, as the core computed them from its permission table
   * (auth.me): the screens offer a control only when its request is here (platform/permissions.ts).
   * Empty while signed out.
   */
  allowed: ReadonlySet<string>;
  /** When the link to the core went down (ms), for the banner; null while online. */
  lostAt: number | null;
  info: CoreInfo | null;
  tags: TagInfo[];
  tagByName: Map<string, TagInfo>;
  machines: MachineInfo[];
  connections: ConnectionDiagnostics[];
  messages: SystemMessage[];
  theme: Theme;
}

const storedTheme = (): Theme => {
  try {
    return localStorage.getItem('aurum.theme') === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
};

export const appStore = createStore<AppState>(() => ({
  link: 'connecting',
  session: { state: 'unknown' },
  allowed: new Set(),
  lostAt: null,
  info: null,
  tags: [],
  tagByName: new Map(),
  machines: [],
  connections: [],
  messages: [],
  theme: storedTheme(),
}));

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}

export const actions = {
  setMeta(tags: TagInfo[], machines: MachineInfo[]) {
    appStore.setState({ tags, machines, tagByName: new Map(tags.map((t) => [t.name, t])) });
  },
  /** Tags whose configuration changed (an edit confirmed by the core). */
  updateTags(changed: TagInfo[]) {
    const byId = new Map(changed.map((t) => [t.id, t]));
    const tags = appStore.getState().tags.map((t) => byId.get(t.id) ?? t);
    appStore.setState({ tags, tagByName: new Map(tags.map((t) => [t.name, t])) });
  },
  setTheme(theme: Theme) {
    try {
      localStorage.setItem('aurum.theme', theme);
    } catch {
      // Storage may be unavailable (private mode); the theme still applies for this session.
    }
    appStore.setState({ theme });
  },
  addMessage(m: SystemMessage) {
    appStore.setState((s) => ({ messages: [m, ...s.messages].slice(0, 50) }));
  },
};
