import type { Migration } from '../../util/migrate.js';
import { sql as versions } from './001_versions.js';
import { sql as displays } from './002_displays.js';

export const configMigrations: readonly Migration[] = [
  { id: '001_versions', sql: versions },
  { id: '002_displays', sql: displays },
];
