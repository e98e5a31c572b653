import { createServer } from 'node:http';
import path from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterAll } from 'vitest';
import { checkDirectoryFile } from '../../server/directory/check.ts';
import type { DirectoryExport } from '../../server/directory/check.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';

/** The example catalog's directory of people, for `--dev --directory`. */
export const DIRECTORY = path.join(ROOT, 'examples/directory.yaml');

/** The example directory's people, checked as `hall serve --directory` checks them (for in-process halls). */
export async function exampleDirectory(): Promise<DirectoryExport> {
  const { directory, diagnostics } = await checkDirectoryFile(DIRECTORY, await readVocabulary(path.join(ROOT, 'catalog')));
  if (!directory) throw new Error(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`).join('\n'));
  return directory;
}

/**
 * `hall serve` on the example catalog as real processes, each killed when the test file ends. `serve`
 * resolves with the address once the process says it is running (`--port 0` unless a port is given).
 */
export function hallProcesses() {
  const running: ResultPromise[] = [];
  afterAll(() => {
    for (const p of running) p.kill('SIGKILL');
  });
  return {
    async serve(args: string[], env: Record<string, string> = {}): Promise<{ url: string; process: ResultPromise }> {
      const port = args.includes('--port') ? [] : ['--port', '0'];
      const child = execa(NODE, [HALL, 'serve', path.join(ROOT, 'catalog'), ...port, ...args], { reject: false, env: { NO_COLOR: '1', ...env }, all: true });
      running.push(child);
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.all!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        void child.then(() => reject(new Error(`hall serve exited: ${out}`)));
      });
      return { url, process: child };
    },
  };
}

/** A port nothing listens on now, for a server whose address must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
