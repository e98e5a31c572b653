import { systemStepsOf } from '../model/catalog.ts';
import type { Rule } from './rules.ts';

/** Issue 15.3: a system step calls a connector hall.yaml declares (the hall calls nothing else). */
export const systemStepsCallDeclaredConnectors: Rule = (ctx) => {
  const declared = ctx.catalog.hall?.value.connectors ?? [];
  const ids = new Set(declared.map((c) => c.id));
  for (const s of ctx.catalog.services.values()) {
    for (const { step, path } of systemStepsOf(s.value.workflow?.steps)) {
      if (ids.has(step.system.connector)) continue;
      ctx.report(s, 'system/unknown-connector', [...path, 'system', 'connector'], { step: step.id, connector: step.system.connector, known: declared.length ? declared.map((c) => c.id).join('、') : '（hall.yaml 尚未声明任何接口 / none declared yet）' });
    }
  }
};
