import type { Migration } from '../../util/migrate.js';
import { sql as usersSessions } from './001_users_sessions.js';
import { sql as mustChangePassword } from './002_must_change_password.js';
import { sql as auditLog } from './audit_001_log.js';

export const authMigrations: readonly Migration[] = [
  { id: '001_users_sessions', sql: usersSessions },
  { id: '002_must_change_password', sql: mustChangePassword },
];
export const auditMigrations: readonly Migration[] = [{ id: '001_log', sql: auditLog }];
