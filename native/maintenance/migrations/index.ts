import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';

export const maintenanceMigrations: readonly Migration[] = [{ id: '001_init', sql: init }];
