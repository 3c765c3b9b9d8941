import type { Migration } from '../../util/migrate.js';
import { sql as versions } from './001_versions.js';

export const configMigrations: readonly Migration[] = [{ id: '001_versions', sql: versions }];
