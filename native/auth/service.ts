// Users and sessions. Sign-in checks a salted scrypt hash, counts failures per account (lockout)
// and per client address (rate limit); a session is a random token of which only the SHA-256 is
// stored. Sessions slide with use, end after an idle time and in any case after an absolute time
// (a 12-hour shift plus handover), and can be locked on a shared control-room PC: a locked session
// keeps its read-only view of the plant until its user, or the next operator, signs in again.
//
// Checking a password takes a scrypt (asynchronous), so every attempt reserves its place in the
// per-account and per-address budgets *before* the hash runs: concurrent guesses cannot all pass a
// check made before any of them failed. Unknown user names are counted and locked exactly like real
// ones, so no answer (wrong password, locked) tells whether an account exists.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import type { SessionInfo, SignedIn, UserInfo } from '../api/auth-requests.js';
import type { CallContext } from '../api/contract.js';
import { describeError } from '../util/errors.js';
import { type Logger, RepeatedFault } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import { isNoRoom, type SqliteDatabase, storageFault } from '../util/sqlite.js';
import { WriteRetry } from '../util/write-retry.js';
import type { AuditLog } from './audit.js';
import { authMigrations } from './migrations/index.js';
import {
  checkPasswordPolicy,
  DEFAULT_HASH,
  DEFAULT_PASSWORD_POLICY,
  type HashParams,
  hashPassword,
  type PasswordPolicy,
  verifyPassword,
} from './password.js';
import { LoginRateLimiter } from './rate-limit.js';
import { isRole, type Role } from './roles.js';
import { ThrottleAudit } from './throttle-audit.js';

export interface AuthPolicy {
  password: PasswordPolicy;
  hash: HashParams;
  /** Consecutive failed sign-ins that lock an account… */
  maxFailures: number;
  /** …for this long. */
  lockoutMs: number;
  /** Failed sign-ins per client address per window (serve mode; IPC has no address). */
  loginRate: { attempts: number; windowMs: number };
  /** A session unused this long is locked (0: never). The UI locks earlier on keyboard/mouse idleness. */
  idleLockMs: number;
  /** A session unused this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however busy. */
  absoluteTimeoutMs: number;
  /** What a locked session may still do: watch as a viewer (the plant display must not go blank), or nothing. */
  lockedRole: 'viewer' | null;
  /** Refused sign-ins (throttled, locked) are written to the audit trail as one row per this period, with a count. */
  throttleAuditMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLICY: AuthPolicy = {
  password: DEFAULT_PASSWORD_POLICY,
  hash: DEFAULT_HASH,
  maxFailures: 5,
  lockoutMs: 15 * MINUTE,
  loginRate: { attempts: 20, windowMs: 10 * MINUTE },
  idleLockMs: 15 * MINUTE,
  idleTimeoutMs: 8 * HOUR,
  absoluteTimeoutMs: 14 * HOUR,
  lockedRole: 'viewer',
  throttleAuditMs: MINUTE,
};

export type PolicyOverrides = Partial<Omit<AuthPolicy, 'password' | 'hash' | 'loginRate'>> & {
  password?: Partial<PasswordPolicy>;
  hash?: HashParams;
  loginRate?: AuthPolicy['loginRate'];
};

export interface LoginOrigin {
  transport: CallContext['origin'] | 'cli';
  /** Client address (serve mode), for the per-address rate limit and the audit trail. */
  address?: string;
  /** Shift position signed in at, e.g. "Control desk 2". */
  position?: string;
  /** Token of the session this sign-in takes over (the next operator at a shared PC); it is ended. */
  replaces?: string;
}

export type LoginOutcome =
  | { ok: true; session: SignedIn }
  | { ok: false; reason: 'invalid' | 'locked' | 'rate_limited' | 'disabled'; message: string; retryAfterMs?: number };

/** A CallContext for a live session, with what the transports and auth handlers need besides. */
export interface SessionContext extends CallContext {
  token: string;
  locked: boolean;
  position: string | null;
  expiresAt: number;
  /** An administrator reset the password and asked for a new one: read-only until the user chooses it. */
  mustChangePassword: boolean;
}

export interface NewUser {
  user: string;
  role: Role;
  password: string;
  displayName?: string;
}

export interface UserChanges {
  role?: Role;
  displayName?: string;
  disabled?: boolean;
  password?: string;
  unlock?: true;
  /** Require a new password at the next sign-in (an administrator's reset); until then the user watches read-only. */
  mustChangePassword?: boolean;
}

/** Who changes users: a signed-in admin, the first-run setup, or the command line. */
export interface Actor {
  user: string | null;
  origin: string;
}

export class AuthError extends Error {
  constructor(
    readonly type: 'validation' | 'not_found' | 'conflict' | 'unauthenticated' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

export interface AuthService {
  readonly policy: AuthPolicy;
  needsSetup(): boolean;
  /** Headless first start: create the administrator from AURUM_ADMIN_USER / AURUM_ADMIN_PASSWORD if no user exists yet. */
  ensureFirstAdmin(env?: Record<string, string | undefined>): Promise<{ created: string | null; needsSetup: boolean }>;
  /**
   * The one-time setup code of this start while no user exists (generated on first call, and written
   * to the setup-code file when one is configured); null once a user exists.
   */
  setupCode(): string | null;
  /** First-run setup: create the administrator and sign in; needs this start's setup code; refused once any user exists. */
  setupFirstAdmin(user: string, password: string, code: string, origin: LoginOrigin): Promise<SignedIn>;
  login(user: string, password: string, origin: LoginOrigin): Promise<LoginOutcome>;
  logout(token: string): boolean;
  /** The caller behind a token, or null; slides the session. */
  session(token: string, transport?: CallContext['origin']): SessionContext | null;
  lock(token: string): boolean;
  /**
   * Remove every session past its idle or absolute timeout from the store (each written to the
   * audit trail as auth.expired); runs on a schedule, so dead sessions do not pile up. The count removed.
   */
  sweepSessions(): number;
  /** End one session by its listed id (an administrator clearing a session left open); false when there is none. */
  endSession(id: string, by: Actor): boolean;
  /** Quick re-sign-in of a locked session's own user. */
  unlock(token: string, password: string): Promise<LoginOutcome>;
  changePassword(user: string, current: string, next: string): Promise<void>;
  createUser(u: NewUser, by: Actor): Promise<UserInfo>;
  updateUser(user: string, changes: UserChanges, by: Actor): Promise<UserInfo>;
  setPassword(user: string, password: string, by: Actor): Promise<UserInfo>;
  disable(user: string, by: Actor): Promise<UserInfo>;
  getUser(user: string): UserInfo | null;
  listUsers(): UserInfo[];
  listSessions(): SessionInfo[];
  /** Per-session token for state-changing requests authenticated by cookie (see http.ts). */
  csrfToken(token: string): string;
  checkCsrf(token: string, presented: string | undefined): boolean;
  /** Write the pending aggregated audit rows (refused sign-ins); called on close. */
  flushAudit(): void;
  close(): void;
}

export interface AuthOptions {
  /** openSqlite() of auth.db in the data dir. */
  db: SqliteDatabase;
  now?: () => number;
  policy?: PolicyOverrides;
  /** Where sign-ins, lockouts and user changes are recorded. */
  audit?: AuditLog;
  log?: Logger;
  /** Where the first-run setup code is written (0600), for whoever starts the console to read. */
  setupCodeFile?: string;
}

interface UserRow {
  name: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  failed_count: number;
  locked_until: number | null;
  created_at: number;
  last_login_at: number | null;
  must_change_password: number;
}

interface SessionRow {
  id: string;
  user: string;
  origin: string;
  position: string | null;
  created_at: number;
  last_seen_at: number;
  locked: number;
  role: string;
  display_name: string;
  disabled: number;
  must_change_password: number;
}

/** The columns a session row borrows from its user. */
type UserColumns = 'role' | 'display_name' | 'disabled' | 'must_change_password';

const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** One message for a wrong password and an unknown user alike. */
const INVALID = 'wrong user name or password';
/** One message for a locked account, a name with too many attempts in flight, known or not. */
const LOCKED = 'this account is locked after repeated failed sign-ins; try again later or ask an administrator';
// Unambiguous characters (no 0/O, 1/I/L) in groups of four: 16 characters of 31, about 79 bits.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const MAX_UNKNOWN_NAMES = 10_000;

function newSetupCode(): string {
  const chars: string[] = [];
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
  while (chars.length < 16) {
    for (const b of randomBytes(32)) {
      if (b < 248 && chars.length < 16) chars.push(CODE_ALPHABET[b % 31] as string);
    }
  }
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
// Writing last_seen on every request would turn reads into writes; a second's precision is plenty
// against timeouts measured in minutes.
const TOUCH_GRANULARITY_MS = 1000;
/** How often dead sessions (past their idle or absolute timeout) are removed from the store. */
export const SESSION_SWEEP_MS = 60_000;
/** The id a session is listed by: derived from the stored hash, so it neither is nor reveals the token. */
const listedId = (storedId: string) => createHash('sha256').update('aurum-session-ref').update(storedId).digest('hex').slice(0, 16);

export function openAuth(opts: AuthOptions): AuthService {
  const { db } = opts;
  migrate(db, authMigrations, 'auth_migrations');
  const now = opts.now ?? Date.now;
  const o = opts.policy ?? {};
  const policy: AuthPolicy = {
    ...DEFAULT_POLICY,
    ...o,
    password: { ...DEFAULT_POLICY.password, ...o.password },
    hash: o.hash ?? DEFAULT_POLICY.hash,
    loginRate: o.loginRate ?? DEFAULT_POLICY.loginRate,
  };
  const log: Logger = opts.log ?? (() => undefined);
  const limiter = new LoginRateLimiter({ ...policy.loginRate, now });
  const audit = (entry: Parameters<AuditLog['append']>[0]) => opts.audit?.append(entry);
  const throttled = new ThrottleAudit({ periodMs: policy.throttleAuditMs, now, write: (entry) => audit(entry) });
  /** Sign-in attempts whose password check is running, per user name (known or not). */
  const inFlight = new Map<string, number>();
  /** Failure counts of names that are not accounts, kept like an account's so the answers match. */
  const unknownNames = new Map<string, { failed: number; lockedUntil: number | null }>();
  let setupCode: string | null = null;
  let setupBusy = false;
  /**
   * Sessions whose row the file refused (disk full): kept here, so that signing in still works on a
   * full disk, and written (heldRetry) once there is room. A session deleted while the file refused
   * it is kept as null, so that its older row in the file no longer counts, and deleted then.
   */
  const heldSessions = new Map<string, (Omit<SessionRow, UserColumns> & { address?: string | null }) | null>();
  /** Failure counts of accounts whose row the file refused to update (lockout still holds on a full disk). */
  const heldFailures = new Map<string, { failed: number; lockedUntil: number | null }>();
  const diskFaults = new RepeatedFault(log);
  const writeHeld = db.transaction(() => {
    for (const [id, h] of heldSessions) {
      if (h === null) q.deleteSession.run(id);
      else if (row(h.user)) q.putSession.run({ ...h, address: h.address ?? null });
    }
    for (const [name, f] of heldFailures) q.setFailures.run(f.failed, f.lockedUntil, name);
  });
  // The same hold-and-retry as the audit trail and the alarm journal: every 2 s until the file takes them.
  const heldRetry = new WriteRetry({
    faults: diskFaults,
    key: 'held',
    failed: (cause) =>
      `auth.db cannot be written (${cause}); ${heldSessions.size} sessions and ${heldFailures.size} failure counts kept in memory and retried`,
    cleared: 'auth.db written again; the sessions and failure counts kept in memory are stored',
    write: () => {
      if (heldSessions.size === 0 && heldFailures.size === 0) return;
      writeHeld();
      heldSessions.clear();
      heldFailures.clear();
    },
  });
  /** Run a write the file may refuse for lack of room: true when written, false (logged once) when refused. */
  const written = (what: string, write: () => void): boolean => {
    try {
      write();
      diskFaults.clear('write', 'auth.db written again');
      return true;
    } catch (err) {
      if (!isNoRoom(err)) throw err;
      diskFaults.report(
        'write',
        `auth.db cannot be written (${what}: ${err instanceof Error ? err.message : String(err)}); sessions and sign-in failures are kept in memory until there is room`,
        'error',
      );
      return false;
    }
  };
  /** Why no user can be created now: auth.db is kept in memory (a disk too full to create it at start). */
  const cannotStoreUsers = (): string | null => {
    const fault = storageFault(db);
    return fault?.mode === 'memory' ? fault.message : null;
  };

  const q = {
    count: db.prepare('SELECT count(*) AS n FROM users'),
    user: db.prepare('SELECT * FROM users WHERE name = ?'),
    users: db.prepare('SELECT * FROM users ORDER BY name'),
    insertUser: db.prepare(
      'INSERT INTO users (name, display_name, role, password_hash, created_at, updated_at, password_changed_at) VALUES (@name, @display_name, @role, @password_hash, @now, @now, @now)',
    ),
    failed: db.prepare(
      'UPDATE users SET failed_count = failed_count + 1, locked_until = CASE WHEN failed_count + 1 >= @max THEN @until ELSE locked_until END WHERE name = @name RETURNING failed_count, locked_until',
    ),
    resetFailures: db.prepare('UPDATE users SET failed_count = 0, locked_until = NULL WHERE name = ?'),
    loggedIn: db.prepare('UPDATE users SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE name = ?'),
    insertSession: db.prepare(
      'INSERT INTO sessions (id, user, origin, address, position, created_at, last_seen_at) VALUES (@id, @user, @origin, @address, @position, @now, @now)',
    ),
    session: db.prepare(
      'SELECT s.*, u.role, u.display_name, u.disabled, u.must_change_password FROM sessions s JOIN users u ON u.name = s.user WHERE s.id = ?',
    ),
    sessions: db.prepare(
      'SELECT s.*, u.role, u.display_name, u.disabled, u.must_change_password FROM sessions s JOIN users u ON u.name = s.user ORDER BY s.created_at',
    ),
    expired: db.prepare('SELECT id, user, origin, position FROM sessions WHERE last_seen_at <= ? OR created_at <= ?'),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?'),
    setLocked: db.prepare('UPDATE sessions SET locked = ?, last_seen_at = ? WHERE id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user = ?'),
    expire: db.prepare('DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?'),
    putSession: db.prepare(
      'INSERT OR REPLACE INTO sessions (id, user, origin, address, position, created_at, last_seen_at, locked) VALUES (@id, @user, @origin, @address, @position, @created_at, @last_seen_at, @locked)',
    ),
    setFailures: db.prepare('UPDATE users SET failed_count = ?, locked_until = ? WHERE name = ?'),
  };

  const info = (r: UserRow): UserInfo => ({
    user: r.name,
    displayName: r.display_name,
    role: r.role as Role,
    disabled: r.disabled === 1,
    lockedUntil: r.locked_until !== null && r.locked_until > now() ? r.locked_until : null,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
    mustChangePassword: r.must_change_password === 1,
  });
  const row = (user: string) => q.user.get(user) as UserRow | undefined;
  const mustRow = (user: string) => {
    const r = row(user);
    if (!r) throw new AuthError('not_found', `no user "${user}"`);
    return r;
  };
  const checkPolicy = (password: string, user: string) => {
    const problems = checkPasswordPolicy(password, user, policy.password);
    if (problems.length) throw new AuthError('validation', `password refused: ${problems.join('; ')}`);
  };

  const csrfToken = (token: string) => createHmac('sha256', token).update('aurum-csrf').digest('base64url');
  const expiresAt = (createdAt: number, lastSeen: number) =>
    Math.min(lastSeen + policy.idleTimeoutMs, createdAt + policy.absoluteTimeoutMs);

  const startSession = (r: UserRow, origin: LoginOrigin): SignedIn => {
    const token = randomBytes(32).toString('base64url');
    const t = now();
    const stored = written('a new session', () =>
      db.transaction(() => {
        q.expire.run(t - policy.idleTimeoutMs, t - policy.absoluteTimeoutMs);
        if (origin.replaces) q.deleteSession.run(sessionId(origin.replaces));
        q.insertSession.run({
          id: sessionId(token),
          user: r.name,
          origin: origin.transport,
          address: origin.address ?? null,
          position: origin.position ?? null,
          now: t,
        });
        q.loggedIn.run(t, r.name);
      })(),
    );
    if (stored) heldFailures.delete(r.name);
    else {
      if (origin.replaces) heldSessions.set(sessionId(origin.replaces), null);
      heldSessions.set(sessionId(token), {
        id: sessionId(token),
        user: r.name,
        origin: origin.transport,
        address: origin.address ?? null,
        position: origin.position ?? null,
        created_at: t,
        last_seen_at: t,
        locked: 0,
      });
      if (heldFailures.has(r.name)) heldFailures.set(r.name, { failed: 0, lockedUntil: null });
      heldRetry.run();
    }
    return {
      token,
      csrfToken: csrfToken(token),
      user: r.name,
      role: r.role as Role,
      displayName: r.display_name,
      expiresAt: expiresAt(t, t),
    };
  };

  // Unknown user names still cost one scrypt, so response time does not tell which names exist.
  let dummyHash: Promise<string> | null = null;
  const burnTime = async (password: string) => {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'), policy.hash);
    await verifyPassword(password, await dummyHash);
  };

  /** Failures and lockout of a name: the account's row, or the in-memory record of a name that is none. */
  const failureState = (r: UserRow | undefined, user: string) => {
    if (r) return heldFailures.get(r.name) ?? { failed: r.failed_count, lockedUntil: r.locked_until };
    return unknownNames.get(user) ?? { failed: 0, lockedUntil: null };
  };
  /** Count one failure against a name; the state after it (locked when it reached the limit). */
  const countFailure = (r: UserRow | undefined, user: string) => {
    const t = now();
    const until = t + policy.lockoutMs;
    if (r && !heldFailures.has(r.name)) {
      let after: { failed_count: number; locked_until: number | null } | undefined;
      // In a transaction: a RETURNING row arrives before the write is committed, and only the
      // commit says whether the file took it.
      const stored = written('a failed sign-in', () =>
        db.transaction(() => {
          // A lock that has run out starts the count again.
          if (r.locked_until !== null && r.locked_until <= t) q.resetFailures.run(r.name);
          after = q.failed.get({ name: r.name, max: policy.maxFailures, until }) as { failed_count: number; locked_until: number | null };
        })(),
      );
      if (stored && after) return after;
      heldFailures.set(r.name, { failed: r.failed_count, lockedUntil: r.locked_until });
    }
    if (r) {
      const before = heldFailures.get(r.name) ?? { failed: r.failed_count, lockedUntil: r.locked_until };
      const base = before.lockedUntil !== null && before.lockedUntil <= t ? { failed: 0, lockedUntil: null } : before;
      const after = { failed: base.failed + 1, lockedUntil: base.failed + 1 >= policy.maxFailures ? until : base.lockedUntil };
      heldFailures.set(r.name, after);
      heldRetry.run();
      return { failed_count: after.failed, locked_until: after.lockedUntil };
    }
    const before = unknownNames.get(user) ?? { failed: 0, lockedUntil: null };
    const base = before.lockedUntil !== null && before.lockedUntil <= t ? { failed: 0, lockedUntil: null } : before;
    const after = { failed: base.failed + 1, lockedUntil: base.failed + 1 >= policy.maxFailures ? until : base.lockedUntil };
    unknownNames.delete(user);
    unknownNames.set(user, after);
    if (unknownNames.size > MAX_UNKNOWN_NAMES) {
      const stalest = unknownNames.keys().next().value;
      if (stalest !== undefined) unknownNames.delete(stalest);
    }
    return { failed_count: after.failed, locked_until: after.lockedUntil };
  };

  /** Check a password against an account with lockout accounting; the row when it matches. */
  const checkCredentials = async (user: string, password: string, origin: LoginOrigin, action: string): Promise<LoginOutcome | UserRow> => {
    const t = now();
    const address = origin.address;
    const details = { address: address ?? null, position: origin.position ?? null };
    const auditFail = (reason: string, target: string) =>
      audit({ actor: target || null, origin: origin.transport, action, target, details: { reason, ...details }, result: 'denied' });
    // Everything up to the reservations runs synchronously, so no other attempt can interleave.
    if (address) {
      const wait = limiter.reserve(address);
      if (wait > 0) {
        throttled.record({ action, reason: 'rate_limited', target: user, origin: origin.transport, ...details });
        return {
          ok: false,
          reason: 'rate_limited',
          message: 'too many failed sign-ins from this address; try again later',
          retryAfterMs: wait,
        };
      }
    }
    const state = failureState(row(user), user);
    const pending = inFlight.get(user) ?? 0;
    const lockedNow = state.lockedUntil !== null && state.lockedUntil > t;
    const failedSoFar = state.lockedUntil !== null && state.lockedUntil <= t ? 0 : state.failed;
    // Attempts in flight count as failures: past the limit, one of them may be the one that locks.
    if (lockedNow || failedSoFar + pending >= policy.maxFailures) {
      if (address) limiter.settle(address, false);
      throttled.record({ action, reason: 'locked', target: user, origin: origin.transport, ...details });
      return {
        ok: false,
        reason: 'locked',
        message: LOCKED,
        retryAfterMs: lockedNow && state.lockedUntil !== null ? state.lockedUntil - t : policy.lockoutMs,
      };
    }
    inFlight.set(user, pending + 1);
    let matches = false;
    try {
      const r0 = row(user);
      if (r0) matches = await verifyPassword(password, r0.password_hash);
      else await burnTime(password);
    } finally {
      const n = (inFlight.get(user) ?? 1) - 1;
      if (n > 0) inFlight.set(user, n);
      else inFlight.delete(user);
    }
    // The row again: it may have changed (disabled, unlocked) while the hash ran.
    const r = row(user);
    if (r && matches && r.disabled === 0) {
      if (address) limiter.settle(address, false);
      return r;
    }
    if (address) limiter.settle(address, true);
    // Only someone who knows the password learns that the account is disabled rather than the password wrong.
    if (r && matches && r.disabled === 1) {
      auditFail('disabled', r.name);
      return { ok: false, reason: 'disabled', message: 'this account is disabled' };
    }
    const after = countFailure(r, user);
    if (after.locked_until !== null && after.locked_until > now() && after.failed_count === policy.maxFailures) {
      log('warn', `sign-in name "${user}" locked after ${after.failed_count} failed sign-ins`);
      audit({
        actor: null,
        origin: origin.transport,
        action: 'auth.lockout',
        target: user,
        details: { failures: after.failed_count, until: after.locked_until, ...(r ? {} : { account: 'none' }) },
        result: 'ok',
      });
    }
    log('info', `failed sign-in for "${user}"${address ? ` from ${address}` : ''}`);
    auditFail('invalid_credentials', r?.name ?? user);
    return { ok: false, reason: 'invalid', message: INVALID };
  };

  const sessionRow = (token: string): SessionRow | undefined => {
    const id = sessionId(token);
    if (!heldSessions.has(id)) return q.session.get(id) as SessionRow | undefined;
    const s = heldSessions.get(id);
    const u = s ? row(s.user) : undefined;
    return s && u
      ? { ...s, role: u.role, display_name: u.display_name, disabled: u.disabled, must_change_password: u.must_change_password }
      : undefined;
  };
  /** Change a session; kept in memory (heldSessions) when it is held there or the file refuses the change. */
  const changeSession = (s: SessionRow, change: { locked?: number; last_seen_at?: number } | 'delete', write: () => void) => {
    if (!heldSessions.has(s.id) && written('a session change', write)) return;
    const { role: _role, display_name: _name, disabled: _disabled, must_change_password: _must, ...kept } = s;
    heldSessions.set(s.id, change === 'delete' ? null : { ...kept, ...change });
    heldRetry.run();
  };

  const createUser = async (u: NewUser, by: Actor): Promise<UserInfo> => {
    if (!isRole(u.role)) throw new AuthError('validation', `unknown role "${u.role}"`);
    checkPolicy(u.password, u.user);
    const hash = await hashPassword(u.password, policy.hash);
    if (row(u.user)) throw new AuthError('conflict', `user "${u.user}" already exists`);
    q.insertUser.run({ name: u.user, display_name: u.displayName ?? u.user, role: u.role, password_hash: hash, now: now() });
    audit({
      actor: by.user,
      origin: by.origin,
      action: 'auth.users.create',
      target: u.user,
      details: { role: u.role, displayName: u.displayName ?? u.user },
    });
    log('info', `user ${u.user} created with role ${u.role}`);
    return info(mustRow(u.user));
  };

  const updateUser = async (user: string, ch: UserChanges, by: Actor): Promise<UserInfo> => {
    const before = mustRow(user);
    if (ch.role !== undefined && !isRole(ch.role)) throw new AuthError('validation', `unknown role "${ch.role}"`);
    if (ch.password !== undefined) checkPolicy(ch.password, before.name);
    const hash = ch.password !== undefined ? await hashPassword(ch.password, policy.hash) : null;
    const demotesAdmin = before.role === 'admin' && ((ch.role !== undefined && ch.role !== 'admin') || ch.disabled === true);
    const diff: Record<string, { old: unknown; new: unknown }> = {};
    let ended = 0;
    db.transaction(() => {
      if (demotesAdmin) {
        const admins = (
          db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name != ?").get(before.name) as {
            n: number;
          }
        ).n;
        if (admins === 0) throw new AuthError('conflict', 'the last enabled administrator cannot be demoted or disabled');
      }
      const set = (col: string, value: unknown, field: string, old: unknown) => {
        db.prepare(`UPDATE users SET ${col} = ?, updated_at = ? WHERE name = ?`).run(value, now(), before.name);
        diff[field] = { old, new: value };
      };
      if (ch.role !== undefined && ch.role !== before.role) set('role', ch.role, 'role', before.role);
      if (ch.displayName !== undefined && ch.displayName !== before.display_name)
        set('display_name', ch.displayName, 'displayName', before.display_name);
      if (ch.disabled !== undefined && (ch.disabled ? 1 : 0) !== before.disabled)
        set('disabled', ch.disabled ? 1 : 0, 'disabled', before.disabled === 1);
      if (ch.mustChangePassword !== undefined && (ch.mustChangePassword ? 1 : 0) !== before.must_change_password) {
        db.prepare('UPDATE users SET must_change_password = ?, updated_at = ? WHERE name = ?').run(
          ch.mustChangePassword ? 1 : 0,
          now(),
          before.name,
        );
        diff.mustChangePassword = { old: before.must_change_password === 1, new: ch.mustChangePassword };
      }
      if (hash !== null) {
        db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE name = ?').run(
          hash,
          now(),
          now(),
          before.name,
        );
        // The values are never recorded, only that the password changed.
        diff.password = { old: '(unchanged)', new: '(changed)' };
      }
      if (ch.unlock && (before.locked_until !== null || before.failed_count > 0)) {
        q.resetFailures.run(before.name);
        diff.lockout = { old: before.locked_until, new: null };
      }
      // A disabled account, a new role or a reset password takes effect now, not at the next sign-in.
      if (ch.disabled === true || hash !== null) ended = q.deleteUserSessions.run(before.name).changes;
    })();
    if (Object.keys(diff).length)
      audit({
        actor: by.user,
        origin: by.origin,
        action: 'auth.users.update',
        target: before.name,
        // How many of the user's sessions the change ended (a reset password, a disabled account).
        details: ended > 0 ? { diff, sessionsEnded: ended } : { diff },
      });
    return info(mustRow(before.name));
  };

  const needsSetup = () => (q.count.get() as { n: number }).n === 0;
  const forgetSetupCode = () => {
    setupCode = null;
    if (opts.setupCodeFile) rmSync(opts.setupCodeFile, { force: true });
  };
  const currentSetupCode = (): string | null => {
    if (!needsSetup()) {
      if (setupCode !== null) forgetSetupCode();
      return null;
    }
    if (setupCode === null) {
      setupCode = newSetupCode();
      if (opts.setupCodeFile) {
        try {
          // Owner-only, like every data file; chmod too in case a previous start left a looser file.
          writeFileSync(opts.setupCodeFile, `${setupCode}\n`, { mode: 0o600 });
          chmodSync(opts.setupCodeFile, 0o600);
        } catch (err) {
          if (!isNoRoom(err)) throw err;
          // The terminal (and the desktop's first-run dialog) still show it; a half-written file would mislead.
          rmSync(opts.setupCodeFile, { force: true });
          log(
            'warn',
            `the setup code could not be written to ${opts.setupCodeFile} (${err instanceof Error ? err.message : String(err)}); it is shown on the terminal only`,
          );
        }
      }
    }
    return setupCode;
  };
  const flushTimer = setInterval(() => throttled.flush(false), Math.max(1000, policy.throttleAuditMs));
  flushTimer.unref();

  const sweepSessions = (): number => {
    const t = now();
    const idleBefore = t - policy.idleTimeoutMs;
    const startedBefore = t - policy.absoluteTimeoutMs;
    const dead = (q.expired.all(idleBefore, startedBefore) as Pick<SessionRow, 'id' | 'user' | 'origin' | 'position'>[]).filter(
      (s) => !heldSessions.has(s.id),
    );
    const deadHeld = [...heldSessions.entries()].flatMap(([id, h]) =>
      h && (h.last_seen_at <= idleBefore || h.created_at <= startedBefore)
        ? [{ id, user: h.user, origin: h.origin, position: h.position }]
        : [],
    );
    const removeDead = db.transaction(() => {
      for (const s of dead) q.deleteSession.run(s.id);
    });
    // A full disk refuses the delete: nothing is lost, the next sweep tries again.
    if (dead.length > 0 && !written('removing expired sessions', () => removeDead())) return 0;
    for (const s of deadHeld) heldSessions.set(s.id, null);
    if (deadHeld.length > 0) heldRetry.run();
    for (const s of [...dead, ...deadHeld])
      audit({ actor: s.user, origin: s.origin, action: 'auth.expired', target: s.user, details: { position: s.position, swept: true } });
    return dead.length + deadHeld.length;
  };
  // Dead sessions are removed on a schedule, not only when someone next presents their token (a
  // browser closed without signing out never does).
  const sweepTimer = setInterval(() => {
    try {
      sweepSessions();
      diskFaults.clear('sweep', 'expired sessions are removed from auth.db again');
    } catch (err) {
      // A timer's fault stays here (logged once, then counted): the sessions stay expired all the same.
      diskFaults.report(
        'sweep',
        `removing expired sessions from auth.db failed (${describeError(err)}); tried again every minute`,
        'error',
      );
    }
  }, SESSION_SWEEP_MS);
  sweepTimer.unref();

  return {
    policy,
    needsSetup,
    setupCode: currentSetupCode,

    async ensureFirstAdmin(env = process.env) {
      const user = env.AURUM_ADMIN_USER;
      const password = env.AURUM_ADMIN_PASSWORD;
      if (!needsSetup() || !user || !password) {
        // A start without users gets its one-time setup code now, for the shell to show.
        currentSetupCode();
        return { created: null, needsSetup: needsSetup() };
      }
      const noRoom = cannotStoreUsers();
      if (noRoom) {
        // An administrator that only lives in memory would vanish at the next start: not created.
        log('error', `first administrator "${user}" not created from AURUM_ADMIN_USER: ${noRoom}; free space and restart`);
        return { created: null, needsSetup: true };
      }
      await createUser({ user, password, role: 'admin' }, { user: null, origin: 'env' });
      forgetSetupCode();
      log('info', `first administrator "${user}" created from AURUM_ADMIN_USER; remove AURUM_ADMIN_PASSWORD from the environment`);
      return { created: user, needsSetup: false };
    },

    async setupFirstAdmin(user, password, code, origin) {
      if (!needsSetup()) throw new AuthError('conflict', 'the console already has users; sign in instead');
      const noRoom = cannotStoreUsers();
      if (noRoom)
        throw new AuthError('conflict', `the first administrator cannot be stored: ${noRoom}; free space and restart the console`);
      // One setup at a time: two concurrent ones with different names would otherwise both pass the check above.
      if (setupBusy) throw new AuthError('conflict', 'a first administrator is being created right now; sign in once it is done');
      const address = origin.address;
      if (address && limiter.retryAfter(address) > 0) {
        throttled.record({ action: 'auth.setup', reason: 'rate_limited', target: user, origin: origin.transport, address });
        throw new AuthError('forbidden', 'too many wrong setup codes from this address; try again later');
      }
      const expected = currentSetupCode();
      const given = code.trim().toUpperCase();
      if (expected === null || !timingSafeEqual(sha256(expected), sha256(given))) {
        if (address) limiter.fail(address);
        audit({
          actor: null,
          origin: origin.transport,
          action: 'auth.setup',
          target: user,
          details: { reason: 'wrong setup code', address: address ?? null },
          result: 'denied',
        });
        throw new AuthError(
          'forbidden',
          `the setup code is missing or wrong: the console prints it on its terminal at start${opts.setupCodeFile ? ` and writes it to ${opts.setupCodeFile}` : ''}`,
        );
      }
      setupBusy = true;
      try {
        await createUser({ user, password, role: 'admin' }, { user: null, origin: origin.transport });
      } finally {
        setupBusy = false;
      }
      forgetSetupCode();
      const r = mustRow(user);
      audit({ actor: r.name, origin: origin.transport, action: 'auth.login', target: r.name, details: { firstRun: true } });
      return startSession(r, origin);
    },

    async login(user, password, origin) {
      const checked = await checkCredentials(user, password, origin, 'auth.login');
      if ('ok' in checked) return checked;
      const session = startSession(checked, origin);
      audit({
        actor: checked.name,
        origin: origin.transport,
        action: 'auth.login',
        target: checked.name,
        details: { address: origin.address ?? null, position: origin.position ?? null, replaced: origin.replaces ? true : undefined },
      });
      return { ok: true, session };
    },

    logout(token) {
      const s = sessionRow(token);
      if (!s) return false;
      changeSession(s, 'delete', () => q.deleteSession.run(s.id));
      audit({ actor: s.user, origin: s.origin, action: 'auth.logout', target: s.user, details: { position: s.position } });
      return true;
    },

    session(token, transport) {
      const s = sessionRow(token);
      if (!s) return null;
      const t = now();
      if (s.disabled === 1 || t >= expiresAt(s.created_at, s.last_seen_at)) {
        changeSession(s, 'delete', () => q.deleteSession.run(s.id));
        audit({ actor: s.user, origin: s.origin, action: 'auth.expired', target: s.user, details: { position: s.position } });
        return null;
      }
      let locked = s.locked === 1;
      let lastSeen = s.last_seen_at;
      if (!locked && policy.idleLockMs > 0 && t - s.last_seen_at > policy.idleLockMs) {
        locked = true;
        lastSeen = t;
        changeSession(s, { locked: 1, last_seen_at: t }, () => q.setLocked.run(1, t, s.id));
        audit({ actor: s.user, origin: s.origin, action: 'auth.lock', target: s.user, details: { idle: true, position: s.position } });
      } else if (t - s.last_seen_at >= TOUCH_GRANULARITY_MS) {
        // A locked session slides too: its read-only plant display is in use. The absolute timeout still ends it.
        lastSeen = t;
        changeSession(s, { last_seen_at: t }, () => q.touch.run(t, s.id));
      }
      const mustChange = s.must_change_password === 1;
      return {
        user: s.user,
        // A locked session, and one whose user must choose a new password first, watch read-only.
        role: locked || mustChange ? policy.lockedRole : s.role,
        origin: transport ?? (s.origin as CallContext['origin']),
        token,
        locked,
        position: s.position,
        expiresAt: expiresAt(s.created_at, lastSeen),
        mustChangePassword: mustChange,
      };
    },

    lock(token) {
      const s = sessionRow(token);
      if (!s) return false;
      const t = now();
      changeSession(s, { locked: 1, last_seen_at: t }, () => q.setLocked.run(1, t, s.id));
      audit({ actor: s.user, origin: s.origin, action: 'auth.lock', target: s.user, details: { position: s.position } });
      return true;
    },

    async unlock(token, password) {
      const s = sessionRow(token);
      if (!s) return { ok: false, reason: 'invalid', message: 'the session has ended; sign in again' };
      const checked = await checkCredentials(s.user, password, { transport: s.origin as CallContext['origin'] }, 'auth.unlock');
      if ('ok' in checked) return checked;
      const t = now();
      changeSession(s, { locked: 0, last_seen_at: t }, () => q.setLocked.run(0, t, s.id));
      audit({ actor: s.user, origin: s.origin, action: 'auth.unlock', target: s.user, details: { position: s.position } });
      return {
        ok: true,
        session: {
          token,
          csrfToken: csrfToken(token),
          user: s.user,
          role: checked.role as Role,
          displayName: checked.display_name,
          expiresAt: expiresAt(s.created_at, t),
        },
      };
    },

    async changePassword(user, current, next) {
      const r = mustRow(user);
      if (!(await verifyPassword(current, r.password_hash))) {
        audit({
          actor: r.name,
          action: 'auth.changePassword',
          target: r.name,
          result: 'denied',
          details: { reason: 'wrong current password' },
        });
        throw new AuthError('unauthenticated', 'the current password is wrong');
      }
      checkPolicy(next, r.name);
      const hash = await hashPassword(next, policy.hash);
      db.prepare(
        'UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?, must_change_password = 0 WHERE name = ?',
      ).run(hash, now(), now(), r.name);
      audit({
        actor: r.name,
        action: 'auth.changePassword',
        target: r.name,
        ...(r.must_change_password === 1 ? { details: { required: true } } : {}),
      });
    },

    createUser,
    updateUser,
    setPassword: (user, password, by) => updateUser(user, { password }, by),
    disable: (user, by) => updateUser(user, { disabled: true }, by),
    getUser: (user) => {
      const r = row(user);
      return r ? info(r) : null;
    },
    listUsers: () => (q.users.all() as UserRow[]).map(info),
    listSessions: () => {
      const t = now();
      const inFile = (q.sessions.all() as SessionRow[]).filter((s) => !heldSessions.has(s.id));
      const held = [...heldSessions.values()].flatMap((h) => {
        const u = h ? row(h.user) : undefined;
        return h && u
          ? [{ ...h, role: u.role, display_name: u.display_name, disabled: u.disabled, must_change_password: u.must_change_password }]
          : [];
      });
      return [...inFile, ...held]
        .filter((s) => t < expiresAt(s.created_at, s.last_seen_at))
        .map((s) => ({
          id: listedId(s.id),
          user: s.user,
          role: s.role as Role,
          position: s.position,
          origin: s.origin,
          createdAt: s.created_at,
          lastSeenAt: s.last_seen_at,
          locked: s.locked === 1,
          idle: policy.idleLockMs > 0 && t - s.last_seen_at > policy.idleLockMs,
          expiresAt: expiresAt(s.created_at, s.last_seen_at),
        }));
    },
    sweepSessions,
    endSession(id, by) {
      const found = (q.sessions.all() as SessionRow[]).find((s) => !heldSessions.has(s.id) && listedId(s.id) === id);
      const heldId = [...heldSessions.entries()].find(([sid, h]) => h !== null && listedId(sid) === id)?.[0];
      const sid = found?.id ?? heldId;
      if (sid === undefined) return false;
      const owner = found ?? heldSessions.get(sid);
      if (!owner) return false;
      if (heldSessions.has(sid) || !written('ending a session', () => q.deleteSession.run(sid))) {
        heldSessions.set(sid, null);
        heldRetry.run();
      }
      audit({
        actor: by.user,
        origin: by.origin,
        action: 'auth.sessions.end',
        target: owner.user,
        details: { position: owner.position, origin: owner.origin },
      });
      return true;
    },
    csrfToken,
    checkCsrf(token, presented) {
      if (!presented) return false;
      const expected = Buffer.from(csrfToken(token));
      const given = Buffer.from(presented);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    flushAudit: () => throttled.flush(true),
    close() {
      clearInterval(flushTimer);
      clearInterval(sweepTimer);
      throttled.flush(true);
      heldRetry.run();
      heldRetry.stop();
    },
  };
}
