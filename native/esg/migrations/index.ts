import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';
import { sql as span } from './002_activity_span.js';

export const esgMigrations: readonly Migration[] = [
  { id: '001_init', sql: init },
  { id: '002_activity_span', sql: span },
];
