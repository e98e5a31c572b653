import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { openStore } from '../server/store/store.ts';

/**
 * The floor of `hall serve` in the benchmark: the same HTTP framework (Fastify, the same body limit and
 * JSON parsing) on the same kind of store opened through the same store layer (SQLite in WAL with a
 * fsync per commit, or a PostgreSQL pool of the same size), doing the least any hall must per request:
 * one INSERT of the request's payload. `node bench/serve-floor.ts <store location>` prints its address.
 */
const [location] = process.argv.slice(2);
if (!location) {
  process.stderr.write('usage: node bench/serve-floor.ts <sqlite:file | postgres://…>\n');
  process.exit(2);
}
const store = await openStore(location);
await store.exec('CREATE TABLE IF NOT EXISTS floor_item (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)');
const app = Fastify({ logger: false, bodyLimit: 512 * 1024 });
app.post('/insert', async (request, reply) => {
  await store.run('INSERT INTO floor_item (id, body, created_at) VALUES ($1, $2, $3)', [randomBytes(12).toString('hex'), JSON.stringify(request.body), new Date().toISOString()]);
  return reply.code(201).send({ ok: true });
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`floor listening on ${address}\n`);
const stop = async () => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
