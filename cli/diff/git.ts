import path from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../shared/errors.ts';

/** One git invocation in `cwd`; output as text or bytes. A failure becomes a UsageError with git's words. */
async function git(cwd: string, args: string[], options: { input?: string; buffer?: boolean } = {}): Promise<{ stdout: string; bytes: Uint8Array }> {
  const result = await execa('git', args, {
    cwd,
    input: options.input,
    encoding: options.buffer ? 'buffer' : 'utf8',
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 512 * 1024 * 1024,
    env: { GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '').trim().split('\n')[0];
    throw new UsageError(`git ${args[0]} 失败 / failed: ${stderr}`);
  }
  const bytes = options.buffer ? (result.stdout as unknown as Uint8Array) : new TextEncoder().encode(String(result.stdout));
  return { stdout: options.buffer ? '' : String(result.stdout), bytes };
}

/** The top folder of the git repository holding `dir`. */
export async function repositoryRoot(dir: string): Promise<string> {
  try {
    return (await git(dir, ['rev-parse', '--show-toplevel'])).stdout.trim();
  } catch {
    throw new UsageError(`“${dir}”不在 git 仓库中，无法比较 / "${dir}" is not inside a git repository`);
  }
}

/** The commit a ref names, or a UsageError that says how to fetch it. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new UsageError(`--base 不能以 - 开头 / --base must not start with "-": ${ref}`);
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).stdout.trim();
  } catch {
    throw new UsageError(
      `找不到基准“${ref}”。在 CI 中请用 fetch-depth: 0 检出，或先运行 git fetch origin main / ` +
        `cannot find the base "${ref}"; fetch it first (git fetch origin main, or fetch-depth: 0 in CI)`,
    );
  }
}

export interface TreeFile {
  /** Repository-relative path, forward slashes. */
  path: string;
  mode: string;
  object: string;
}

/** Every file below `prefix` in a commit (symbolic links and submodules left out). */
export async function listTree(root: string, commit: string, prefix: string): Promise<TreeFile[]> {
  const { stdout } = await git(root, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', prefix === '.' ? '.' : `${prefix}/`]);
  const files: TreeFile[] = [];
  for (const entry of stdout.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [mode, type, object] = entry.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === '120000') continue;
    files.push({ path: entry.slice(tab + 1), mode, object });
  }
  return files;
}

/** The contents of many blobs in one `git cat-file --batch` call. */
export async function readBlobs(root: string, objects: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (objects.length === 0) return out;
  const { bytes } = await git(root, ['cat-file', '--batch'], { input: objects.join('\n') + '\n', buffer: true });
  const decoder = new TextDecoder();
  let at = 0;
  while (at < bytes.length) {
    const newline = bytes.indexOf(0x0a, at);
    if (newline === -1) break;
    const [object, type, size] = decoder.decode(bytes.subarray(at, newline)).split(' ');
    if (type === 'missing' || size === undefined) {
      at = newline + 1;
      continue;
    }
    const length = Number(size);
    out.set(object, bytes.slice(newline + 1, newline + 1 + length));
    at = newline + 1 + length + 1;
  }
  return out;
}

/** One file's text at a commit, or undefined when it does not exist there. */
export async function readFileAt(root: string, commit: string, file: string): Promise<string | undefined> {
  try {
    return (await git(root, ['cat-file', '-p', `${commit}:${file}`])).stdout;
  } catch {
    return undefined;
  }
}

/** Paths that differ between a commit and the working tree, untracked files included. */
export async function changedPaths(root: string, commit: string): Promise<string[]> {
  const tracked = (await git(root, ['diff', '--name-only', '-z', '--no-renames', commit, '--'])).stdout.split('\0');
  const untracked = (await git(root, ['ls-files', '--others', '--exclude-standard', '-z'])).stdout.split('\0');
  return [...new Set([...tracked, ...untracked].filter(Boolean))].sort();
}

export const toPosix = (p: string) => p.split(path.sep).join('/');
