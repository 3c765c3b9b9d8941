// The auth and audit requests of the contract. The transports fill the context: `token` is the
// caller's session token (so sign-out, lock and unlock act on the caller's own session), `address`
// the client's address (rate limit). The permission table has already run when a handler is called.
import type { z } from 'zod';
import { AUDIT_LIMITS, type AuthResults, type authRequests, type SignedIn } from '../api/auth-requests.js';
import { describeCount } from '../api/limits.js';
import { ApiFailure } from '../api/registry.js';
import { DeadlineExceeded, runSliced } from '../util/sliced.js';
import type { AuditLog } from './audit.js';
import type { AuthCallContext } from './http.js';
import { describePasswordPolicy } from './password.js';
import { allowedRequests } from './permissions.js';
import { isRole } from './roles.js';
import { AuthError, type AuthService, type LoginOutcome } from './service.js';

type AuthRequestName = keyof typeof authRequests;
export type AuthHandlers = {
  [N in AuthRequestName]: (args: z.output<(typeof authRequests)[N]>, ctx: AuthCallContext) => AuthResults[N] | Promise<AuthResults[N]>;
};

function signedIn(outcome: LoginOutcome): SignedIn {
  if (outcome.ok) return outcome.session;
  throw new ApiFailure('unauthenticated', outcome.message);
}

/** AuthError → ApiFailure with the same kind, so each transport maps it to its status. */
async function translate<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AuthError) throw new ApiFailure(err.type, err.message);
    throw err;
  }
}

function tokenOf(ctx: AuthCallContext): string {
  if (!ctx.token) throw new ApiFailure('unauthenticated', 'no session: sign in first');
  return ctx.token;
}

function userOf(ctx: AuthCallContext): string {
  if (!ctx.user) throw new ApiFailure('unauthenticated', 'no session: sign in first');
  return ctx.user;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

export function authHandlers(auth: AuthService, audit: AuditLog): AuthHandlers {
  return {
    'auth.status': () => ({ needsSetup: auth.needsSetup() }),

    'auth.passwordPolicy': () => describePasswordPolicy(auth.policy.password),

    'auth.setup': async ({ user, password, code }, ctx) => {
      // Only someone at the console itself: the desktop's first-run dialog, or a browser on the
      // same machine (loopback) — and in both cases with the one-time code the console printed on
      // its own terminal (serve mode) or showed in its first-run dialog (desktop). Loopback alone
      // proves nothing: any page in a local browser, or a local reverse proxy, is loopback too.
      // (Serve mode also refuses setup from another Origin or Host, or not as application/json.)
      if (ctx.origin !== 'ipc' && !isLoopback(ctx.address)) {
        throw new ApiFailure(
          'forbidden',
          'create the first administrator at the console itself, or with AURUM_ADMIN_USER and AURUM_ADMIN_PASSWORD, or "aurum user add"',
        );
      }
      return translate(() => auth.setupFirstAdmin(user, password, code, { transport: ctx.origin, address: ctx.address }));
    },

    'auth.login': async ({ user, password, position }, ctx) =>
      signedIn(await auth.login(user, password, { transport: ctx.origin, address: ctx.address, position, replaces: ctx.token })),

    'auth.logout': (_args, ctx) => {
      auth.logout(tokenOf(ctx));
      return { ok: true };
    },

    'auth.me': (_args, ctx) => {
      const token = tokenOf(ctx);
      const s = auth.session(token, ctx.origin);
      const u = s?.user ? auth.getUser(s.user) : null;
      if (!s || !u) throw new ApiFailure('unauthenticated', 'the session has ended; sign in again');
      return {
        user: u.user,
        role: u.role,
        displayName: u.displayName,
        position: s.position,
        locked: s.locked,
        csrfToken: auth.csrfToken(token),
        expiresAt: s.expiresAt,
        allowed: allowedRequests(isRole(s.role) ? s.role : null),
        mustChangePassword: s.mustChangePassword,
      };
    },

    'auth.lock': (_args, ctx) => {
      if (!auth.lock(tokenOf(ctx))) throw new ApiFailure('unauthenticated', 'the session has ended; sign in again');
      return { ok: true };
    },

    'auth.unlock': async ({ password }, ctx) => signedIn(await auth.unlock(tokenOf(ctx), password)),

    'auth.changePassword': async ({ current, next }, ctx) => {
      await translate(() => auth.changePassword(userOf(ctx), current, next));
      return { ok: true };
    },

    'auth.users.list': () => auth.listUsers(),

    'auth.users.create': ({ user, role, password, displayName }, ctx) =>
      translate(() => auth.createUser({ user, role, password, displayName }, { user: ctx.user, origin: ctx.origin })),

    'auth.users.update': ({ user, ...changes }, ctx) =>
      translate(() => auth.updateUser(user, changes, { user: ctx.user, origin: ctx.origin })),

    'auth.sessions.list': () => auth.listSessions(),

    'auth.sessions.end': ({ id }, ctx) => {
      if (!auth.endSession(id, { user: ctx.user, origin: ctx.origin }))
        throw new ApiFailure('not_found', 'that session has already ended; refresh the list');
      return { ok: true };
    },

    'audit.query': (q) => audit.query(q),

    'audit.export': (q) => {
      // A bounded probe before the export: a log too large for one file is refused unread.
      if (audit.query({ ...q, limit: AUDIT_LIMITS.exportRows + 1 }).length > AUDIT_LIMITS.exportRows)
        throw new ApiFailure(
          'validation',
          `the audit log holds more than ${describeCount(AUDIT_LIMITS.exportRows, 'entries')} in this range, the limit of rows for audit.export; narrow the range or filter`,
        );
      return runSliced(audit.exportCsvSteps(q), { what: 'the audit trail export', deadlineMs: AUDIT_LIMITS.exportDeadlineMs }).then(
        (body) => ({
          filename: `aurum-audit-${new Date().toISOString().slice(0, 10)}.csv`,
          contentType: 'text/csv; charset=utf-8',
          body,
        }),
        (err: unknown) => {
          throw err instanceof DeadlineExceeded ? new ApiFailure('unavailable', err.message) : err;
        },
      );
    },

    'audit.verify': () => audit.verify(),
  };
}
