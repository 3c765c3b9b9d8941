// Users, roles, sessions, the permission table, the audit trail, secrets at rest, and the pieces
// serve mode needs (credentials, CSRF, security headers). What this capability does not do: single
// sign-on (LDAP, OIDC), per-tag permissions, or TLS termination (the server loads the certificate).
export type { AuditEntry, AuditVerifyResult, SignedIn, UserInfo } from '../api/auth-requests.js';
export { type AuditInput, type AuditLog, type AuditQuery, openAuditLog } from './audit.js';
export { type AuthFace, open } from './capability.js';
export { auditCli, type CliIo, userCli } from './cli.js';
export { type AuthHandlers, authHandlers, isLoopback } from './handlers.js';
export {
  type AuthCallContext,
  allowedHostNames,
  authenticate,
  type Credentials,
  CSRF_HEADER,
  checkCsrf,
  clearSessionCookie,
  clientAddress,
  credentialsOf,
  hostName,
  isAllowedHost,
  isJsonRequest,
  isSameOrigin,
  isStateChanging,
  parseCookies,
  SESSION_COOKIE,
  securityHeaders,
  sessionCookie,
} from './http.js';
export { authGate, authorize, type Decision, REQUEST_PERMISSIONS, type Requirement } from './permissions.js';
export { LoginRateLimiter } from './rate-limit.js';
export { type AuditDescription, auditedCall, type Call, type Describe, redact } from './recorder.js';
export { isRole, type Permission, ROLE_PERMISSIONS, ROLES, type Role } from './roles.js';
export { isSealed, openSecrets, SEALED_PREFIX, type Secrets, SecretsError } from './secrets.js';
export {
  type Actor,
  AuthError,
  type AuthOptions,
  type AuthPolicy,
  type AuthService,
  DEFAULT_POLICY,
  type LoginOrigin,
  type LoginOutcome,
  openAuth,
  type PolicyOverrides,
  type SessionContext,
} from './service.js';
export { AUTH_DB, type AuthStore, openAuthStore, SETUP_CODE_FILE } from './store.js';
