import { describe, expect, it } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { computeCatalogStats, renderStatsCsv, renderStatsMarkdown, renderStatsPage } from '../../cli/stats/index.ts';
import type { Edit } from '../check/helpers.ts';
import { TODAY, baselineSource, editSource } from '../check/helpers.ts';

async function stats(edits: Edit[] = [], options: { scope?: 'public' | 'campus' | 'all'; asOf?: string } = {}) {
  const { catalog } = checkSource(editSource(await baselineSource(), edits), { today: TODAY });
  return computeCatalogStats(catalog, { asOf: options.asOf ?? TODAY, scope: options.scope });
}

describe('catalog statistics on the baseline, worked out by hand', () => {
  it('counts by kind, status and department', async () => {
    const s = await stats();
    expect(s.total).toMatchObject({
      services: 6,
      inService: 5, // paper-leave is retired
      handledOnline: 4, // exchange-guide is guide-only
      fullyOnline: 1, // only student-leave states grade IV
      zeroVisits: 4,
      atMostOneVisit: 5,
      reviewOverdue: 0,
      byKind: { online: 2, appointment: 1, link: 1, guide: 2 },
      byStatus: { online: 5, pilot: 0, suspended: 0, draft: 0, retired: 1 },
      depth: [4, 0, 0, 0, 1],
      visits: [4, 1, 0, 0],
      // 即办 teaching-platform; 1–3 lab-booking (1), enrolment-certificate (2); 4–5 student-leave (5);
      // 6–10 exchange-guide (10 calendar days = 8 work days).
      limits: [1, 2, 1, 1, 0, 0],
    });
    expect(s.limits).toEqual({ counted: 5, mean: 3.2, median: 2, compared: 1, meanCompression: 0 });
    expect(s.departments.map((d) => [d.code, d.services, d.inService, d.handledOnline])).toEqual([
      ['jsj', 3, 3, 2],
      ['xgc', 3, 2, 2],
    ]);
  });

  it('counts a service by its most demanding situation: a visit in one situation is not zero visits (issue 15.10)', async () => {
    // student-leave needs no visit; its urgent situation needs one, so it is no longer counted as 零跑动.
    const s = await stats([
      { file: 'xgc/student-leave.yaml', find: '  onlineDepth:\n    grade: 4\n', replace: '  onlineDepth:\n    grade: 3\n' },
      { file: 'xgc/student-leave.yaml', find: '  visits:\n    count: 0\n', replace: '  visits:\n    count: 0\n  situations:\n    - id: ordinary\n      name: 一般请假\n    - id: urgent\n      name: 紧急请假\n      visits: { count: 2, reason: 当面说明情况。 }\n' },
    ]);
    expect(s.total).toMatchObject({ zeroVisits: 3, atMostOneVisit: 4, visits: [3, 1, 1, 0] });
    expect(s.services.find((r) => r.id === 'student-leave')?.visits).toBe(2);
  });

  it('public scope leaves out campus-only services; confidential ones are never counted', async () => {
    expect((await stats([], { scope: 'public' })).total.services).toBe(5);
    expect((await stats([], { scope: 'campus' })).total.services).toBe(6);
    const secret = await stats([{ file: 'jsj/exchange-guide.yaml', find: 'classification: public', replace: 'classification: confidential' }]);
    expect(secret.total.services).toBe(5);
    expect(secret.services.map((r) => r.id)).not.toContain('exchange-guide');
    expect(JSON.stringify(secret)).not.toContain('exchange-guide');
  });

  it('lists guides not reviewed for over a year, oldest first, in service only', async () => {
    const s = await stats([{ file: 'xgc/student-leave.yaml', find: 'reviewed: 2026-09-01', replace: 'reviewed: 2025-06-30' }]);
    expect(s.reviewOverdue).toEqual([{ id: 'student-leave', name: expect.objectContaining({ zh: expect.any(String) }), owner: 'xgc', reviewed: '2025-06-30', days: 458 }]);
    expect(s.total.reviewOverdue).toBe(1);
  });

  it('renders a page fragment with inline SVG, tables and no script; deterministic and escaped', async () => {
    const s = await stats([{ file: 'xgc/student-leave.yaml', find: 'reviewed: 2026-09-01', replace: 'reviewed: 2025-06-30' }]);
    const html = renderStatsPage(s, 'zh', { serviceHref: (id) => `/services/${id}/`, idPrefix: 'st' });
    expect(html).toBe(renderStatsPage(s, 'zh', { serviceHref: (id) => `/services/${id}/`, idPrefix: 'st' }));
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<svg /g)?.length).toBe(6);
    expect(html).toMatch(/<svg class="chart" role="img" aria-label="这是一个关于“[^”]+”的图表/);
    expect(html).toContain('href="/services/student-leave/"');
    expect(html).toContain('网上可办率');
    expect(html).toContain('80.0%');
    const en = renderStatsPage(s, 'en', { styles: false });
    expect(en).not.toContain('<style>');
    expect(en).toContain('Handled online');
    const evil = { ...s, departments: s.departments.map((d) => ({ ...d, name: { zh: '<b onmouseover=x>' } })) };
    expect(renderStatsPage(evil, 'zh')).not.toContain('<b onmouseover');
  });

  it('writes Markdown and CSV with the same figures', async () => {
    const s = await stats();
    const md = renderStatsMarkdown(s, 'zh');
    expect(md).toContain('| 网上可办率 | 80.0% |');
    expect(md).toContain('| 合计 | 2 | 1 | 1 | 2 | 6 | 5 | 80.0% | 20.0% | 100.0% | 0 |');
    const csv = renderStatsCsv(s, 'en').split('\r\n');
    expect(csv[0].startsWith('\ufeffCode,Department,Services,In service,')).toBe(true);
    expect(csv[3]).toBe(',Total,6,5,2,1,1,2,5,0,0,0,1,0.8,4,0,0,0,1,0.2,4,1,0,0,1,0.8,1,2,1,1,0,0,0');
  });
});
