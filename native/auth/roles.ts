// Roles and what each may do. Roles are not a ladder: an ESG analyst edits emission factors but
// may not touch the plant, so each role is a set of permissions rather than a rank.
import { type RoleName, roleNames } from '../api/auth-requests.js';

export type Role = RoleName;
export const ROLES: readonly Role[] = roleNames;

export type Permission =
  /** Watch the plant: values, trends, alarms, predictions, ESG figures. */
  | 'read'
  /** Act on the plant: acknowledge and shelve alarms, write setpoints within limits, log events. */
  | 'operate'
  /** Push measured values into the console (sensor gateways); as trusted as operating, since operators act on them. */
  | 'ingest'
  /** Change what the console is connected to and how it judges: connections, tags, alarms, models, sync. */
  | 'configure'
  /** Export reports (ESG) that leave the console as files. */
  | 'report'
  /** Edit emission factors. */
  | 'esg'
  /** Read and verify the audit trail. */
  | 'audit'
  /** Manage users and see who is signed in where. */
  | 'users';

const ALL: readonly Permission[] = ['read', 'operate', 'ingest', 'configure', 'report', 'esg', 'audit', 'users'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(['read']),
  operator: new Set(['read', 'operate', 'ingest']),
  engineer: new Set(['read', 'operate', 'ingest', 'configure', 'report', 'audit']),
  esg_analyst: new Set(['read', 'report', 'esg']),
  admin: new Set(ALL),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
