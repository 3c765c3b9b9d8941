// npm run docs:api — writes docs/api.md's request table from the contract (native/server/api-table.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRequestTable } from '../native/server/api-table.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'api.md');
const before = readFileSync(file, 'utf8');
const after = withRequestTable(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'docs/api.md: request table already up to date\n' : 'docs/api.md: request table written\n');
