import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..');
export const HALL = path.join(REPO, 'cli/hall.ts');

// ————— processes —————

export interface Running {
  url: string;
  child: ChildProcess;
  /** Peak resident set of the process so far (VmHWM), in MB. */
  peakMB(): number;
  /** Current resident set (VmRSS), in MB. */
  rssMB(): number;
  /** CPU time the process has used so far (user + system), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time of a process in ms (user + system), from /proc/<pid>/stat; with `children`, also that of the
 * children it has waited for (a PostgreSQL server's backends that have exited). NaN where there is no /proc.
 */
export function processCpuMs(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces, in parentheses): utime is the 14th field, stime the 15th, cutime and cstime the 16th and 17th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const ticks = f[11] + f[12] + (children ? f[13] + f[14] : 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Start a Node process and resolve once it prints an http://127.0.0.1:port address. */
export async function startProcess(args: string[], env: Record<string, string> = {}): Promise<Running> {
  // HALL_BENCH_PROFILE=<dir>: each process the bench starts writes a V8 CPU profile there when it exits (where the time goes).
  const profile = process.env.HALL_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HALL_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Until the address is printed the output is kept (for the error if the process exits first); after it, only
  // its last 4 KB: a hall logging every request under load would otherwise grow this string, and the bench's
  // own CPU, for as long as the run lasts.
  let out = '';
  let listening = false;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (listening) {
        if (out.length > 8192) out = out.slice(-4096);
        return;
      }
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        listening = true;
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${path.basename(args.find((a) => a.endsWith('.ts')) ?? 'process')} exited (${code}) before listening:\n${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    peakMB: () => statusField(child.pid!, 'VmHWM'),
    rssMB: () => statusField(child.pid!, 'VmRSS'),
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

