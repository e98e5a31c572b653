import { STAGES } from './stages.ts';

/**
 * Child process of the benchmark: `node bench/measure.ts <stage> <run|floor> <catalog dir>` times one
 * stage (or its floor) once and prints `{"ms": …, "cpuMs": …, "peakMB": …}`: wall time, CPU time (user
 * + system, all threads: what the work costs even when other processes share the cores) and peak
 * memory. Modules are loaded before the clock starts; peak memory is the whole process's resident set,
 * since that is what a machine must have.
 */
const [name, mode, dir] = process.argv.slice(2);
const stage = STAGES.find((s) => s.name === name);
if (!stage || (mode !== 'run' && mode !== 'floor' && mode !== 'prepare') || !dir) {
  process.stderr.write('usage: node bench/measure.ts <stage> <run|floor|prepare> <catalog dir>\n');
  process.exit(2);
}
if (mode === 'prepare') {
  // Untimed setup for the next run, in a process of its own so it leaves nothing in the timed one.
  await stage.prepare?.(dir);
  process.exit(0);
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
await stage[mode as 'run' | 'floor'](dir);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024 })}\n`);
