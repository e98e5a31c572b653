import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's PostgreSQL 15 (`apt-get install postgresql`; `.ci/run` installs it). */
const BIN = process.env.SERVICEHALL_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** A connection string to a fresh database in this cluster. */
  url: string;
  port: number;
  /** Make another empty database in the same cluster and return its URL. */
  createDatabase(name: string): string;
  /** Stop the server (fast shutdown), as an outage. */
  stop(): void;
  /** Start it again on the same port and data. */
  start(): void;
  /** Stop and delete the cluster. */
  destroy(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function uidOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * A throwaway PostgreSQL cluster in a temp folder, listening on 127.0.0.1 only, trust authentication.
 * Runs as the package's `postgres` user when the tests run as root (as on CI), else as the current user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'servicehall-pg-'));
  const asRoot = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args], { stdio: 'pipe' }) : execFileSync(path.join(BIN, cmd), args, { stdio: 'pipe' });
  if (asRoot) {
    const { uid, gid } = uidOf('postgres');
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  as('initdb', ['-D', data, '-A', 'trust', '-U', 'hall', '--encoding=UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => void as('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  const stop = () => void as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const createDatabase = (name: string) => {
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'hall', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE "${name}"`], { stdio: 'pipe' });
    return `postgres://hall@127.0.0.1:${port}/${name}`;
  };
  return {
    url: createDatabase('hall'),
    port,
    createDatabase,
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
