import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll } from 'vitest';
import { loadRuntime } from '../../lib/runtime/index.ts';
import { importDirectory } from '../../server/directory/import.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import { Engine } from '../../server/engine/engine.ts';
import { FileStore } from '../../server/files/file-store.ts';
import { buildApp } from '../../server/http/app.ts';
import { Reloader } from '../../server/reload.ts';
import { migrate } from '../../server/store/migrate.ts';
import { HALL, NODE, ROOT } from '../helpers/cli.ts';
import { DIRECTORY, exampleDirectory } from './processes.ts';
import type { StoreKind, storeFactory } from './stores.ts';

/** The mental-health report as the example catalog has it: sensitive fields, readers, three years' attachment retention. */
export const REPORT = {
  reporterName: '王老师（外国语学院辅导员）', // prefilled read-only from the directory
  reporterPhone: '13907310040',
  studentNumber: '2022020315',
  studentName: '李雨桐',
  studentClass: 'wxy-2203',
  studentPhone: '13800000002',
  guardianPhone: '13900000002',
  reportType: '新发现情况',
  riskLevel: '一般关注',
  signs: ['睡眠或饮食异常'],
  description: '该生近一个月多次缺课，夜间失眠，谈话时提到家中变故，情绪低落但尚稳定，暂无自伤念头。CANARY-DESCRIPTION',
  diagnosed: true,
  hospital: '某精神卫生中心：轻度抑郁 CANARY-HOSPITAL',
  guardianInformed: true,
  measures: '已谈心谈话两次，安排室友关注。',
};

/**
 * A catalog copy with `signature` on the mental-health report's steps (person at the college, seal at the
 * centre), built by `hall build` as a process into its own generated/: the example catalog's scenarios
 * run without signatures, so the marks are tried on this copy.
 */
export async function buildSignatureCatalog(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hall-signature-'));
  cpSync(path.join(ROOT, 'catalog'), path.join(dir, 'catalog'), { recursive: true });
  const file = path.join(dir, 'catalog/xgc/mental-health-report.yaml');
  const text = readFileSync(file, 'utf8')
    .replace('      description: 核实学生情况，确认学院已落实谈心谈话、朋辈关注和宿舍陪护等措施。\n', '      description: 核实学生情况，确认学院已落实谈心谈话、朋辈关注和宿舍陪护等措施。\n      signature: person\n')
    .replace('      description: 评估风险等级，建立或更新心理档案，安排咨询师跟进或建议就医；评估为高风险的转分管副处长统筹干预。\n', '      description: 评估风险等级，建立或更新心理档案，安排咨询师跟进或建议就医；评估为高风险的转分管副处长统筹干预。\n      signature: seal\n');
  if ((text.match(/signature: /g) ?? []).length !== 2) throw new Error('the mental-health report changed: the signature fixture no longer applies');
  writeFileSync(file, text);
  const out = path.join(dir, 'generated');
  const built = await execa(NODE, [HALL, 'build', path.join(dir, 'catalog'), '--out', out, '--no-cache'], { reject: false, env: { NO_COLOR: '1' } });
  if (built.exitCode !== 0) throw new Error(`hall build failed: ${built.stdout}\n${built.stderr}`);
  return out;
}

/** The hall in this process on a fresh store, with the example directory plus extra memberships, files, and the engine's retention sweep. */
export async function privacyHall(stores: ReturnType<typeof storeFactory>, kind: StoreKind, options: { generated?: string; now?: () => Date; pages?: boolean } = {}) {
  const store = await stores.open(await stores.location(kind));
  await migrate(store);
  await importDirectory(store, await exampleDirectory());
  const stamp = new Date().toISOString();
  // 贺处长: the student affairs office's deputy (a named reader of the mental-health report) and its head (seal owner).
  await store.run('INSERT INTO person (id, name, attributes, updated_at) VALUES ($1, $2, $3, $4)', ['t-he', '贺处长（学生工作处）', JSON.stringify({ type: '教职工', department: 'xgc' }), stamp]);
  await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-he', 'department-deputy', 'xgc']);
  await store.run('INSERT INTO membership (person_id, group_id, scope) VALUES ($1, $2, $3)', ['t-he', 'department-head', 'xgc']);
  const generated = options.generated ?? path.join(ROOT, 'generated');
  const runtime = await loadRuntime(generated);
  const files = await FileStore.open(await mkdtemp(path.join(tmpdir(), 'hall-files-')));
  const engine = new Engine({ store, runtime, files, ...(options.now ? { now: options.now } : {}) });
  const catalog = path.join(ROOT, 'catalog');
  const reloader = new Reloader({ engine, generated, catalog, directory: DIRECTORY, vocabulary: await readVocabulary(catalog) });
  const app = await buildApp({
    engine,
    files,
    admin: { reload: () => reloader.reload(), itOffice: () => reloader.vocabulary.itOffice },
    dev: true,
    ...(options.pages ? { pages: true } : {}),
    rateLimits: { login: { max: 0, seconds: 1 }, submission: { max: 0, seconds: 1 } },
    secureCookies: false,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  afterAll(() => app.close());
  return { app, store, engine, files, url };
}
