// The permission table: every API request name → what a caller needs to make it. Checked in the
// core for every call from every shell (the UI hiding a button is a convenience, never the
// control). The table is typed by request name: a request of the contract missing here, or a name
// that is not one, does not compile — so a new request is unusable until someone decides here who
// may call it. A name that is not in the table at run time (a client's typo) is refused.
import type { CallContext, RequestName } from '../api/contract.js';
import type { ApiError } from '../api/types.js';
import { can, isRole, type Permission, type Role } from './roles.js';

/**
 * 'public': no session needed (signing in, first-run setup — their handlers check more).
 * 'session': any signed-in user, whatever the role (sign out, own profile, lock the screen).
 */
export type Requirement = Permission | 'public' | 'session';

/** Who may make each request of the contract: every request, and only those, by name. */
export type PermissionTable = { readonly [N in RequestName]: Requirement };

export const REQUEST_PERMISSIONS = {
  'core.info': 'read',
  // Every signed-in role may view the process displays.
  'displays.list': 'read',
  'displays.get': 'read',
  // Editing a display is engineering: a save is a configuration version; an SVG import only answers the drawing made safe.
  'displays.save': 'configure',
  'displays.importSvg': 'configure',

  'tags.list': 'read',
  'tags.snapshot': 'read',
  // Within the tag's write limits: the tags capability refuses values outside writeMin..writeMax.
  'tags.write': 'operate',
  // Not audited call by call (a gateway pushes many times a second); refused pushes are.
  'tags.ingest': 'ingest',
  'tags.ingestSeries': 'ingest',
  'tags.ingestLines': 'ingest',
  // Written back to the site file: tag metadata, ranges and write limits.
  'config.updateTag': 'configure',
  // Tag lists: exporting one shows addresses (engineering data); importing writes the site file.
  'config.exportTags': 'configure',
  'config.importTags': 'configure',
  // The site file and its versions: applying and rolling back change the running plant's
  // configuration (engineers, administrators). The full text shows addresses and endpoints,
  // engineering data like a tag export; who changed what and when (the list, the structural diff)
  // is readable by everyone.
  'config.current': 'configure',
  'config.validate': 'configure',
  'config.apply': 'configure',
  'config.version': 'configure',
  'config.rollback': 'configure',
  'config.versions': 'read',
  'config.diff': 'read',
  // The schema the engineer's forms are built from (what the file may say, no plant data).
  'config.schema': 'configure',
  // The whole configuration as one file (site file, displays): engineering data out, and in a new version.
  'config.export': 'configure',
  'config.import': 'configure',
  'connections.list': 'read',
  // Engineering tools: browsing a server's address space or reading arbitrary addresses is how
  // tags are made, not how the plant is watched. Trusting a server certificate is a security act.
  'connections.browse': 'configure',
  'connections.testRead': 'configure',
  'connections.discoverMqtt': 'configure',
  'connections.tagAttributes': 'configure',
  'connections.decodeModbus': 'configure',
  'connections.certificates': 'configure',
  'connections.trustCertificate': 'configure',
  'connections.revokeCertificate': 'configure',
  // Opens a connection to any peer the engineer names (a new device before it is in the site file).
  'connections.test': 'configure',

  'history.query': 'read',
  'history.valueAt': 'read',
  'history.lastValues': 'read',
  'history.aggregate': 'read',
  'history.metrics': 'read',
  // Exports are reads that leave as files; whoever may see the data may take it with them.
  'history.export': 'read',
  'history.exportCancel': 'read',

  'alarms.list': 'read',
  'alarms.journal': 'read',
  'alarms.kpis': 'read',
  'alarms.export': 'read',
  'alarms.ack': 'operate',
  'alarms.shelve': 'operate',
  'alarms.unshelve': 'operate',
  // ISA-18.2: removing an alarm from service is an authorised engineering act, not a shift action.
  'alarms.outOfService': 'configure',
  'alarms.returnToService': 'configure',

  'events.list': 'read',
  'events.export': 'read',
  'events.record': 'operate',
  'maintenance.requests': 'read',
  'maintenance.request': 'operate',

  'predictions.latest': 'read',
  'inference.diagnostics': 'read',
  'models.list': 'read',
  'models.activate': 'configure',
  'models.rollback': 'configure',
  'models.learn': 'configure',
  // Learning's preview and progress are reads (polled); cancelling, approving and discarding a candidate are engineering acts, audited.
  'models.learn.spans': 'read',
  'models.learn.status': 'read',
  'models.learn.cancel': 'configure',
  'models.learn.approve': 'configure',
  'models.learn.discard': 'configure',
  'models.versions': 'read',

  'esg.summary': 'read',
  'esg.series': 'read',
  'esg.gaps': 'read',
  'esg.factors.list': 'read',
  'esg.factors.changes': 'read',
  'esg.report': 'report',
  'esg.factors.correct': 'esg',

  'sync.status': 'read',
  // Pausing the uplink changes what leaves the site: an engineering decision, like its configuration.
  'sync.pause': 'configure',
  'sync.resume': 'configure',
  'sync.models.list': 'read',
  // Installing a model received from outside is an engineering decision (it still needs activating per machine).
  'sync.models.approve': 'configure',
  'sync.models.reject': 'configure',

  'auth.status': 'public',
  'auth.setup': 'public',
  // The password rules are shown on the first-run form, before anyone is signed in.
  'auth.passwordPolicy': 'public',
  'auth.login': 'public',
  // Public because a locked session may have no role left (policy lockedRole: null); the handler
  // requires the caller's own session token and password.
  'auth.unlock': 'public',
  'auth.logout': 'session',
  'auth.me': 'session',
  'auth.lock': 'session',
  'auth.changePassword': 'session',
  'auth.users.list': 'users',
  'auth.users.create': 'users',
  'auth.users.update': 'users',
  'auth.sessions.list': 'users',
  'auth.sessions.end': 'users',

  'audit.query': 'audit',
  'audit.export': 'audit',
  'audit.verify': 'audit',
} as const satisfies PermissionTable;

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

export function requirementOf(requestName: string): Requirement | undefined {
  return Object.hasOwn(REQUEST_PERMISSIONS, requestName) ? REQUEST_PERMISSIONS[requestName as RequestName] : undefined;
}

/** May a caller with this role (null: not signed in) make this request? */
export function authorize(requestName: string, role: Role | null): Decision {
  const need = requirementOf(requestName);
  if (need === undefined) return { allowed: false, status: 403, reason: `request "${requestName}" is not in the permission table` };
  if (need === 'public') return { allowed: true };
  if (role === null) return { allowed: false, status: 401, reason: 'sign in first' };
  if (need === 'session' || can(role, need)) return { allowed: true };
  return {
    allowed: false,
    status: 403,
    reason: `the ${role} role may not make ${requestName} requests (it needs the ${need} permission); ask an administrator for a role that has it`,
  };
}

/**
 * Every request this role (null: not signed in) may make, computed from the table: the UI offers a
 * control only when its request is in this list (auth.me sends it), so the screens and the gate
 * read one table.
 */
export function allowedRequests(role: Role | null): RequestName[] {
  return (Object.keys(REQUEST_PERMISSIONS) as RequestName[]).filter((name) => authorize(name, role).allowed);
}

/**
 * Requests that act on the plant or change configuration: every call of these, allowed or not, is
 * written to the audit trail by the recorder. Sign-in and user management are audited by the auth
 * service itself, with details the recorder cannot see.
 */
export function isAuditedRequest(requestName: string): boolean {
  const need = requirementOf(requestName);
  return need === 'operate' || need === 'configure' || need === 'report' || need === 'esg';
}

/**
 * The check for HandlerRegistry.setGate. Calls the core makes to itself (origin 'internal') pass;
 * every transport sets its own origin, so a client cannot claim 'internal'.
 */
export function authGate(requestName: string, ctx: CallContext): ApiError | null {
  if (ctx.origin === 'internal') return null;
  const role = ctx.role === null ? null : isRole(ctx.role) ? ctx.role : undefined;
  // A role string the console does not know is treated as no permission at all, never as public.
  if (role === undefined) return { type: 'forbidden', message: `unknown role "${ctx.role}"` };
  const decision = authorize(requestName, role);
  if (decision.allowed) return null;
  return { type: decision.status === 401 ? 'unauthenticated' : 'forbidden', message: decision.reason };
}
