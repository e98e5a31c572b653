import { closest } from '../diagnostics/suggest.ts';
import type { Rule } from './rules.ts';

/**
 * 代理申请: a service's `proxy.by` names role groups of roles.yaml and, after `@`, a department of the
 * catalog. A misspelt entry would leave the office that should apply for students unable to, and
 * the hall would refuse them with a 403 nobody can explain.
 */
export const proxyGroupsAreKnown: Rule = (ctx) => {
  const groups = [...ctx.catalog.groups.keys()];
  const departments = [...ctx.catalog.departments.keys()];
  for (const s of ctx.catalog.services.values()) {
    s.value.proxy?.by.forEach((entry, i) => {
      const [group, department] = entry.split('@');
      const report = (detail: { zh: string; en: string }, suggest: string | undefined) => ctx.report(s, 'proxy/unknown-group', ['proxy', 'by', i], { entry, detail, ...(suggest ? { suggest } : {}) });
      if (!ctx.catalog.groups.has(group)) {
        const near = closest(group, groups);
        report({ zh: `roles.yaml 中没有群组“${group}”。`, en: `roles.yaml has no group "${group}".` }, near && (department ? `${near}@${department}` : near));
      } else if (department !== undefined && !ctx.catalog.departments.has(department)) {
        const near = closest(department, departments);
        report({ zh: `没有部门代码“${department}”。`, en: `there is no department "${department}".` }, near && `${group}@${near}`);
      }
    });
  }
};
