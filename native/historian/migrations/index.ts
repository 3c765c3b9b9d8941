import type { Migration } from '../../util/migrate.js';
import { sql as init } from './001_init.js';
import { LAST_VALUE_MIGRATION, sql as lastValue } from './002_last_value.js';
import { ROLLUP_BLOCKS_MIGRATION, sql as rollupBlocks } from './003_rollup_blocks.js';
import { TAIL_MIGRATION, sql as tail } from './004_tail.js';
import { ROLLUP_OPEN_MIGRATION, sql as rollupOpen } from './005_rollup_open.js';
import { TAG_STATE_MIGRATION, sql as tagState } from './006_tag_state.js';

export const HISTORIAN_MIGRATIONS: readonly Migration[] = [
  { id: '001_init', sql: init },
  { id: LAST_VALUE_MIGRATION, sql: lastValue },
  { id: ROLLUP_BLOCKS_MIGRATION, sql: rollupBlocks },
  { id: TAIL_MIGRATION, sql: tail },
  { id: ROLLUP_OPEN_MIGRATION, sql: rollupOpen },
  { id: TAG_STATE_MIGRATION, sql: tagState },
];
export const MIGRATIONS_TABLE = 'historian_migrations';
export { fillLastValues, LAST_VALUE_MIGRATION } from './002_last_value.js';
export { packRollups, ROLLUP_BLOCKS_MIGRATION } from './003_rollup_blocks.js';
export { convertSegments, TAIL_MIGRATION } from './004_tail.js';
export { ROLLUP_OPEN_MIGRATION } from './005_rollup_open.js';
export { moveToTagState, TAG_STATE_MIGRATION } from './006_tag_state.js';
