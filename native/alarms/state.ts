// The ISA-18.2 alarm state machine as a pure reducer: (state, event) → state. The service feeds it
// condition changes and operator actions, the journal stores the same events, and replaying the
// journal through this function reproduces every alarm's state (which the tests check).
//
// Alarm lifecycle (ISA-18.2 figure "alarm state transition diagram"):
//   normal ──activate──▶ unack_active ──ack──▶ ack_active ──clear──▶ normal
//                           │clear                  (latched: stays until acknowledged after clear)
//                           ▼
//                        unack_rtn ──ack──▶ normal        unack_rtn ──activate──▶ unack_active
// Shelved, suppressed-by-design and out-of-service mask the lifecycle: entering them resets it to
// normal, the process condition is still tracked, and leaving them lands in unack_active when the
// condition is present, normal otherwise. Precedence for display: out_of_service > shelved > suppressed.

export type BaseState = 'normal' | 'unack_active' | 'ack_active' | 'unack_rtn';
export type AlarmStateName = BaseState | 'shelved' | 'suppressed' | 'out_of_service';

export interface AlarmState {
  base: BaseState;
  /** The (debounced) process condition: limit exceeded, trip present… */
  condition: boolean;
  suppressed: boolean;
  outOfService: boolean;
  /** Shelved until this time (ms); null when not shelved. */
  shelvedUntil: number | null;
  /** One-shot shelving also ends when the condition next clears. */
  oneShot: boolean;
  /** When the current activation began; null in normal. */
  activeSince: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  /** The process value at the last activation or clear. */
  value: number | null;
}

export type AlarmEvent =
  | { kind: 'activate'; ts: number; value: number | null }
  | { kind: 'clear'; ts: number; value: number | null }
  | { kind: 'ack'; ts: number; user: string; comment: string }
  | { kind: 'shelve'; ts: number; user: string; until: number; oneShot: boolean; reason: string }
  | { kind: 'unshelve'; ts: number; user: string }
  | { kind: 'suppress'; ts: number }
  | { kind: 'unsuppress'; ts: number }
  | { kind: 'out_of_service'; ts: number; user: string; reason: string }
  | { kind: 'return_to_service'; ts: number; user: string };

export type AlarmEventKind = AlarmEvent['kind'];

export const INITIAL_STATE: AlarmState = Object.freeze({
  base: 'normal',
  condition: false,
  suppressed: false,
  outOfService: false,
  shelvedUntil: null,
  oneShot: false,
  activeSince: null,
  ackedAt: null,
  ackedBy: null,
  value: null,
});

export function isMasked(s: AlarmState): boolean {
  return s.outOfService || s.shelvedUntil !== null || s.suppressed;
}

export function displayState(s: AlarmState): AlarmStateName {
  if (s.outOfService) return 'out_of_service';
  if (s.shelvedUntil !== null) return 'shelved';
  if (s.suppressed) return 'suppressed';
  return s.base;
}

/** Where the lifecycle lands when a mask lifts: annunciate again if the condition is still there. */
function unmasked(s: AlarmState, ts: number): AlarmState {
  if (isMasked(s) || !s.condition) return { ...s, base: 'normal', activeSince: null, ackedAt: null, ackedBy: null };
  return { ...s, base: 'unack_active', activeSince: ts, ackedAt: null, ackedBy: null };
}

const toNormal = (s: AlarmState): AlarmState => ({ ...s, base: 'normal', activeSince: null, ackedAt: null, ackedBy: null });

/**
 * Apply one event. Returns the same object when the event changes nothing (an ack of an
 * acknowledged alarm, an activation of an active one), so callers journal only real transitions.
 */
export function reduce(s: AlarmState, e: AlarmEvent, latch: boolean): AlarmState {
  switch (e.kind) {
    case 'activate': {
      if (s.condition) return s;
      const next = { ...s, condition: true, value: e.value };
      if (isMasked(s)) return next;
      // The condition was absent, so this is a new activation in every unmasked state: a latched
      // alarm that tripped, cleared and trips again (still unack_active, or ack_active awaiting its
      // reset) is a re-alarm that starts its own "active since" and needs acknowledging again.
      return { ...next, base: 'unack_active', activeSince: e.ts, ackedAt: null, ackedBy: null };
    }
    case 'clear': {
      if (!s.condition) return s;
      const next = { ...s, condition: false, value: e.value };
      if (s.shelvedUntil !== null && s.oneShot) return unmasked({ ...next, shelvedUntil: null, oneShot: false }, e.ts);
      if (isMasked(s) || latch) return next;
      if (s.base === 'unack_active') return { ...next, base: 'unack_rtn' };
      if (s.base === 'ack_active') return toNormal(next);
      return next;
    }
    case 'ack': {
      if (isMasked(s)) return s;
      if (s.base === 'unack_active') {
        const acked = { ...s, ackedAt: e.ts, ackedBy: e.user };
        return s.condition ? { ...acked, base: 'ack_active' } : toNormal(acked);
      }
      if (s.base === 'unack_rtn') return toNormal(s);
      // Acknowledging a latched alarm whose condition has gone is its reset. (Unlatched alarms reach
      // this only when a restart restores a state saved while the definition was latched.)
      if (s.base === 'ack_active' && !s.condition) return toNormal(s);
      return s;
    }
    case 'shelve':
      if (s.outOfService) return s;
      return toNormal({ ...s, shelvedUntil: e.until, oneShot: e.oneShot });
    case 'unshelve':
      if (s.shelvedUntil === null) return s;
      return unmasked({ ...s, shelvedUntil: null, oneShot: false }, e.ts);
    case 'suppress':
      if (s.suppressed) return s;
      return isMasked(s) ? { ...s, suppressed: true } : toNormal({ ...s, suppressed: true });
    case 'unsuppress':
      if (!s.suppressed) return s;
      return isMasked({ ...s, suppressed: false }) ? { ...s, suppressed: false } : unmasked({ ...s, suppressed: false }, e.ts);
    case 'out_of_service':
      if (s.outOfService) return s;
      return toNormal({ ...s, outOfService: true, shelvedUntil: null, oneShot: false });
    case 'return_to_service':
      if (!s.outOfService) return s;
      return unmasked({ ...s, outOfService: false }, e.ts);
  }
}

/** The rules every reachable state obeys; returns the broken rule, or null. */
export function invalidReason(s: AlarmState, latch: boolean): string | null {
  if (isMasked(s) && s.base !== 'normal') return `masked alarm in ${s.base}`;
  if ((s.base === 'unack_active' || s.base === 'ack_active') && !s.condition && !latch) return `${s.base} without its condition`;
  if (s.base === 'unack_rtn' && s.condition) return 'unack_rtn with its condition present';
  if (s.base === 'unack_rtn' && latch) return 'a latched alarm in unack_rtn';
  if ((s.base === 'normal') !== (s.activeSince === null)) return `activeSince ${s.activeSince} in ${s.base}`;
  if (s.base === 'ack_active' && s.ackedAt === null) return 'ack_active without an acknowledgement';
  if (s.oneShot && s.shelvedUntil === null) return 'one-shot flag without shelving';
  if (s.outOfService && s.shelvedUntil !== null) return 'shelved while out of service';
  return null;
}
