import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadRuntime } from '../lib/runtime/index.ts';
import { checkDirectoryFile } from '../server/directory/check.ts';
import { importDirectory } from '../server/directory/import.ts';
import { readVocabulary } from '../server/directory/vocabulary.ts';
import { Engine, newId } from '../server/engine/engine.ts';
import { migrate } from '../server/store/migrate.ts';
import { openStore } from '../server/store/store.ts';
import type { Row, Store, Transaction } from '../server/store/store.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { HALL, REPO, processCpuMs, startProcess } from './serve-process.ts';
import type { Running } from './serve-process.ts';
import type { TestPostgres } from '../test/helpers/postgres.ts';

/**
 * Benchmark of the hall runtime (`hall serve`, issue 13): submissions/s and approval latency at 100
 * concurrent clients, driven by autocannon over loopback against a real `hall serve --dev` process on
 * the example catalog, on the embedded store and on PostgreSQL. The floor is measured in the same run:
 * Fastify on the same kind of store doing one INSERT of the same payload per request
 * (bench/serve-floor.ts). Printed as ratios against the floor, never as absolute targets: the machines
 * are shared and noisy.
 *
 * Standalone: `node bench/serve.ts [--stores sqlite,postgres] [--seconds 10] [--cpu-prof <dir>]`.
 */

const PG_BIN = process.env.SERVICEHALL_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const CONNECTIONS = 100;
/** Issue 13: at least half the floor's throughput, p99 at most 3× the floor's. */
export const SERVE_TARGET = { throughput: 0.5, p99: 3 };

export interface HallOptions {
  /** The catalog folder (its repository's generated/ is loaded). */
  catalog?: string;
  store: string;
  directory: string;
  events: string;
  /** Extra Node options, e.g. --cpu-prof. */
  node?: string[];
}

/**
 * `hall serve --dev` as a real process, as a university runs it (test/server/processes.ts does the same),
 * but for the rate limits: here a hundred clients sign in and submit from one loopback address, which the
 * per-address sign-in limit rightly refuses (429). They are switched off in a configuration file; their
 * cost (one upsert per limited request) is then not in the figures.
 */
export async function startHall(options: HallOptions): Promise<Running> {
  const config = path.join(await mkdtemp(path.join(tmpdir(), 'hall-bench-config-')), 'hall-serve.yaml');
  await writeFile(config, 'rateLimits:\n  login: { max: 0, seconds: 1 }\n  submission: { max: 0, seconds: 1 }\n');
  return startProcess([...(options.node ?? []), HALL, 'serve', options.catalog ?? path.join(REPO, 'catalog'), '--port', '0', '--dev', '--directory', options.directory, '--events', options.events, '--store', options.store, '--config', config]);
}

/**
 * The floor (bench/serve-floor.ts). `grouped`: its INSERTs through the hall's store layer, which commits them in
 * groups (SQLite); `rows`: the rows a submission writes, in one statement (PostgreSQL).
 */
export function startFloor(store: string, node: string[] = [], mode: 'one' | 'grouped' | 'rows' = 'one'): Promise<Running> {
  return startProcess([...node, path.join(import.meta.dirname, 'serve-floor.ts'), store, ...(mode === 'one' ? [] : [`--${mode}`])]);
}

// ————— people —————

export interface Persona {
  id: string;
  name: string;
  class: string;
}

/**
 * A directory export for the benchmark: `classes` classes of 外国语学院 (wxy), each with its counselor
 * (t-NNN, counselor@wxy-NNN) and `perClass` students, and the college's deputy secretary. Many people,
 * so no single applicant or approver carries the load (a per-person rate limit would otherwise throttle
 * the bench instead of the hall).
 */
export function benchDirectory(classes: number, perClass: number): { yaml: string; students: Persona[][]; counselors: string[] } {
  const students: Persona[][] = [];
  const counselors: string[] = [];
  const lines = ['people:'];
  for (let c = 0; c < classes; c++) {
    const cls = `wxy-${String(c).padStart(3, '0')}`;
    const counselor = `t-${String(c).padStart(3, '0')}`;
    counselors.push(counselor);
    lines.push(`  - { id: ${counselor}, name: 辅导员${c}, attributes: { type: 教职工, department: wxy }, holds: [counselor@${cls}] }`);
    const row: Persona[] = [];
    for (let k = 0; k < perClass; k++) {
      const id = `s${String(c).padStart(3, '0')}${String(k).padStart(4, '0')}`;
      row.push({ id, name: `学生${c}-${k}`, class: cls });
      lines.push(`  - { id: "${id}", name: 学生${c}-${k}, attributes: { type: 本科生, college: wxy, class: ${cls}, phone: "138${String(c * 10000 + k).padStart(8, '0')}" } }`);
    }
    students.push(row);
  }
  lines.push('  - { id: t-deputy, name: 陈书记, attributes: { type: 教职工, department: wxy }, holds: [department-deputy@wxy] }');
  return { yaml: `${lines.join('\n')}\n`, students, counselors };
}

/** The form data of 学生请假 (catalog/bwc/student-leave.yaml) for a student: two days, so the counselor's approval ends it. */
export function leaveOf(p: Persona): Record<string, unknown> {
  return { studentName: p.name, studentNumber: p.id, phone: '13800000002', leaveType: '病假', period: { start: '2026-03-02', end: '2026-03-03' }, days: 2, leaveCampus: false, reason: '急性肠胃炎需要在家休息' };
}

export interface Session {
  person: string;
  cookie: string;
  csrf: string;
}

export async function login(base: string, person: string): Promise<Session> {
  const res = await fetch(`${base}/api/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person }) });
  if (res.status !== 200) throw new Error(`dev login of ${person} answered ${res.status}: ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  return { person, cookie: res.headers.get('set-cookie')!.split(';')[0], csrf };
}

export async function getJson<T>(base: string, session: Session, url: string): Promise<T> {
  const res = await fetch(`${base}${url}`, { headers: { cookie: session.cookie } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

// ————— load —————

export interface Load {
  /** Successful (2xx) requests per second. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /** Status codes other than 2xx, with counts: a rate limit shows here as 429. */
  statuses: Record<string, number>;
  seconds: number;
  /**
   * CPU (user + system) per 2xx answer, in ms: of the server process, and on PostgreSQL of the database server's
   * processes. It moves much less than req/s with what else runs on the machine (the bench shares it), though above
   * a load of ~10 it rises too: compare runs at like load.
   */
  cpu?: { server: number; database?: number };
}

type Build = () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/** Drive `url` with CONNECTIONS clients for `seconds` (or until `amount` requests), each request built by `next`. */
export async function cannon(url: string, next: Build, limit: { seconds?: number; amount?: number }, meter?: CpuMeter): Promise<Load> {
  const before = meter && { server: meter.server(), database: meter.database?.() };
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    ...(limit.amount ? { amount: limit.amount } : { duration: limit.seconds ?? 10 }),
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => {
          const r = next();
          return { ...request, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) }, body: r.body };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}) as [string, { count: number }][]) if (!code.startsWith('2')) statuses[code] = count;
  if (result.errors) statuses.errors = result.errors;
  if (result.timeouts) statuses.timeouts = result.timeouts;
  const ok = result['2xx'];
  const perAnswer = (after: number, start: number | undefined) => (start === undefined || !Number.isFinite(after - start) || !ok ? undefined : (after - start) / ok);
  const server = meter && perAnswer(meter.server(), before!.server);
  const database = meter?.database && perAnswer(meter.database(), before!.database);
  const cpu = server === undefined ? undefined : { server, ...(database === undefined ? {} : { database }) };
  return { rps: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, ok, failed: result.non2xx + result.errors + result.timeouts, statuses, seconds: result.duration, ...(cpu ? { cpu } : {}) };
}

/** CPU used so far (ms) by the server under load and, on PostgreSQL, by the database server. */
export interface CpuMeter {
  server: () => number;
  database?: () => number;
}

/**
 * CPU used so far (ms) by the PostgreSQL server listening on `port`: the postmaster with the backends it has
 * reaped, and the backends alive now. Linux only (/proc); NaN elsewhere.
 */
export function postgresCpuMs(port: number): () => number {
  let postmaster: number | undefined;
  const find = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (path.basename(argv[0]) === 'postgres' && argv.includes('-p') && argv[argv.indexOf('-p') + 1] === String(port)) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
    return undefined;
  };
  return () => {
    postmaster ??= find();
    if (postmaster === undefined) return NaN;
    let total = processCpuMs(postmaster, true);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) total += processCpuMs(Number(entry));
      } catch {
        // exited meanwhile: its time is in the postmaster's reaped children's
      }
    }
    return total;
  };
}

/** Round-robin over the sessions: each of the 100 clients acts as a different person at any moment. */
function submissions(sessions: Session[], personas: Map<string, Persona>): Build {
  let i = 0;
  const bodies = new Map(sessions.map((s) => [s.person, JSON.stringify({ service: 'student-leave', data: leaveOf(personas.get(s.person)!), channel: 'pc' })]));
  return () => {
    const s = sessions[i++ % sessions.length];
    return { method: 'POST', path: '/api/applications', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: bodies.get(s.person)! };
  };
}

const DECISION = JSON.stringify({ action: 'approve', comment: '同意，注意安全。' });

/** The open tasks of every counselor, interleaved so concurrent requests act on distinct tasks of distinct approvers. */
async function approvalQueue(base: string, counselors: Session[]): Promise<{ task: string; session: Session }[]> {
  const lists = await Promise.all(counselors.map(async (s) => (await getJson<{ tasks: { id: string }[] }>(base, s, '/api/tasks')).tasks.map((t) => ({ task: t.id, session: s }))));
  const queue: { task: string; session: Session }[] = [];
  for (let k = 0; lists.some((l) => k < l.length); k++) for (const l of lists) if (k < l.length) queue.push(l[k]);
  return queue;
}

function approvals(queue: { task: string; session: Session }[]): Build {
  let i = 0;
  return (): ReturnType<Build> => {
    // Past the end (autocannon builds one request ahead that it never sends): a harmless GET.
    const q = queue[i++];
    if (!q) return { method: 'GET', path: '/healthz', headers: {} };
    return { method: 'POST', path: `/api/tasks/${q.task}/decision`, headers: { cookie: q.session.cookie, 'x-csrf-token': q.session.csrf }, body: DECISION };
  };
}

// ————— the throughput report —————

export interface ThroughputRow {
  store: 'sqlite' | 'postgres';
  what: 'submissions' | 'approvals';
  hall?: Load;
  floor?: Load;
  /** SQLite: the floor through the hall's store layer, whose group commit shares one fsync among the INSERTs waiting (for comparison). */
  groupedFloor?: Load;
  /** PostgreSQL: the floor writing the six rows a submission writes in one statement (for comparison). */
  rowsFloor?: Load;
  skipped?: string;
}

interface Options {
  seconds: number;
  /** Write CPU profiles of the hall processes into this folder. */
  cpuProf?: string;
  log: (line: string) => void;
}

async function throughputOn(kind: 'sqlite' | 'postgres', work: string, pg: TestPostgres | undefined, options: Options): Promise<ThroughputRow[]> {
  const { yaml, students, counselors } = benchDirectory(CONNECTIONS, 1);
  const directory = path.join(work, 'directory.yaml');
  await writeFile(directory, yaml);
  const personas = new Map(students.flat().map((p) => [p.id, p]));
  const location = (name: string) => (kind === 'sqlite' ? `sqlite:${path.join(work, `${name}.db`)}` : pg!.createDatabase(name));
  const node = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=hall-${kind}-${Date.now()}.cpuprofile`] : [];
  const hall = await startHall({ store: location(`hall_${kind}`), directory, events: path.join(work, `events-${kind}`), node });
  let sub: Load;
  let app: Load;
  try {
    const applicants = await Promise.all(students.flat().map((p) => login(hall.url, p.id)));
    const approvers = await Promise.all(counselors.map((c) => login(hall.url, c)));
    options.log(`  ${kind}: hall warm-up`);
    await cannon(hall.url, submissions(applicants, personas), { seconds: 3 });
    options.log(`  ${kind}: hall submissions`);
    const meter: CpuMeter = { server: hall.cpuMs, ...(pg ? { database: postgresCpuMs(pg.port) } : {}) };
    sub = await cannon(hall.url, submissions(applicants, personas), { seconds: options.seconds }, meter);
    const queue = await approvalQueue(hall.url, approvers);
    options.log(`  ${kind}: hall approvals (${queue.length.toLocaleString('en')} open tasks)`);
    app = await cannon(hall.url, approvals(queue), { amount: queue.length }, meter);
  } finally {
    await hall.stop();
  }
  const floorRun = async (name: string, mode: 'one' | 'grouped' | 'rows') => {
    const floor = await startFloor(location(name), [], mode);
    try {
      const body = (b: string): Build => () => ({ method: 'POST', path: '/insert', headers: {}, body: b });
      const payload = JSON.stringify({ service: 'student-leave', data: leaveOf(students[0][0]), channel: 'pc' });
      options.log(`  ${kind}: ${mode === 'one' ? 'floor' : `${mode} floor`} warm-up, submissions, approvals`);
      await cannon(floor.url, body(payload), { seconds: 3 });
      const meter: CpuMeter = { server: floor.cpuMs, ...(pg ? { database: postgresCpuMs(pg.port) } : {}) };
      const submissions = await cannon(floor.url, body(payload), { seconds: options.seconds }, meter);
      const approvals = await cannon(floor.url, body(DECISION), { amount: Math.max(app.ok, 1000) }, meter);
      return { submissions, approvals };
    } finally {
      await floor.stop();
    }
  };
  const floor = await floorRun(`floor_${kind}`, 'one');
  const grouped = kind === 'sqlite' ? await floorRun(`floor_grouped_${kind}`, 'grouped') : undefined;
  const rows = kind === 'postgres' ? await floorRun(`floor_rows_${kind}`, 'rows') : undefined;
  return [
    { store: kind, what: 'submissions', hall: sub, floor: floor.submissions, ...(grouped ? { groupedFloor: grouped.submissions } : {}), ...(rows ? { rowsFloor: rows.submissions } : {}) },
    { store: kind, what: 'approvals', hall: app, floor: floor.approvals, ...(grouped ? { groupedFloor: grouped.approvals } : {}), ...(rows ? { rowsFloor: rows.approvals } : {}) },
  ];
}

/** Submissions and approvals at 100 concurrent clients on both stores, each beside its floor. */
export async function throughput(options: Options & { stores: ('sqlite' | 'postgres')[] }): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const work = await mkdtemp(path.join(tmpdir(), 'hall-bench-serve-'));
  try {
    for (const kind of options.stores) {
      if (kind === 'postgres') {
        if (!existsSync(path.join(PG_BIN, 'initdb'))) {
          const reason = `PostgreSQL binaries not found in ${PG_BIN} (apt-get install postgresql, or set SERVICEHALL_PG_BIN)`;
          rows.push({ store: kind, what: 'submissions', skipped: reason }, { store: kind, what: 'approvals', skipped: reason });
          continue;
        }
        const pg = await startPostgres();
        try {
          rows.push(...(await throughputOn(kind, work, pg, options)));
        } finally {
          pg.destroy();
        }
      } else rows.push(...(await throughputOn(kind, work, undefined, options)));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

export function throughputTable(rows: ThroughputRow[]): string {
  const head = ['store', 'requests', 'hall req/s', 'floor req/s', 'ratio', 'target', 'hall p50/p99 ms', 'floor p50/p99 ms', 'p99 ratio', 'target', 'not 2xx'];
  const body = rows.map((r) => {
    if (!r.hall || !r.floor) return [r.store, r.what, `skipped: ${r.skipped}`];
    if (!r.hall.ok || !r.floor.ok) return [r.store, r.what, `no answer finished within the run (raise --seconds): hall ${r.hall.ok}, floor ${r.floor.ok} answers`];
    const ratio = r.hall.rps / r.floor.rps;
    const p99 = r.hall.p99 / Math.max(r.floor.p99, 1);
    const bad = Object.entries(r.hall.statuses).map(([k, v]) => `${k}×${v}`).join(' ') || '0';
    return [
      r.store,
      r.what,
      r.hall.rps.toFixed(0),
      r.floor.rps.toFixed(0),
      `${ratio.toFixed(2)}×`,
      `≥ ${SERVE_TARGET.throughput}×: ${ratio >= SERVE_TARGET.throughput ? 'met' : 'MISSED'}`,
      `${r.hall.p50}/${r.hall.p99}`,
      `${r.floor.p50}/${r.floor.p99}`,
      `${p99.toFixed(2)}×`,
      `≤ ${SERVE_TARGET.p99}×: ${p99 <= SERVE_TARGET.p99 ? 'met' : 'MISSED'}`,
      bad,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.filter((b) => b.length > 3).map((b) => b[i].length)));
  const line = (cells: string[]) => (cells.length === 3 ? `${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2]}` : cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  const ms = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(2));
  const beside = (r: ThroughputRow, other: Load, name: string) =>
    `  ${r.store} ${r.what}: ${name} ${other.rps.toFixed(0)} req/s, p50/p99 ${other.p50}/${other.p99} ms${other.cpu ? `, CPU ${ms(other.cpu.server)}${other.cpu.database === undefined ? '' : ` + database ${ms(other.cpu.database)}`} ms` : ''}; hall/${name} ${(r.hall!.rps / other.rps).toFixed(2)}×, p99 ${(r.hall!.p99 / Math.max(other.p99, 1)).toFixed(2)}×`;
  const grouped = rows.filter((r) => r.hall && r.groupedFloor).map((r) => beside(r, r.groupedFloor!, 'grouped floor'));
  const rowsFloor = rows.filter((r) => r.hall && r.rowsFloor).map((r) => beside(r, r.rowsFloor!, 'rows floor'));
  const cpu = rows
    .filter((r) => r.hall?.cpu && r.floor?.cpu)
    .map((r) => {
      const [h, f] = [r.hall!.cpu!, r.floor!.cpu!];
      const both = (c: { server: number; database?: number }) => c.server + (c.database ?? 0);
      return `  ${r.store} ${r.what}: hall ${ms(h.server)}${h.database === undefined ? '' : ` + database ${ms(h.database)}`} ms, floor ${ms(f.server)}${f.database === undefined ? '' : ` + database ${ms(f.database)}`} ms: ${(both(h) / both(f)).toFixed(1)}× the floor's`;
    });
  return [
    `hall serve at ${CONNECTIONS} concurrent clients (autocannon, loopback) beside its floor in the same run: Fastify + one INSERT of the same payload per request, committed on its own, same store and settings`,
    '',
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    ...(cpu.length ? ['', 'CPU (user + system) per answered request, which moves less than req/s with the machine\'s other load (above a load of ~10 it rises too: compare runs at like load): the server process, and on PostgreSQL the database server\'s processes:', ...cpu] : []),
    ...(grouped.length ? ['', 'For comparison, the floor through the hall\'s store layer, which commits the INSERTs waiting at once in one group (one fsync):', ...grouped] : []),
    ...(rowsFloor.length ? ['', 'For comparison, a floor writing in one statement the six rows a submission writes (an application, its task, two events, two outbox messages; primary keys only):', ...rowsFloor] : []),
  ].join('\n');
}

// ————— memory with 100,000 open applications —————

/** Issue 13: the hall's resident set stays under 512 MB with 100,000 open applications. */
export const RSS_TARGET_MB = 512;

/** A Store whose every statement and transaction runs inside one outer transaction: the engine's own writes, committed in bulk. */
function inside(store: Store, tx: Transaction): Store {
  return { ...store, query: tx.query, run: tx.run, exec: tx.exec, transaction: (work) => work(tx) };
}

/**
 * Seed a store with `total` open applications of 学生请假, as the engine writes them: one application per
 * student is submitted through the engine itself (`overdueClasses` classes' of them 30 days ago, so their
 * tasks are overdue and the hall's startup sweep has work), then each is copied with fresh ids (the
 * application, its open task, its events and its outbox messages — what `Engine.submit` writes) until
 * there are `total`. Events are marked exported and messages sent: the state a running hall leaves, not
 * a backlog. Returns the last overdue application (the sweep reaches it last) and its applicant.
 */
export async function seedOpenApplications(location: string, directoryFile: string, students: Persona[][], total: number, overdueClasses: number): Promise<{ lastOverdue: { application: string; applicant: string } }> {
  const store = await openStore(location);
  try {
    await migrate(store);
    const { directory, diagnostics } = await checkDirectoryFile(directoryFile, await readVocabulary(path.join(REPO, 'catalog')));
    if (!directory) throw new Error(`the directory ${directoryFile} has problems: ${diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`).join(', ')}`);
    await importDirectory(store, directory);
    const runtime = await loadRuntime(path.join(REPO, 'generated'));
    const templates: { id: string; applicant: string; overdue: boolean }[] = [];
    const monthAgo = () => new Date(Date.now() - 30 * 86_400_000);
    await store.transaction(async (tx) => {
      const now = new Engine({ store: inside(store, tx), runtime });
      const past = new Engine({ store: inside(store, tx), runtime, now: monthAgo });
      for (const [c, row] of students.entries()) {
        for (const p of row) {
          const engine = c < overdueClasses ? past : now;
          const outcome = await engine.submit({ service: 'student-leave', applicant: { id: p.id, attributes: { type: '本科生', college: 'wxy', class: p.class, name: p.name, number: p.id } }, data: leaveOf(p), channel: 'pc' });
          if (!outcome.ok) throw new Error(`seeding: ${JSON.stringify(outcome)}`);
          templates.push({ id: outcome.application.id, applicant: p.id, overdue: c < overdueClasses });
        }
      }
    });
    // Copies: every row the engine wrote for a template, with fresh ids, 10,000 applications per transaction.
    const byApplication = async (table: string) => {
      const rows = new Map<string, Row[]>();
      for (const row of await store.query(`SELECT * FROM ${table}`)) rows.set(String(row.application_id), [...(rows.get(String(row.application_id)) ?? []), row]);
      return rows;
    };
    const apps = new Map((await store.query('SELECT * FROM application')).map((r) => [String(r.id), r]));
    const [tasks, events, outbox] = [await byApplication('task'), await byApplication('event'), await byApplication('outbox')];
    await store.run('UPDATE event SET exported_at = at');
    await store.run("UPDATE outbox SET status = 'sent', attempts = 1");
    const copyId = (at: unknown) => newId(new Date(String(at)));
    let made = templates.length;
    let lastOverdue = templates.filter((t) => t.overdue).at(-1)!;
    while (made < total) {
      await store.transaction(async (tx) => {
        for (let n = 0; n < 10_000 && made < total; n++, made++) {
          const template = templates[made % templates.length];
          const id = copyId(apps.get(template.id)!.submitted_at);
          await insertRow(tx, 'application', { ...apps.get(template.id)!, id });
          for (const t of tasks.get(template.id) ?? []) await insertRow(tx, 'task', { ...t, id: copyId(t.opened_at), application_id: id });
          for (const e of events.get(template.id) ?? []) await insertRow(tx, 'event', { ...e, id: copyId(e.at), application_id: id, body: JSON.stringify({ ...JSON.parse(String(e.body)), instance: id }), exported_at: e.at });
          for (const o of outbox.get(template.id) ?? []) await insertRow(tx, 'outbox', { ...o, id: copyId(o.created_at), application_id: id, status: 'sent', attempts: 1 });
          if (template.overdue) lastOverdue = { id, applicant: template.applicant, overdue: true };
        }
      });
    }
    const [{ n }] = await store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM application WHERE status = 'pending'");
    if (Number(n) !== total) throw new Error(`seeded ${n} open applications, not ${total}`);
    return { lastOverdue: { application: lastOverdue.id, applicant: lastOverdue.applicant } };
  } finally {
    await store.close();
  }
}

async function insertRow(tx: Transaction, table: string, row: Row): Promise<void> {
  const columns = Object.keys(row);
  await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => row[c]));
}

export interface MemoryFigures {
  applications: number;
  seedSeconds: number;
  startSeconds: number;
  sweepSeconds: number;
  afterStartMB: number;
  load: Record<'todo' | 'list' | 'submit', Load>;
  todoTasks: number;
  listApplications: number;
  peakMB: number;
  store: string;
}

/**
 * Seed 100,000 open applications, start `hall serve` on them, wait for its startup sweep to mark the
 * overdue ones, drive the to-do list, the applicant's list and submissions at 100 clients, and read the
 * process's peak resident set (VmHWM) from /proc.
 */
export async function memory(options: { applications: number; seconds: number; store?: 'sqlite'; cpuProf?: string; log: (line: string) => void }): Promise<MemoryFigures> {
  const work = await mkdtemp(path.join(tmpdir(), 'hall-bench-rss-'));
  try {
    // 100 classes of 10 students: each counselor holds 1,000 open tasks, each student 100 applications.
    const classes = 100;
    const perClass = 10;
    const { yaml, students, counselors } = benchDirectory(classes, perClass);
    const directory = path.join(work, 'directory.yaml');
    await writeFile(directory, yaml);
    const location = `sqlite:${path.join(work, 'hall.db')}`;
    let started = performance.now();
    options.log(`  seeding ${options.applications.toLocaleString('en')} open applications`);
    const { lastOverdue } = await seedOpenApplications(location, directory, students, options.applications, 1);
    const seedSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const node = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=hall-rss-${Date.now()}.cpuprofile`] : [];
    const hall = await startHall({ store: location, directory, events: path.join(work, 'events'), node });
    try {
      const startSeconds = (performance.now() - started) / 1000;
      const applicant = await login(hall.url, lastOverdue.applicant);
      options.log('  waiting for the startup sweep');
      for (;;) {
        const view = await getJson<{ events: { type: string }[] }>(hall.url, applicant, `/api/applications/${lastOverdue.application}`);
        if (view.events.some((e) => e.type === 'overdue')) break;
        if (performance.now() - started > 600_000) throw new Error('the startup sweep did not reach the last overdue task in 10 minutes');
        await new Promise((r) => setTimeout(r, 500));
      }
      const sweepSeconds = (performance.now() - started) / 1000;
      const afterStartMB = hall.rssMB();
      const personas = new Map(students.flat().map((p) => [p.id, p]));
      const studentSessions = await Promise.all(students.flat().slice(0, 100).map((p) => login(hall.url, p.id)));
      const counselorSessions = await Promise.all(counselors.map((c) => login(hall.url, c)));
      const todoTasks = (await getJson<{ tasks: unknown[] }>(hall.url, counselorSessions[5], '/api/tasks')).tasks.length;
      const listApplications = (await getJson<{ applications: unknown[] }>(hall.url, studentSessions[5], '/api/applications')).applications.length;
      const rr = (sessions: Session[], url: string): Build => {
        let i = 0;
        return () => ({ method: 'GET', path: url, headers: { cookie: sessions[i++ % sessions.length].cookie } });
      };
      options.log('  to-do lists, application lists, submissions');
      const load = {
        todo: await cannon(hall.url, rr(counselorSessions, '/api/tasks'), { seconds: options.seconds }),
        list: await cannon(hall.url, rr(studentSessions, '/api/applications'), { seconds: options.seconds }),
        submit: await cannon(hall.url, submissions(studentSessions, personas), { seconds: options.seconds }),
      };
      return { applications: options.applications, seedSeconds, startSeconds, sweepSeconds, afterStartMB, load, todoTasks, listApplications, peakMB: hall.peakMB(), store: 'sqlite' };
    } finally {
      await hall.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function memoryReport(m: MemoryFigures): string {
  const row = (name: string, l: Load) => `  ${name.padEnd(38)} ${l.rps.toFixed(0).padStart(6)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms${l.failed ? `, not 2xx: ${Object.entries(l.statuses).map(([k, v]) => `${k}×${v}`).join(' ')}` : ''}`;
  return [
    `hall serve with ${m.applications.toLocaleString('en')} open applications (${m.store}; seeded in ${m.seedSeconds.toFixed(0)} s, listening after ${m.startSeconds.toFixed(1)} s, startup sweep of the overdue done after ${m.sweepSeconds.toFixed(1)} s)`,
    row(`GET /api/tasks (${m.todoTasks.toLocaleString('en')} open tasks each)`, m.load.todo),
    row(`GET /api/applications (${m.listApplications} each)`, m.load.list),
    row('POST /api/applications', m.load.submit),
    `  RSS after startup ${m.afterStartMB.toFixed(0)} MB; peak RSS (VmHWM) ${m.peakMB.toFixed(0)} MB: target < ${RSS_TARGET_MB} MB: ${m.peakMB < RSS_TARGET_MB ? 'met' : 'MISSED'}`,
  ].join('\n');
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (import.meta.main) {
  if (process.argv.includes('--rss')) {
    const figures = await memory({ applications: Number(option('--applications') ?? 100_000), seconds: Number(option('--seconds') ?? 10), cpuProf: option('--cpu-prof'), log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(`\n${memoryReport(figures)}\n`);
    process.exit(0);
  }
  const stores = (option('--stores') ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
  const rows = await throughput({ stores, seconds: Number(option('--seconds') ?? 10), cpuProf: option('--cpu-prof'), log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`\n${throughputTable(rows)}\n`);
}
