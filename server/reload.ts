import type { Diagnostic } from '../cli/diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../cli/diagnostics/format/index.ts';
import { renderDiagnostic } from '../cli/diagnostics/registry.ts';
import type { Lang } from '../cli/diagnostics/diagnostic.ts';
import { RuntimeLoadError, loadRuntime } from '../lib/runtime/index.ts';
import type { Directory } from '../lib/interpret/validate-submission.ts';
import { checkDirectoryFile } from './directory/check.ts';
import { importDirectory } from './directory/import.ts';
import { readVocabulary } from './directory/vocabulary.ts';
import type { Vocabulary } from './directory/vocabulary.ts';
import type { Engine } from './engine/engine.ts';

/** What one reload did: each part applied, refused (the running one kept, with why), or not configured. */
export interface ReloadReport {
  ok: boolean;
  at: string;
  definitions: { ok: boolean; services?: number; problems: string[] };
  directory?: {
    ok: boolean;
    file: string;
    people?: number;
    memberships?: number;
    incidents?: { resolved: number; raised: number };
    diagnostics: Diagnostic[];
    sources: Map<string, string>;
  };
}

/** A directory export the hall refused: its diagnostics, positioned and coded, as `hall directory check` prints them. */
export class DirectoryRefused extends Error {
  readonly diagnostics: Diagnostic[];
  readonly sources: Map<string, string>;
  constructor(diagnostics: Diagnostic[], sources: Map<string, string>) {
    super(formatDiagnostics('pretty', diagnostics, { lang: 'zh', color: false, sources, filesChecked: 1 }));
    this.name = 'DirectoryRefused';
    this.diagnostics = diagnostics;
    this.sources = sources;
  }
}

/**
 * Reload without restart (SIGHUP, or `POST /api/admin/reload` by the IT office). Both parts are checked
 * completely before anything changes, and a part that fails its check is refused with the running one kept:
 * - generated/: through the public loader (every file's sha256 against the manifest, schemas, version
 *   sequence), so a tampered or half-written generated/ is refused; so is one that lacks a version an
 *   application in flight is pinned to (the same check as at startup). Applications keep their versions.
 * - the directory: the export given with `--directory`, read again and checked as `hall directory check`
 *   checks it; a file with any error is refused and the directory in the store is left as it was. An
 *   accepted one is imported in one transaction, then incidents are reconciled (`reconcileIncidents`).
 * Reloads run one at a time in a process. Each process reloads on its own signal or request: with several
 * processes on PostgreSQL the directory lives in the shared database (one import serves all), while each
 * process holds its own definitions in memory and must be sent SIGHUP itself.
 */
export class Reloader {
  private readonly engine: Engine;
  private readonly generated: string;
  private readonly catalog: string;
  private readonly directoryFile?: string;
  private vocabularyNow: Vocabulary;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: { engine: Engine; generated: string; catalog: string; directory?: string; vocabulary: Vocabulary }) {
    this.engine = options.engine;
    this.generated = options.generated;
    this.catalog = options.catalog;
    this.directoryFile = options.directory;
    this.vocabularyNow = options.vocabulary;
  }

  get vocabulary(): Vocabulary {
    return this.vocabularyNow;
  }

  /** Check and import the directory export; on any error nothing is changed and DirectoryRefused is thrown. */
  async importDirectory(file: string): Promise<{ people: number; memberships: number; sources: Map<string, string>; diagnostics: Diagnostic[] }> {
    const checked = await checkDirectoryFile(file, this.vocabularyNow);
    if (!checked.directory) throw new DirectoryRefused(checked.diagnostics, checked.sources);
    const counts = await importDirectory(this.engine.store, checked.directory);
    await this.refreshEngineDirectory();
    return { ...counts, sources: checked.sources, diagnostics: checked.diagnostics };
  }

  /** What the interpreter checks a routing field against on submission: the catalog's departments, hall.yaml's id pattern, the people in the store. */
  async refreshEngineDirectory(): Promise<void> {
    const people = new Set((await this.engine.store.query<{ id: string }>('SELECT id FROM person')).map((r) => r.id));
    const { departments, personId } = this.vocabularyNow;
    const directory: Directory = { departments, people, ...(personId ? { personId } : {}) };
    this.engine.useDirectory(directory);
  }

  reload(): Promise<ReloadReport> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<ReloadReport> {
    const at = new Date().toISOString();
    let definitions: ReloadReport['definitions'];
    try {
      const runtime = await loadRuntime(this.generated);
      const missing = await this.engine.missingVersions(runtime);
      if (missing.length) {
        definitions = {
          ok: false,
          problems: missing.map((m) => `${m.service} v${m.version}：${m.applications} 个办理中的申请使用这个版本，新的 generated/ 中没有它 / ${m.applications} application(s) in flight use this version, missing from the new generated/`),
        };
      } else {
        this.engine.useRuntime(runtime);
        definitions = { ok: true, services: runtime.manifest.services.length, problems: [] };
      }
    } catch (error) {
      if (!(error instanceof RuntimeLoadError)) throw error;
      definitions = { ok: false, problems: error.problems };
    }
    let directory: ReloadReport['directory'];
    if (this.directoryFile) {
      const file = this.directoryFile;
      try {
        // roles.yaml and the departments may have changed with the catalog.
        this.vocabularyNow = await readVocabulary(this.catalog);
        const imported = await this.importDirectory(file);
        const incidents = await this.engine.reconcileIncidents();
        directory = { ok: true, file, people: imported.people, memberships: imported.memberships, incidents, diagnostics: imported.diagnostics, sources: imported.sources };
      } catch (error) {
        if (!(error instanceof DirectoryRefused)) throw error;
        directory = { ok: false, file, diagnostics: error.diagnostics, sources: error.sources };
      }
    }
    return { ok: definitions.ok && (directory?.ok ?? true), at, definitions, ...(directory ? { directory } : {}) };
  }
}

/** A reload report for the log: what was applied and what was refused, with the diagnostics as `hall check` prints them. */
export function describeReload(report: ReloadReport, lang: Lang = 'zh'): string {
  const zh = lang === 'zh';
  const lines: string[] = [];
  const d = report.definitions;
  lines.push(
    d.ok
      ? zh ? `重新加载：运行定义已更新（${d.services} 个事项）。` : `reload: definitions updated (${d.services} services).`
      : zh ? `重新加载：新的运行定义被拒绝，继续使用原来的：` : `reload: the new definitions were refused; the running ones are kept:`,
  );
  for (const p of d.problems) lines.push(`  - ${p}`);
  const dir = report.directory;
  if (dir?.ok) {
    lines.push(
      zh
        ? `重新加载：人员目录已导入（${dir.people} 人，${dir.memberships} 项“群组@范围”）；事故解决 ${dir.incidents?.resolved ?? 0} 个，新增 ${dir.incidents?.raised ?? 0} 个。`
        : `reload: directory imported (${dir.people} people, ${dir.memberships} group@scope); incidents resolved ${dir.incidents?.resolved ?? 0}, raised ${dir.incidents?.raised ?? 0}.`,
    );
  } else if (dir) {
    lines.push(zh ? `重新加载：人员目录 ${dir.file} 有错误，被拒绝，继续使用原来的目录：` : `reload: the directory ${dir.file} has errors and was refused; the running directory is kept:`);
    lines.push(formatDiagnostics('pretty', dir.diagnostics, { lang, color: false, sources: dir.sources, filesChecked: 1 }).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** A report as JSON for the API: diagnostics with their messages in both languages. */
export function reloadReportJson(report: ReloadReport): Record<string, unknown> {
  const { directory, ...rest } = report;
  if (!directory) return rest;
  const { sources: _sources, diagnostics, ...dir } = directory;
  return {
    ...rest,
    directory: {
      ...dir,
      diagnostics: diagnostics.map((d) => {
        const zh = renderDiagnostic(d, 'zh');
        const en = renderDiagnostic(d, 'en');
        return { code: d.code, severity: d.severity, file: d.file, line: d.line, column: d.column, message: { zh: zh.message, en: en.message }, hint: { zh: zh.hint, en: en.hint } };
      }),
    },
  };
}
