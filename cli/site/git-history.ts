import { execa } from 'execa';

/** One commit that touched the catalog. */
export interface GitCommit {
  hash: string;
  /** Committer time, ISO 8601 with offset. */
  time: string;
  subject: string;
  /** Repository-relative paths the commit touched inside the catalog. */
  files: string[];
}

/** The catalog's history as far as git can tell; empty (not available) without git. */
export interface GitHistory {
  available: boolean;
  /** A shallow clone: histories may be cut short. */
  shallow: boolean;
  /** Newest first. */
  commits: GitCommit[];
  /**
   * Catalog files that said `classification: public` in some commit (added or removed the line):
   * a service that is not public now but is listed here was public once, and its old address
   * must not turn into a 404 on the public site.
   */
  oncePublic?: string[];
}

export const NO_HISTORY: GitHistory = { available: false, shallow: false, commits: [], oncePublic: [] };

/** A top-level `classification: public` line, quoted or not (`git log -G` reads POSIX extended regex). */
const PUBLIC_LINE = `^classification:[[:space:]]*["']?public`;

const RECORD = '\u001e';
const FIELD = '\u001f';

/** Parse `git log --name-only` output in the format {@link readGitHistory} asks for. Pure. */
export function parseGitLog(output: string, prefix: string): GitCommit[] {
  const commits: GitCommit[] = [];
  for (const record of output.split(RECORD)) {
    if (!record.trim()) continue;
    const [head, ...rest] = record.split('\n');
    const [hash, time, subject] = head.split(FIELD);
    if (!hash || !time) continue;
    const files = rest.map((l) => l.trim()).filter((l) => l && (prefix === '' || l.startsWith(prefix)));
    commits.push({ hash, time, subject: subject ?? '', files: [...new Set(files)].sort() });
  }
  return commits;
}

/**
 * Read the history of every file below `catalogDir` with one `git log` (not one process per file, so
 * it stays fast for 10,000 services). Degrades to no history when git is missing, the folder is not
 * in a repository, or the repository has no commits; flags a shallow clone.
 */
export async function readGitHistory(root: string, catalogDir: string): Promise<GitHistory> {
  const git = (args: string[]) => execa('git', args, { cwd: root, reject: false, stripFinalNewline: false, env: { LC_ALL: 'C', GIT_PAGER: 'cat' } });
  const top = await git(['rev-parse', '--show-toplevel']).catch(() => undefined);
  if (!top || top.exitCode !== 0) return NO_HISTORY;
  const shallow = (await git(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  // Paths relative to the repository root, whatever the working directory.
  const prefixResult = await git(['rev-parse', '--show-prefix']);
  const prefix = prefixResult.exitCode === 0 ? prefixResult.stdout.trim() : '';
  const log = await git(['-c', 'core.quotepath=off', 'log', '--no-renames', `--format=${RECORD}%H${FIELD}%cI${FIELD}%s`, '--name-only', '--', catalogDir]);
  if (log.exitCode !== 0) return { available: false, shallow, commits: [], oncePublic: [] };
  // Map repository-relative paths back to paths relative to `root`, as the catalog reports them.
  const commits = parseGitLog(log.stdout, prefix).map((c) => ({ ...c, files: c.files.map((f) => f.slice(prefix.length)) }));
  // One more `git log` for the whole catalog: -G lists only the files whose diff touched the line.
  const pickaxe = await git(['-c', 'core.quotepath=off', 'log', '--no-renames', `-G${PUBLIC_LINE}`, '--format=', '--name-only', '--', catalogDir]);
  const oncePublic = pickaxe.exitCode === 0 ? [...new Set(pickaxe.stdout.split('\n').map((l) => l.trim()).filter((l) => l && l.startsWith(prefix)).map((l) => l.slice(prefix.length)))].sort() : [];
  return { available: true, shallow, commits, oncePublic };
}
