// Users and sessions. Sign-in checks a salted scrypt hash, counts failures per account (lockout)
// and per client address (rate limit); a session is a random token of which only the SHA-256 is
// stored. Sessions slide with use, end after an idle time and in any case after an absolute time
// (a 12-hour shift plus handover), and can be locked on a shared control-room PC: a locked session
// keeps its read-only view of the plant until its user, or the next operator, signs in again.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionInfo, SignedIn, UserInfo } from '../api/auth-requests.js';
import type { CallContext } from '../api/contract.js';
import type { Logger } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import type { SqliteDatabase } from '../util/sqlite.js';
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
  /** Desktop first-run dialog: create the administrator and sign in; refused once any user exists. */
  setupFirstAdmin(user: string, password: string, origin: LoginOrigin): Promise<SignedIn>;
  login(user: string, password: string, origin: LoginOrigin): Promise<LoginOutcome>;
  logout(token: string): boolean;
  /** The caller behind a token, or null; slides the session. */
  session(token: string, transport?: CallContext['origin']): SessionContext | null;
  lock(token: string): boolean;
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
}

export interface AuthOptions {
  /** openSqlite() of auth.db in the data dir. */
  db: SqliteDatabase;
  now?: () => number;
  policy?: PolicyOverrides;
  /** Where sign-ins, lockouts and user changes are recorded. */
  audit?: AuditLog;
  log?: Logger;
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
}

const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');
// Writing last_seen on every request would turn reads into writes; a second's precision is plenty
// against timeouts measured in minutes.
const TOUCH_GRANULARITY_MS = 1000;

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
    session: db.prepare('SELECT s.*, u.role, u.display_name, u.disabled FROM sessions s JOIN users u ON u.name = s.user WHERE s.id = ?'),
    sessions: db.prepare(
      'SELECT s.*, u.role, u.display_name, u.disabled FROM sessions s JOIN users u ON u.name = s.user ORDER BY s.created_at',
    ),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?'),
    setLocked: db.prepare('UPDATE sessions SET locked = ?, last_seen_at = ? WHERE id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user = ?'),
    expire: db.prepare('DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?'),
  };

  const info = (r: UserRow): UserInfo => ({
    user: r.name,
    displayName: r.display_name,
    role: r.role as Role,
    disabled: r.disabled === 1,
    lockedUntil: r.locked_until !== null && r.locked_until > now() ? r.locked_until : null,
    createdAt: r.created_at,
    lastLoginAt: r.last_login_at,
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
    })();
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

  /** Check a password against an account with lockout accounting; the row when it matches. */
  const checkCredentials = async (user: string, password: string, origin: LoginOrigin, action: string): Promise<LoginOutcome | UserRow> => {
    const t = now();
    const address = origin.address;
    const auditFail = (reason: string, target: string) =>
      audit({
        actor: target || null,
        origin: origin.transport,
        action,
        target,
        details: { reason, address: address ?? null, position: origin.position ?? null },
        result: 'denied',
      });
    if (address) {
      const wait = limiter.retryAfter(address);
      if (wait > 0) {
        auditFail('rate_limited', user);
        return {
          ok: false,
          reason: 'rate_limited',
          message: 'too many failed sign-ins from this address; try again later',
          retryAfterMs: wait,
        };
      }
    }
    const r = row(user);
    if (r && r.locked_until !== null && r.locked_until > t) {
      auditFail('locked', r.name);
      return {
        ok: false,
        reason: 'locked',
        message: 'this account is locked after repeated failed sign-ins; try again later or ask an administrator',
        retryAfterMs: r.locked_until - t,
      };
    }
    let matches = false;
    if (r) matches = await verifyPassword(password, r.password_hash);
    else await burnTime(password);
    if (r && matches && r.disabled === 0) return r;
    if (address) limiter.fail(address);
    // Only someone who knows the password learns that the account is disabled rather than the password wrong.
    if (r && matches && r.disabled === 1) {
      auditFail('disabled', r.name);
      return { ok: false, reason: 'disabled', message: 'this account is disabled' };
    }
    if (r) {
      const after = q.failed.get({ name: r.name, max: policy.maxFailures, until: now() + policy.lockoutMs }) as {
        failed_count: number;
        locked_until: number | null;
      };
      if (after.locked_until !== null && after.locked_until > now()) {
        log('warn', `account ${r.name} locked after ${after.failed_count} failed sign-ins`);
        audit({
          actor: null,
          origin: origin.transport,
          action: 'auth.lockout',
          target: r.name,
          details: { failures: after.failed_count, until: after.locked_until },
          result: 'ok',
        });
      }
    }
    log('info', `failed sign-in for "${user}"${address ? ` from ${address}` : ''}`);
    auditFail('invalid_credentials', r?.name ?? user);
    return { ok: false, reason: 'invalid', message: 'wrong user name or password' };
  };

  const sessionRow = (token: string) => q.session.get(sessionId(token)) as SessionRow | undefined;

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
      if (ch.disabled === true || hash !== null) q.deleteUserSessions.run(before.name);
    })();
    if (Object.keys(diff).length)
      audit({ actor: by.user, origin: by.origin, action: 'auth.users.update', target: before.name, details: { diff } });
    return info(mustRow(before.name));
  };

  return {
    policy,
    needsSetup: () => (q.count.get() as { n: number }).n === 0,

    async ensureFirstAdmin(env = process.env) {
      const user = env.AURUM_ADMIN_USER;
      const password = env.AURUM_ADMIN_PASSWORD;
      if (!this.needsSetup() || !user || !password) return { created: null, needsSetup: this.needsSetup() };
      await createUser({ user, password, role: 'admin' }, { user: null, origin: 'env' });
      log('info', `first administrator "${user}" created from AURUM_ADMIN_USER; remove AURUM_ADMIN_PASSWORD from the environment`);
      return { created: user, needsSetup: false };
    },

    async setupFirstAdmin(user, password, origin) {
      if (!this.needsSetup()) throw new AuthError('conflict', 'the console already has users; sign in instead');
      await createUser({ user, password, role: 'admin' }, { user: null, origin: origin.transport });
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
      q.deleteSession.run(s.id);
      audit({ actor: s.user, origin: s.origin, action: 'auth.logout', target: s.user, details: { position: s.position } });
      return true;
    },

    session(token, transport) {
      const s = sessionRow(token);
      if (!s) return null;
      const t = now();
      if (s.disabled === 1 || t >= expiresAt(s.created_at, s.last_seen_at)) {
        q.deleteSession.run(s.id);
        audit({ actor: s.user, origin: s.origin, action: 'auth.expired', target: s.user, details: { position: s.position } });
        return null;
      }
      let locked = s.locked === 1;
      let lastSeen = s.last_seen_at;
      if (!locked && policy.idleLockMs > 0 && t - s.last_seen_at > policy.idleLockMs) {
        locked = true;
        lastSeen = t;
        q.setLocked.run(1, t, s.id);
        audit({ actor: s.user, origin: s.origin, action: 'auth.lock', target: s.user, details: { idle: true, position: s.position } });
      } else if (t - s.last_seen_at >= TOUCH_GRANULARITY_MS) {
        // A locked session slides too: its read-only plant display is in use. The absolute timeout still ends it.
        lastSeen = t;
        q.touch.run(t, s.id);
      }
      return {
        user: s.user,
        role: locked ? policy.lockedRole : s.role,
        origin: transport ?? (s.origin as CallContext['origin']),
        token,
        locked,
        position: s.position,
        expiresAt: expiresAt(s.created_at, lastSeen),
      };
    },

    lock(token) {
      const s = sessionRow(token);
      if (!s) return false;
      q.setLocked.run(1, now(), s.id);
      audit({ actor: s.user, origin: s.origin, action: 'auth.lock', target: s.user, details: { position: s.position } });
      return true;
    },

    async unlock(token, password) {
      const s = sessionRow(token);
      if (!s) return { ok: false, reason: 'invalid', message: 'the session has ended; sign in again' };
      const checked = await checkCredentials(s.user, password, { transport: s.origin as CallContext['origin'] }, 'auth.unlock');
      if ('ok' in checked) return checked;
      const t = now();
      q.setLocked.run(0, t, s.id);
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
      db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE name = ?').run(
        hash,
        now(),
        now(),
        r.name,
      );
      audit({ actor: r.name, action: 'auth.changePassword', target: r.name });
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
      return (q.sessions.all() as SessionRow[])
        .filter((s) => t < expiresAt(s.created_at, s.last_seen_at))
        .map((s) => ({
          user: s.user,
          role: s.role as Role,
          position: s.position,
          origin: s.origin,
          createdAt: s.created_at,
          lastSeenAt: s.last_seen_at,
          locked: s.locked === 1,
        }));
    },
    csrfToken,
    checkCsrf(token, presented) {
      if (!presented) return false;
      const expected = Buffer.from(csrfToken(token));
      const given = Buffer.from(presented);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
