import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../server/http/logging.ts';

const run = promisify(execFile);

/**
 * Issue 13: the hall wrote each log line with a synchronous write (three per request), 5% of its CPU under
 * load. Lines now go out asynchronously; none may be lost when the process ends right after logging.
 */
describe('the request log', () => {
  it('is written asynchronously to stdout, and not at all when silent', () => {
    const options = loggerOptions('info') as { stream?: { sync?: boolean; fd?: number } };
    expect(options.stream?.sync).toBe(false);
    expect(options.stream?.fd).toBe(1);
    expect('stream' in loggerOptions('silent')).toBe(false);
  });

  it('loses no line when the process exits right after logging', async () => {
    const script = `
      import pino from 'pino';
      import { loggerOptions } from ${JSON.stringify(path.resolve('server/http/logging.ts'))};
      const { stream, ...options } = loggerOptions('info');
      const log = pino(options, stream);
      for (let i = 0; i < 5000; i++) log.info({ i }, 'line');
      log.fatal('last words');
      process.exit(3);
    `;
    const child: { code?: number; stdout: string } = await run(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 64 * 1024 * 1024 }).catch((error: { code: number; stdout: string }) => error);
    expect(child.code).toBe(3);
    const lines = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { i?: number; msg: string });
    expect(lines).toHaveLength(5001);
    expect(lines.at(-1)!.msg).toBe('last words');
  });
});
