import { cp, mkdtemp, readFile, rm, writeFile, unlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Result } from 'execa';

/** The repository root, where `cli/hall.ts` lives. */
export const REPO = path.resolve(import.meta.dirname, '../..');
/** A small valid catalog of our own, so the example catalog can change without breaking these tests. */
export const FIXTURE = path.join(REPO, 'test/fixtures/pr/catalog');
/** Node 24 from the `node` devDependency: the system node may be older and cannot strip types. */
export const NODE = path.join(REPO, 'node_modules/.bin/node');
export const HALL = path.join(REPO, 'cli/hall.ts');
/** The day the fixture is judged on, so freshness rules do not drift with the calendar. */
export const TODAY = '2026-10-01';

/** A real git repository in a temp dir holding a copy of the fixture catalog, committed as `base`. */
export interface TempRepo {
  root: string;
  git(...args: string[]): Promise<string>;
  /** `hall …` as a real process in the repository root. */
  hall(args: string[], options?: { input?: string }): Promise<Result>;
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
  /** Replace text that must occur exactly once in `file`. */
  edit(file: string, find: string, replace: string): Promise<void>;
  remove(file: string): Promise<void>;
  commit(message: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function makeRepo(): Promise<TempRepo> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-pr-'));
  await cp(FIXTURE, path.join(root, 'catalog'), { recursive: true });
  // The review routing `hall codeowners` writes for the fixture: a repository without it fails `hall check`.
  await mkdir(path.join(root, '.github'));
  await cp(path.join(FIXTURE, '..', 'CODEOWNERS'), path.join(root, '.github/CODEOWNERS'));
  const git = async (...args: string[]) => (await execa('git', args, { cwd: root, env: { GIT_AUTHOR_DATE: '2026-09-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-09-01T00:00:00Z' } })).stdout;
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'test@example.edu.cn');
  await git('config', 'user.name', 'hall test');
  await git('config', 'commit.gpgsign', 'false');
  const repo: TempRepo = {
    root,
    git,
    hall: (args, options = {}) =>
      execa(NODE, ['--disable-warning=ExperimentalWarning', HALL, ...args], { cwd: root, reject: false, input: options.input ?? '', env: { NO_COLOR: '1', HALL_LANG: 'zh', FORCE_COLOR: '0' } }),
    read: (file) => readFile(path.join(root, file), 'utf8'),
    write: async (file, text) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    },
    edit: async (file, find, replace) => {
      const text = await repo.read(file);
      const at = text.indexOf(find);
      if (at === -1 || text.indexOf(find, at + 1) !== -1) throw new Error(`edit: "${find}" must occur exactly once in ${file}`);
      await repo.write(file, text.slice(0, at) + replace + text.slice(at + find.length));
    },
    remove: (file) => unlink(path.join(root, file)),
    commit: async (message) => {
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  await repo.commit('base');
  return repo;
}

/** `hall diff` against the base commit as JSON, without the generated/ check (tested on its own). */
export async function diffJson(repo: TempRepo, extra: string[] = []): Promise<{ exitCode: number; diff: DiffJson }> {
  const run = await repo.hall(['diff', '--base', 'main', '--format', 'json', '--no-build-check', '--today', TODAY, ...extra]);
  if (run.exitCode === 2) throw new Error(`hall diff failed: ${String(run.stderr)}`);
  return { exitCode: run.exitCode ?? -1, diff: JSON.parse(String(run.stdout)) as DiffJson };
}

interface BiJson {
  zh: string;
  en: string;
}
interface ChangeJson {
  topic: string;
  subject?: BiJson;
  from?: BiJson;
  to?: BiJson;
  added?: BiJson[];
  removed?: BiJson[];
}
export interface DiffJson {
  services: {
    id: string;
    previousId?: string;
    change: string;
    file: string;
    status: { from?: string; to?: string };
    service: ChangeJson[];
    guide: ChangeJson[];
    runtime?: { changes: ChangeJson[]; version?: { from?: number; to: number; fromManifest: boolean; newDefinition: boolean } };
    departments: string[];
  }[];
  other: { file: string; change: string; changes: ChangeJson[]; departments: string[] }[];
  toolchain: string[];
  departments: { code: string; admins: string[]; reasons: string[] }[];
  forbidden: { code: string; file: string; line: number; message: string }[];
  generated: { status: string; files?: string[] };
}

/** One change of a service, by topic (and subject, when several share a topic). */
export function changeOf(diff: DiffJson, id: string, topic: string, subject?: string): ChangeJson | undefined {
  const s = diff.services.find((x) => x.id === id);
  return [...(s?.service ?? []), ...(s?.guide ?? []), ...(s?.runtime?.changes ?? [])].find((c) => c.topic === topic && (subject === undefined || c.subject?.zh.includes(subject)));
}
