// A fresh process asking the last stored value of every tag of a historian file once: what a
// restarted console pays for its first answer (bench/last-values.bench.ts, "cold"). Prints the
// milliseconds from opening the file to the answer (connection, schema, statements, first query,
// code not yet optimised by the JIT; Node's own start and module loading are not counted).
import { resolvePolicies } from '../../native/historian/config.js';
import { lastValues, type QueryTag } from '../../native/historian/query.js';
import { StoreReader } from '../../native/historian/reader.js';
import { makeTags } from '../../native/historian/test-kit.js';
import { openSqlite } from '../../native/util/sqlite.js';

const [file, count] = process.argv.slice(2);
if (!file || !count) throw new Error('usage: last-values-child.ts <historian.db> <tag count>');
const tags = makeTags(Number(count));
const policies = resolvePolicies(tags);
const started = performance.now();
const db = openSqlite(file, { readonly: true });
const reader = new StoreReader(db);
const sid = db.prepare('SELECT id FROM tag WHERE name = ?').pluck();
const q: QueryTag[] = tags.map((t, i) => ({ name: t.name, sid: sid.get(t.name) as number, policy: policies[i] as QueryTag['policy'] }));
const answer = lastValues(reader, q);
const ms = performance.now() - started;
db.close();
process.stdout.write(`${JSON.stringify({ ms, stored: answer.filter((a) => a.ts !== null).length })}\n`);
