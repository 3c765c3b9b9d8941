import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';
import { LAST_VALUE_MIGRATION, sql as lastValue } from './002_last_value.js';

export const HISTORIAN_MIGRATIONS: readonly Migration[] = [
  { id: '001_init', sql: init },
  { id: LAST_VALUE_MIGRATION, sql: lastValue },
];
export const MIGRATIONS_TABLE = 'historian_migrations';
export { fillLastValues, LAST_VALUE_MIGRATION } from './002_last_value.js';
