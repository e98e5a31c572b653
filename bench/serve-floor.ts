import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_PRAGMAS } from '../server/store/sqlite.ts';
import { openStore } from '../server/store/store.ts';

/**
 * The floor of `hall serve` in the benchmark: the same HTTP framework (Fastify, the same body limit and
 * JSON parsing) on the same kind of store with the same settings (SQLite in WAL with a fsync per commit,
 * or a PostgreSQL pool of the same size), doing the least any hall must per request: one INSERT of the
 * request's payload, committed before the answer.
 *
 * On SQLite the floor is what a plain Fastify + node:sqlite service does: the INSERT on its own, one
 * COMMIT (one fsync) per request, with the hall's pragmas (SQLITE_PRAGMAS). `--grouped` sends it through
 * the hall's own store layer instead, which commits the INSERTs waiting at once in one group
 * (server/store/sqlite-group.ts): the floor of a service that does group commit too, printed beside.
 *
 * `--rows` writes, in one statement, the rows a submission of the bench's service writes (issue 13: an
 * application, its task, two events and two outbox messages, each carrying the payload; primary keys only):
 * the floor of a hall that keeps the rule that every change appends its events and messages in the same
 * transaction, printed beside the one-INSERT floor so the gap between the two is visible.
 *
 * `node bench/serve-floor.ts <store location> [--grouped | --rows]` prints its address.
 */
const [location] = process.argv.slice(2);
if (!location) {
  process.stderr.write('usage: node bench/serve-floor.ts <sqlite:file | postgres://…> [--grouped]\n');
  process.exit(2);
}
const CREATE = 'CREATE TABLE IF NOT EXISTS floor_item (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)';
const INSERT = 'INSERT INTO floor_item (id, body, created_at) VALUES ($1, $2, $3)';
const rows = process.argv.includes('--rows');
if (rows && !/^postgres(ql)?:\/\//.test(location)) {
  process.stderr.write('--rows needs PostgreSQL (data-modifying WITH)\n');
  process.exit(2);
}
const direct = !/^postgres(ql)?:\/\//.test(location) && !process.argv.includes('--grouped') && !rows;
/** `--rows`: what a submission writes (`SELECT * FROM` each table after one bench submission: 1, 1, 2, 2 rows). */
const ROW_TABLES: [table: string, count: number][] = [['floor_application', 1], ['floor_task', 1], ['floor_event', 2], ['floor_outbox', 2]];
const ROWS_INSERT = (() => {
  let n = 0;
  const parts = ROW_TABLES.flatMap(([table, count]) => Array.from({ length: count }, () => `INSERT INTO ${table} (id, body, created_at) VALUES ($${++n}, $${++n}, $${++n})`));
  return `WITH ${parts.slice(0, -1).map((p, i) => `w${i} AS (${p})`).join(', ')} ${parts.at(-1)}`;
})();

let insert: (values: string[]) => Promise<unknown> | unknown;
let close: () => Promise<void> | void;
if (direct) {
  const db = new DatabaseSync(location.replace(/^sqlite:/, ''));
  db.exec(SQLITE_PRAGMAS);
  db.exec(CREATE);
  const statement = db.prepare(INSERT.replace(/\$(\d)/g, '?$1'));
  insert = (values) => statement.run(...values);
  close = () => db.close();
} else if (rows) {
  const store = await openStore(location);
  for (const [table] of ROW_TABLES) await store.exec(CREATE.replace('floor_item', table));
  insert = ([, body, at]) => store.run(ROWS_INSERT, ROW_TABLES.flatMap(([, count]) => Array.from({ length: count }, () => [randomBytes(12).toString('hex'), body, at])).flat());
  close = () => store.close();
} else {
  const store = await openStore(location);
  await store.exec(CREATE);
  insert = (values) => store.run(INSERT, values);
  close = () => store.close();
}
const app = Fastify({ logger: false, bodyLimit: 512 * 1024 });
app.post('/insert', async (request, reply) => {
  await insert([randomBytes(12).toString('hex'), JSON.stringify(request.body), new Date().toISOString()]);
  return reply.code(201).send({ ok: true });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`floor listening on ${address}\n`);
const stop = async () => {
  await app.close();
  await close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
