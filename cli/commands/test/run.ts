import pc from 'picocolors';
import { compileCalendar, compileDefinition } from '../../compile/compile-runtime.ts';
import { runtimeFingerprint } from '../../compile/fingerprint.ts';
import type { Lang } from '../../diagnostics/diagnostic.ts';
import { WorkCalendar } from '../../../lib/interpret/calendar.ts';
import { runScenario } from '../../../lib/interpret/scenarios.ts';
import { locate } from '../../load/parse-file.ts';
import { directoryOf, textZh } from '../../model/catalog.ts';
import { UsageError } from '../../shared/errors.ts';
import { useColor } from '../../shared/options.ts';
import { checkOrStop } from '../check/run.ts';

interface ScenarioReport {
  service: string;
  scenario: string;
  file: string;
  line: number;
  column: number;
  pass: boolean;
  path: string[];
  outcome: string;
  mismatches: { zh: string; en: string }[];
}

/** `hall test`: every scenario against the compiled workflow; exit 1 when any fails. */
export async function runTests(dir: string | undefined, options: { service?: string; format: 'pretty' | 'json'; lang: Lang }): Promise<number> {
  const checked = await checkOrStop(dir, { lang: options.lang }, { zh: '目录有错误，无法运行测试场景。', en: 'The catalog has errors; scenarios cannot run.' });
  if (!checked) return 1;
  const hall = checked.catalog.hall.value;
  const calendar = new WorkCalendar(compileCalendar(hall));
  if (options.service && !checked.catalog.services.has(options.service)) throw new UsageError(`没有事项“${options.service}” / no service "${options.service}"`);
  const reports: ScenarioReport[] = [];
  const directory = directoryOf(checked.catalog);
  for (const [id, located] of [...checked.catalog.services].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const service = located.value;
    if (options.service && id !== options.service) continue;
    if (!service.workflow || !service.scenarios?.length) continue;
    const definition = compileDefinition(service, 1, runtimeFingerprint(service));
    service.scenarios.forEach((scenario, i) => {
      const outcome = runScenario(definition, calendar, scenario, { id, name: textZh(service.name) }, hall.urls.hall.replace('{id}', id), directory);
      const at = locate(located.parsed, ['scenarios', i]);
      reports.push({ service: id, scenario: scenario.name, file: located.parsed.file, line: at.line, column: at.column, pass: outcome.pass, path: outcome.result.path, outcome: outcome.result.outcome, mismatches: outcome.mismatches });
    });
  }
  const failed = reports.filter((r) => !r.pass);
  if (options.format === 'json') {
    process.stdout.write(JSON.stringify({ passed: reports.length - failed.length, failed: failed.length, scenarios: reports }, null, 2) + '\n');
  } else {
    const color = useColor(process.stdout);
    const paint = (fn: (s: string) => string, s: string) => (color ? fn(s) : s);
    const lines: string[] = [];
    for (const r of reports) {
      lines.push(`${r.pass ? paint(pc.green, '✔') : paint(pc.red, '✘')} ${r.service} › ${r.scenario}`);
      if (!r.pass) {
        lines.push(`    ${r.file}:${r.line}:${r.column}`);
        for (const m of r.mismatches) lines.push(`    ${m[options.lang]}`);
      }
    }
    lines.push('');
    lines.push(`${reports.length - failed.length} passed, ${failed.length} failed`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return failed.length ? 1 : 0;
}
