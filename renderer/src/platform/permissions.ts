// Role-aware controls: whether this session may make a request, from the list the core computed
// from its own permission table (auth.me's `allowed`), so the screens and the gate read one table.
// A control whose request is not allowed is not offered (or is shown disabled with `reason`); the
// core's gate still refuses it if it were sent. The link to the core is a separate matter: a lost
// link disables every control of the screen at once (app/App.tsx), it does not hide them.
import type { RequestName } from '../../../native/api/contract';
import { type AppState, appStore, useApp } from './store';

/** Why this session may not make the request, as a sentence for a disabled control's title; null when it may. */
export function deniedReason(state: Pick<AppState, 'session' | 'allowed'>, name: RequestName): string | null {
  if (state.allowed.has(name)) return null;
  const s = state.session;
  if (s.state !== 'signedIn') return 'Sign in first.';
  if (s.locked) return `The session is locked (read-only): unlock it with the password of ${s.user} first.`;
  if (s.mustChangePassword) return 'Choose a new password first: an administrator reset yours.';
  return `Not available to the ${s.role} role; ask an administrator if your work needs it.`;
}

/** May this session make the request now? (The core's answer at sign-in, unlock and every reconnection.) */
export function canCall(name: RequestName): boolean {
  return appStore.getState().allowed.has(name);
}

/** `useCan('tags.write')`: true when the caller's role may make the request. */
export function useCan(name: RequestName): boolean {
  return useApp((s) => s.allowed.has(name));
}

/** Why a control is disabled for this caller (a sentence), or null when the request is allowed. */
export function useDenied(name: RequestName): string | null {
  return useApp((s) => deniedReason(s, name));
}
