import path from 'node:path';
import { execa } from 'execa';
import { bi } from './describe.ts';
import type { GeneratedCheck } from './model.ts';

const HALL = path.join(import.meta.dirname, '..', 'hall.ts');

/**
 * Whether `generated/` matches the catalog, by running `hall build --check` in the repository root as
 * its own process (the build owns that judgement). Never skipped: a skip here once hid a stale generated/
 * behind a moved file (the build command's folder was renamed and the check quietly stopped running).
 */
export async function checkGenerated(root: string, catalogDir: string): Promise<GeneratedCheck> {
  const run = await execa(process.execPath, ['--disable-warning=ExperimentalWarning', HALL, 'build', catalogDir, '--check', '--lang', 'en'], {
    cwd: root,
    reject: false,
    env: { NO_COLOR: '1', HALL_LANG: 'en' },
  });
  if (run.exitCode === 0) return { status: 'fresh' };
  const files = `${run.stdout}\n${run.stderr}`
    .split('\n')
    .map((line) => /^\s+(?:missing|differs|unexpected)\s+(\S+)\s*$/.exec(line)?.[1])
    .filter((f): f is string => f !== undefined);
  if (run.exitCode === 1 && files.length) return { status: 'stale', files };
  return { status: 'failed', note: bi('hall build --check 没有通过，详见“构建检查”步骤', 'hall build --check did not pass; see the build check step') };
}
