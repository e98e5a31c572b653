import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Edit } from '../check/helpers.ts';
import { BASELINE, replaceOnce } from '../check/helpers.ts';

/**
 * The site's fixture: the check baseline plus what the site must handle or must never publish.
 * Every canary string below must appear in no file of the public build.
 */
export const CANARIES = {
  internalName: 'CANARYINTERNALNAME7F3A',
  internalNote: 'CANARYINTERNALNOTE7F3A',
  internalOffice: 'CANARYINTERNALOFFICE7F3A',
  confidentialName: 'CANARYCONFIDENTIAL7F3A',
  confidentialFile: 'CANARYCONFIDENTIALFILE7F3A',
  campusName: 'CANARYCAMPUS7F3A',
  campusFile: 'CANARYCAMPUSFILE7F3A',
  draftName: 'CANARYDRAFT7F3A',
  commitMessage: 'CANARYCOMMIT7F3A',
  /** A service that was public and is campus-only now (item 18): its public address names nothing. */
  reclassifiedName: 'CANARYRECLASSIFIED7F3A',
} as const;

/** The campus edition's address in the fixture's hall.yaml. */
export const CAMPUS_SITE = 'https://campus.guide.test.edu.cn';

/** Canaries that may show on the campus build (campus-only services are its point). */
export const CAMPUS_VISIBLE = new Set<string>([CANARIES.campusName, CANARIES.campusFile, CANARIES.reclassifiedName]);

const guide = (summary: string, extra = '') => `guide:
  summary: ${summary}
  conditions:
    - 在校本科生。
  materials: []
  timeLimit:
    type: promised
    promised:
      value: 3
      unit: workday
  fees:
    free: true
  visits:
    count: 0
${extra}  locations:
    - address: 行政楼
      room: 101室
  contacts:
    consultation:
      phone: 010-88880101
    complaint:
      phone: 010-88880012
  reviewed: 2026-09-01
`;

const service = (id: string, name: string, owner: string, classification: string, status: string, body: string) => `apiVersion: servicehall/v1
kind: Service
id: ${id}
name: ${name}
type: guide
status: ${status}
classification: ${classification}
owner: ${owner}
audiences: [undergraduate]
topics: [student-affairs]
${body}`;

/** Text a browser would run if the site ever put catalog text into markup unescaped. */
export const XSS = {
  name: '<script>window.__xss=1</script>恶意名称',
  summary: '" onerror="window.__xss=2" x="</script><script>window.__xss=3</script>',
  faq: '<img src=x onerror="window.__xss=4">图片',
} as const;

export const SITE_EDITS: Edit[] = [
  { file: 'hall.yaml', find: '  runtime: https://ehall.test.edu.cn\n', replace: `  runtime: https://ehall.test.edu.cn\n  campusSite: ${CAMPUS_SITE}\n` },
  // Public when planted; siteFixtureRepo reclassifies it to campus in a later commit (RECLASSIFY).
  { file: 'xgc/moved-canary.yaml', write: service('moved-canary', `${CANARIES.reclassifiedName} 调整范围的事项`, 'xgc', 'public', 'online', guide('起初公开、后来只在校内公开的事项。')) },
  {
    file: 'xgc/old-campus-proof.yaml',
    // Retired, and its successor is campus-only: the public tombstone must not say there is none.
    write: service('old-campus-proof', '旧版纸质证明', 'xgc', 'public', 'retired', `retired:\n  date: 2026-05-01\n  reason: 已由校内电子证明接替。\n  successor: campus-canary\n${guide('纸质证明，已停办。')}`),
  },
  {
    file: 'xgc/student-leave.yaml',
    find: '  reviewed: 2026-09-01\n',
    replace: `  reviewed: 2026-09-01
  internal:
    responsible:
      - office: ${CANARIES.internalOffice}
        post: 审核岗
        name: ${CANARIES.internalName}
        phone: 010-88880999
    notes: ${CANARIES.internalNote}
`,
  },
  { file: 'xgc/student-leave.yaml', find: '  materials:\n', replace: '  materials:\n    - name: 校内证明\n      required: false\n      eCertificate: campus-canary\n' },
  { file: 'xgc/student-leave.yaml', find: 'hot: true\n', replace: 'hot: true\nalert:\n  text: 假期期间审批顺延。\n  from: 2026-09-20\n' },
  {
    file: 'xgc/secret-review.yaml',
    // Confidential services may only be kept for the record (draft or retired); a retired one must not become a tombstone.
    write: service('secret-review', `${CANARIES.confidentialName} 涉密审查`, 'xgc', 'confidential', 'retired', `retired:\n  date: 2026-01-01\n  reason: ${CANARIES.confidentialName} 停办。\n${guide('涉密事项。').replace('  materials: []\n', '  materials:\n    - name: 涉密表\n      blankForm: files/secret-form.docx\n')}`),
  },
  { file: 'xgc/files/secret-form.docx', write: `${CANARIES.confidentialFile}\n` },
  {
    file: 'jsj/campus-canary.yaml',
    write: service('campus-canary', `${CANARIES.campusName} 校内证明`, 'jsj', 'campus', 'online', guide('仅限校内的事项。', '  result:\n    name: 校内证明\n    type: certificate\n    eCertificate: true\n    sample: files/campus-canary.pdf\n')),
  },
  { file: 'jsj/files/campus-canary.pdf', write: `${CANARIES.campusFile}\n` },
  { file: 'xgc/draft-canary.yaml', write: service('draft-canary', `${CANARIES.draftName} 草稿`, 'xgc', 'public', 'draft', guide('草稿。')) },
  {
    file: 'xgc/xss-probe.yaml',
    write: service('xss-probe', JSON.stringify(XSS.name), 'xgc', 'public', 'online', guide(JSON.stringify(XSS.summary), `  faq:\n    - q: ${JSON.stringify(XSS.faq)}\n      a: 不会执行。\n`)),
  },
];

/** The fixture repository's own PR process document: Markdown the handbook must render as Markdown. */
export const PR_PROCESS = `# 提交流程

第一段，带一个被丢弃的链接：[坏链接](javascript:alert(1))之后的文字。

---

第二段，在分隔线之后。

***

第二部分
--------

- 一项 [合法链接](https://x.test/a_(b))
`;

/** The later commit that makes moved-canary campus-only: its public address must not become a 404. */
export const RECLASSIFY: Edit = { file: 'xgc/moved-canary.yaml', find: 'classification: public', replace: 'classification: campus' };

/** Apply edits to a catalog folder on disk (the same edits the in-memory helpers apply). */
export async function applyEdits(catalogDir: string, edits: Edit[]): Promise<void> {
  for (const edit of edits) {
    const file = path.join(catalogDir, edit.file);
    if ('write' in edit) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, edit.write);
    } else if ('find' in edit) {
      await writeFile(file, replaceOnce(await readFile(file, 'utf8'), edit.find, edit.replace, edit.file));
    } else {
      throw new Error(`unsupported edit for ${edit.file}`);
    }
  }
}

const GIT = ['-c', 'user.name=Site Test', '-c', 'user.email=site@test.invalid', '-c', 'commit.gpgsign=false'];

/**
 * A temporary git repository holding the site fixture, committed in steps so pages have history: the
 * baseline, then the planted services with a commit message that is itself a canary, then a change
 * to one public service.
 */
export async function siteFixtureRepo(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'hall-site-fixture-'));
  await cp(BASELINE, root, { recursive: true });
  await mkdir(path.join(root, 'docs'), { recursive: true });
  await writeFile(path.join(root, 'docs/pr-process.md'), PR_PROCESS);
  const git = (args: string[], env: Record<string, string> = {}) => execa('git', [...GIT, ...args], { cwd: root, env });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'Baseline catalog'], { GIT_AUTHOR_DATE: '2026-09-01T10:00:00+08:00', GIT_COMMITTER_DATE: '2026-09-01T10:00:00+08:00' });
  await applyEdits(path.join(root, 'catalog'), SITE_EDITS);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', `Plant test services ${CANARIES.commitMessage}`], { GIT_AUTHOR_DATE: '2026-09-20T10:00:00+08:00', GIT_COMMITTER_DATE: '2026-09-20T10:00:00+08:00' });
  // A change to one public service only: its subject may show on the site.
  await applyEdits(path.join(root, 'catalog'), [{ file: 'xgc/student-leave.yaml', find: 'hours: 工作日 8:30-17:00', replace: 'hours: 工作日 8:30-17:30' }]);
  await git(['commit', '-q', '-a', '-m', 'Extend counter hours'], { GIT_AUTHOR_DATE: '2026-09-25T10:00:00+08:00', GIT_COMMITTER_DATE: '2026-09-25T10:00:00+08:00' });
  await applyEdits(path.join(root, 'catalog'), [RECLASSIFY]);
  await git(['commit', '-q', '-a', '-m', 'Limit a service to campus'], { GIT_AUTHOR_DATE: '2026-09-27T10:00:00+08:00', GIT_COMMITTER_DATE: '2026-09-27T10:00:00+08:00' });
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}
