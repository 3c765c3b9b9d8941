// Users, sessions and the audit trail. Sign-in itself is a request like any other so that the
// desktop shell (IPC) and serve mode (HTTP, WebSocket) share it; serve mode also offers it as
// POST /api/login so a session cookie can be set.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import { DAY_MS, spanLimit } from './limits.js';
import type { ExportFile } from './types.js';

/** What one audit request may ask for (docs/api.md "Limits"): ten years per request, exports by rows. */
export const AUDIT_LIMITS = {
  spanMs: 3_660 * DAY_MS,
  exportRows: 100_000,
  /** An export is formatted in steps; past this it is abandoned (503). */
  exportDeadlineMs: 60_000,
} as const;

export const roleNames = ['viewer', 'operator', 'engineer', 'esg_analyst', 'admin'] as const;
const role = z.enum(roleNames);
const userName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');
// Length is limited so a huge password cannot make scrypt a denial-of-service lever.
const password = z.string().min(1).max(256);
const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const authRequests = {
  /** Whether the console still needs its first administrator (first run of a data dir). */
  'auth.status': z.object({}).strict().default({}),
  /**
   * First-run administrator, only while no user exists, with the one-time setup code the console
   * printed at start (docs/security.md "First run").
   */
  'auth.setup': z.object({ user: userName, password, code: z.string().min(1).max(64) }).strict(),
  /** The password rules, in sentences, for the forms that ask for a new password (shown before submitting). */
  'auth.passwordPolicy': z.object({}).strict().default({}),
  /** `position` names the shift position (e.g. "Control desk 2") the operator signs in at. */
  'auth.login': z.object({ user: z.string().min(1).max(64), password, position: z.string().max(64).optional() }).strict(),
  'auth.logout': z.object({}).strict().default({}),
  'auth.me': z.object({}).strict().default({}),
  /** Lock the screen of a shared PC: the session keeps watching (read-only) until its user signs in again. */
  'auth.lock': z.object({}).strict().default({}),
  'auth.unlock': z.object({ password }).strict(),
  'auth.changePassword': z.object({ current: password, next: password }).strict(),
  'auth.users.list': z.object({}).strict().default({}),
  'auth.users.create': z.object({ user: userName, role, password, displayName: z.string().max(128).optional() }).strict(),
  /** Change a user's role, name, enabled state or password, or lift a lockout. */
  'auth.users.update': z
    .object({
      user: userName,
      role: role.optional(),
      displayName: z.string().max(128).optional(),
      disabled: z.boolean().optional(),
      password: password.optional(),
      unlock: z.literal(true).optional(),
      /** With a reset password: the user must choose a new one at the next sign-in (read-only until then). */
      mustChangePassword: z.boolean().optional(),
    })
    .strict(),
  'auth.sessions.list': z.object({}).strict().default({}),
  /** End one session by the id auth.sessions.list gives it (one left open on a PC nobody uses). */
  'auth.sessions.end': z
    .object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'a session id from the sessions list (16 hexadecimal digits)') })
    .strict(),
  'audit.query': z
    .object({
      from: isoOrMs.optional(),
      to: isoOrMs.optional(),
      actor: z.string().max(64).optional(),
      /** Prefix of the action, e.g. "tags." or "auth.login". */
      action: z.string().max(100).optional(),
      /** Substring of the target, e.g. a tag path. */
      target: z.string().max(200).optional(),
      result: z.enum(['ok', 'denied', 'failed']).optional(),
      limit: z.number().int().min(1).max(10_000).default(500),
      /** Entries with an id below this one (paging backwards from the newest). */
      beforeId: z.number().int().positive().optional(),
    })
    .strict()
    .superRefine(spanLimit('audit.query', AUDIT_LIMITS.spanMs, { defaultTo: Date.now }))
    .default({ limit: 500 }),
  'audit.export': z
    .object({
      from: isoOrMs.optional(),
      to: isoOrMs.optional(),
      actor: z.string().max(64).optional(),
      action: z.string().max(100).optional(),
    })
    .strict()
    .superRefine(spanLimit('audit.export', AUDIT_LIMITS.spanMs, { defaultTo: Date.now }))
    .default({}),
  'audit.verify': z.object({}).strict().default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const authHttp = {
  'auth.status': { method: 'GET', path: '/api/auth/status' },
  'auth.setup': { method: 'POST', path: '/api/auth/setup' },
  'auth.passwordPolicy': { method: 'GET', path: '/api/auth/password-policy' },
  'auth.login': { method: 'POST', path: '/api/login' },
  'auth.logout': { method: 'POST', path: '/api/logout' },
  'auth.me': { method: 'GET', path: '/api/me' },
  // The lock screen, password change and user administration are the console's own screens; scripts use /api/call.
  'auth.lock': 'call',
  'auth.unlock': 'call',
  'auth.changePassword': 'call',
  'auth.users.list': 'call',
  'auth.users.create': 'call',
  'auth.users.update': 'call',
  'auth.sessions.list': 'call',
  'auth.sessions.end': 'call',
  'audit.query': { method: 'GET', path: '/api/audit' },
  'audit.export': { method: 'GET', path: '/api/audit.csv', file: true },
  'audit.verify': { method: 'GET', path: '/api/audit/verify' },
} as const satisfies HttpForms<typeof authRequests>;

export type RoleName = (typeof roleNames)[number];

export interface SignedIn {
  token: string;
  /** Echo this in the X-CSRF-Token header of state-changing HTTP requests made with the cookie. */
  csrfToken: string;
  user: string;
  role: RoleName;
  displayName: string;
  /** When the session ends unless used (ms since epoch); each request slides it. */
  expiresAt: number;
}

export interface PasswordPolicyInfo {
  minLength: number;
  maxLength: number;
  /** Each rule as a sentence, e.g. "At least 10 characters (at most 256)." */
  rules: string[];
}

export interface UserInfo {
  user: string;
  displayName: string;
  role: RoleName;
  disabled: boolean;
  /** Locked out after repeated failed sign-ins until this time (ms since epoch), or null. */
  lockedUntil: number | null;
  createdAt: number;
  lastLoginAt: number | null;
  /** An administrator reset the password and asked for a new one at the next sign-in. */
  mustChangePassword: boolean;
}

export interface SessionInfo {
  /** Names the session for auth.sessions.end; derived from the stored hash, it is not the token. */
  id: string;
  user: string;
  role: RoleName;
  position: string | null;
  origin: string;
  createdAt: number;
  lastSeenAt: number;
  locked: boolean;
  /** Unused longer than the idle lock time (15 minutes): most likely a window closed without signing out. */
  idle: boolean;
  /** When it ends unless used again (ms since epoch). */
  expiresAt: number;
}

export interface AuditEntry {
  id: number;
  /** ms since epoch */
  ts: number;
  actor: string;
  origin: string;
  action: string;
  target: string;
  /** Old and new value, diff, reason… as recorded by the capability that acted. */
  details: Record<string, unknown>;
  result: 'ok' | 'denied' | 'failed';
  prevHash: string;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  /** First entry whose hash or link does not match, when not ok. */
  firstBadId?: number;
  reason?: string;
  /** Hash of the newest entry: record it elsewhere to detect a truncated log later. */
  head: string;
}

export interface AuthResults {
  'auth.status': { needsSetup: boolean };
  'auth.setup': SignedIn;
  'auth.passwordPolicy': PasswordPolicyInfo;
  'auth.login': SignedIn;
  'auth.logout': { ok: true };
  'auth.me': {
    user: string;
    role: RoleName;
    displayName: string;
    position: string | null;
    locked: boolean;
    csrfToken: string;
    expiresAt: number;
    /**
     * The request names this session may make now (its role's, or a locked session's read-only
     * role's), computed from the core's permission table: the UI offers only these controls.
     */
    allowed: string[];
    /** An administrator reset the password: choose a new one (auth.changePassword); read-only until then. */
    mustChangePassword: boolean;
  };
  'auth.lock': { ok: true };
  'auth.unlock': SignedIn;
  'auth.changePassword': { ok: true };
  'auth.users.list': UserInfo[];
  'auth.users.create': UserInfo;
  'auth.users.update': UserInfo;
  'auth.sessions.list': SessionInfo[];
  'auth.sessions.end': { ok: true };
  'audit.query': AuditEntry[];
  'audit.export': ExportFile;
  'audit.verify': AuditVerifyResult;
}

/**
 * Requests whose result starts a session (it carries the session token) or ends the caller's.
 * Every transport keeps its caller's token by this one table (native/api/session.ts): the IPC
 * host per window, the WebSocket per connection, HTTP as the session cookie.
 */
export const authSessionEffects = {
  'auth.setup': 'start',
  'auth.login': 'start',
  'auth.unlock': 'start',
  'auth.logout': 'end',
} as const satisfies { readonly [N in keyof typeof authRequests]?: 'start' | 'end' };
