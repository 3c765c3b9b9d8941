import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';
import { sql as maskAndRuns } from './002_mask_and_runs.js';

export const alarmMigrations: readonly Migration[] = [
  { id: '001_init', sql: init },
  { id: '002_mask_and_runs', sql: maskAndRuns },
];
