import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HALL, NODE } from '../helpers/cli.ts';
import { REPO } from '../check/helpers.ts';

/**
 * Issue 14.4: the guide states a service's privacy notice — which fields are sensitive, that ID-card and
 * phone numbers are masked, that readers are limited, and how long attachments are kept — on the service
 * page, built by `hall site` as a process (the campus edition: the mental-health report is campus-only).
 */
let work: string;
let out: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'hall-site-privacy-'));
  out = path.join(work, 'dist');
  const result = await execa(NODE, [HALL, 'site', 'catalog', '--variant', 'campus', '--out', out], { cwd: REPO, reject: false, env: { HALL_LANG: 'zh' } });
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
}, 300_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the privacy notice on the guide', () => {
  it('states the sensitive fields, the limited readers and the attachment retention, in Chinese and English', async () => {
    const zh = await readFile(path.join(out, 'services/mental-health-report/index.html'), 'utf8');
    expect(zh).toContain('个人信息保护');
    expect(zh).toContain('“情况描述”、“诊断医院和诊断结论”、“诊断证明或谈话记录”属于敏感个人信息');
    expect(zh).toContain('本事项限定了可以查看申请全文的人员');
    expect(zh).toContain('附件在申请办结（同意、不同意或撤回）后保存 3年，期满自动删除');
    const en = await readFile(path.join(out, 'en/services/mental-health-report/index.html'), 'utf8');
    expect(en).toContain('Attachments are kept for 3 year(s) after the application ends');
  });

  it('stays off the pages of services that declare nothing', async () => {
    const leave = await readFile(path.join(out, 'services/student-leave/index.html'), 'utf8');
    expect(leave).not.toContain('个人信息保护');
  });
});
