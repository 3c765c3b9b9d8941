import { describe, expect, it } from 'vitest';
import { canCall, deniedReason } from './permissions';
import { appStore, type Session } from './store';

const signedIn = (role: 'viewer' | 'operator' | 'esg_analyst', locked = false): Session => ({
  state: 'signedIn',
  user: 'ana',
  role,
  displayName: 'Ana',
  position: null,
  locked,
});

// Excerpts of what auth.me sends (the core computes the lists from its table: native/auth/permissions.test.ts).
const LISTS = {
  viewer: ['tags.list', 'alarms.list', 'auth.me'],
  operator: ['tags.list', 'tags.write', 'alarms.ack', 'auth.me'],
  esg_analyst: ['tags.list', 'esg.factors.correct', 'esg.report', 'auth.me'],
};
const allowedRequests = (role: keyof typeof LISTS) => LISTS[role];

describe('role-aware controls', () => {
  it('offers a request exactly when the core’s table allows it, and says why not in a sentence', () => {
    const viewer = { session: signedIn('viewer'), allowed: new Set<string>(allowedRequests('viewer')) };
    expect(deniedReason(viewer, 'tags.list')).toBeNull();
    expect(deniedReason(viewer, 'tags.write')).toBe('Not available to the viewer role; ask an administrator if your work needs it.');
    const esg = { session: signedIn('esg_analyst'), allowed: new Set<string>(allowedRequests('esg_analyst')) };
    expect(deniedReason(esg, 'alarms.ack')).toMatch(/esg_analyst role/);
    expect(deniedReason(esg, 'esg.factors.correct')).toBeNull();
    const locked = { session: signedIn('operator', true), allowed: new Set<string>(allowedRequests('viewer')) };
    expect(deniedReason(locked, 'tags.write')).toMatch(/locked .*password of ana/);
    expect(deniedReason({ session: { state: 'signedOut', needsSetup: false }, allowed: new Set() }, 'tags.list')).toBe('Sign in first.');

    appStore.setState({ session: signedIn('operator'), allowed: new Set(allowedRequests('operator')) });
    expect(canCall('tags.write')).toBe(true);
    expect(canCall('config.updateTag')).toBe(false);
    appStore.setState({ session: { state: 'unknown' }, allowed: new Set() });
  });
});
