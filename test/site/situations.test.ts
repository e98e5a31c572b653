import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import { buildSite } from '../../cli/site/build-site.ts';
import { readGitHistory } from '../../cli/site/git-history.ts';
import { serveStatic } from '../../cli/site/serve.ts';
import type { StaticServer } from '../../cli/site/serve.ts';
import { BASELINE, TODAY } from '../check/helpers.ts';
import { applyEdits } from './fixture.ts';
import { launchChromium, screenshots, seriousViolations, watchedPage } from './helpers.ts';

/**
 * Issue 15 item 10: guide facts per situation. The baseline's exchange guide split into a first and a
 * repeated application: the repeat needs no interview, is promised sooner and needs no translated
 * transcript. Each situation's page section shows its own visits, time limit and documents.
 */
const EDITS = [
  { file: 'jsj/exchange-guide.yaml', find: '    reason: 面试。\n', replace: '    reason: 面试。\n  situations:\n    - id: first\n      name: { zh: 首次申请, en: First application }\n    - id: again\n      name: { zh: 再次申请, en: Repeated application }\n      description: 上一学年已通过面试的。\n      visits:\n        count: 0\n      timeLimit:\n        type: promised\n        promised: { value: 5, unit: day }\n' },
  { file: 'jsj/exchange-guide.yaml', find: '      source: other\n', replace: '      source: other\n      situations: [first]\n' },
  // Issue 15 item 9: a fee the hall computes from the form, in graduated tiers; and a fixed one on a guide without a form.
  { file: 'xgc/student-leave.yaml', find: '  fees:\n    free: true\n', replace: '  fees:\n    free: false\n    items:\n      - name: 工本费\n        standard: 按请假天数分段收取\n        basis: 测试依据\n        amount:\n          quantity: days\n          tiers:\n            - { upTo: 3, rate: 2 }\n            - { rate: 1.5 }\n' },
  { file: 'jsj/exchange-guide.yaml', find: '        basis: 《测试大学收费管理办法》第五条\n', replace: '        basis: 《测试大学收费管理办法》第五条\n        amount: { rate: 50 }\n' },
];

let root: string;
let out: string;
let server: StaticServer;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hall-situations-'));
  await cp(BASELINE, root, { recursive: true });
  await applyEdits(path.join(root, 'catalog'), EDITS);
  const git = (args: string[]) => execa('git', ['-c', 'user.name=T', '-c', 'user.email=t@test.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: root });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'Situations']);
  const result = checkSource(await readCatalog('catalog', root), { today: TODAY });
  expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([]);
  out = path.join(root, 'out');
  await buildSite(result.catalog, await readGitHistory(root, 'catalog'), { variant: 'public', out, root, logLevel: 'error' });
  server = await serveStatic({ root: () => out });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a guide with situations, in Chromium', () => {
  it('shows each situation\'s visits, time limit and documents, and marks documents needed only in some', async () => {
    const page = await watchedPage(browser, problems);
    await page.goto(`${server.url}/services/exchange-guide/`);
    const first = await page.locator('#situation-first').innerText();
    const again = await page.locator('#situation-again').innerText();
    // The first application keeps the guide's facts: one visit for the interview, 10 days, both documents.
    expect(first).toContain('首次申请');
    expect(first).toMatch(/到现场次数\s*1 次\s*面试。/);
    expect(first).toMatch(/承诺时限\s*10 个自然日/);
    expect(first).toContain('在读证明');
    expect(first).toContain('成绩单翻译件');
    // The repeat states only what differs: no visit, 5 days, no translated transcript.
    expect(again).toContain('上一学年已通过面试的。');
    expect(again).toMatch(/到现场次数\s*0 次/);
    expect(again).toMatch(/承诺时限\s*5 个自然日/);
    expect(again).toContain('在读证明');
    expect(again).not.toContain('成绩单翻译件');
    // The at-a-glance visits no longer claim one figure for everyone.
    expect(await page.locator('.facts').first().innerText()).toContain('因情形而异');
    expect(await page.locator('#materials + .checklist li', { hasText: '成绩单翻译件' }).innerText()).toContain('仅限首次申请');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
    await screenshots(browser, `${server.url}/services/exchange-guide/`, 'site-situations');
  });

  it('reads in English too', async () => {
    const page = await watchedPage(browser, problems);
    await page.goto(`${server.url}/en/services/exchange-guide/`);
    expect(await page.locator('#situation-again').innerText()).toContain('Repeated application');
    expect(await page.locator('#materials + .checklist li', { hasText: '成绩单翻译件' }).innerText()).toContain('Only for First application');
    await page.close();
  });

  it('explains a fee the hall computes from the form, tier by tier; a guide without a form promises no computation', async () => {
    const page = await watchedPage(browser, problems);
    await page.goto(`${server.url}/services/student-leave/`);
    expect(await page.locator('.facts').first().innerText()).toContain('工本费：按请假天数分段收取（依据：测试依据）\n第 1–3 件每件 2 元；第 4 件起每件 1.5 元。网上办理时按填写的内容自动算出金额');
    await page.goto(`${server.url}/services/exchange-guide/`);
    expect(await page.locator('.facts').first().innerText()).not.toContain('自动算出');
    await page.close();
  });

  it('a guide without situations has no situations section', async () => {
    const page = await watchedPage(browser, problems);
    await page.goto(`${server.url}/services/student-leave/`);
    expect(await page.locator('#situations').count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
