import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';

export const HISTORIAN_MIGRATIONS: readonly Migration[] = [{ id: '001_init', sql: init }];
export const MIGRATIONS_TABLE = 'historian_migrations';
