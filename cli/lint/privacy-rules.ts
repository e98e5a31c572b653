import { closest } from '../diagnostics/suggest.ts';
import type { Rule } from './rules.ts';
import { fieldsOf, textZh } from '../model/catalog.ts';

/**
 * A service's readers (privacy.readers) name role groups of roles.yaml, and for `group@department` a
 * department of the catalog: a misspelt reader would silently leave the people who need the full text
 * without it, while the approvers it was meant to exclude are excluded either way.
 */
export const privacyReadersAreKnown: Rule = (ctx) => {
  const groups = [...ctx.catalog.groups.keys()];
  const departments = [...ctx.catalog.departments.keys()];
  for (const s of ctx.catalog.services.values()) {
    s.value.privacy?.readers?.forEach((reader, i) => {
      const [group, department] = reader.split('@');
      const report = (detail: { zh: string; en: string }, suggest: string | undefined) =>
        ctx.report(s, 'privacy/unknown-reader', ['privacy', 'readers', i], { reader, detail, ...(suggest ? { suggest } : {}) });
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

/** PIPL art. 19: a sensitive file field's uploads are kept no longer than needed, so the service says how long. */
export const sensitiveFilesHaveRetention: Rule = (ctx) => {
  for (const s of ctx.catalog.services.values()) {
    if (s.value.privacy?.attachmentRetention) continue;
    for (const { field, path } of fieldsOf(s.value)) {
      const sensitiveFile = (field.type === 'file' && field.sensitive) || (field.type === 'table' && (field.columns ?? []).some((c) => c.type === 'file' && (field.sensitive || c.sensitive)));
      if (sensitiveFile) ctx.report(s, 'privacy/retention-missing', [...path, 'sensitive'], { field: textZh(field.label) });
    }
  }
};
