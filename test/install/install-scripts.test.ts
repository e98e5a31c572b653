import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * Nothing may phone home when the project is installed (issue 11.21). @carbon/grid (via
 * @bpmn-io/form-js-viewer) runs `ibmtelemetry` as a postinstall, which reports usage to IBM. npm 11.19
 * runs an install script that package.json's allowScripts does not list (with only a notice), denies
 * one listed `false`, and with `strict-allow-scripts` fails the install on an unlisted one. Older npm
 * ignores allowScripts, so every install path also sets IBM_TELEMETRY_DISABLED=true, the package's
 * own opt-out.
 */
const REPO = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFile(path.join(REPO, file), 'utf8');
const TELEMETRY = '@ibm/telemetry-js';

interface LockEntry { hasInstallScript?: boolean; dependencies?: Record<string, string>; optional?: boolean }

async function lockPackages(): Promise<Map<string, LockEntry>> {
  const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, LockEntry> };
  const byName = new Map<string, LockEntry>();
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (!where) continue;
    byName.set(where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length), entry);
  }
  return byName;
}

const allowScripts = async () => (JSON.parse(await read('package.json')) as { allowScripts: Record<string, unknown> }).allowScripts;

describe('install scripts of dependencies', () => {
  it('lists every dependency with an install script in allowScripts, as true or false', async () => {
    const [packages, policy] = await Promise.all([lockPackages(), allowScripts()]);
    const withScripts = [...packages].filter(([, e]) => e.hasInstallScript).map(([name]) => name);
    expect(withScripts.length).toBeGreaterThan(0);
    const unlisted = withScripts.filter((name) => typeof policy[name] !== 'boolean');
    expect(unlisted, 'install scripts npm would run without review: add each to allowScripts (true runs it, false denies it)').toEqual([]);
  });

  it('denies the install script of every package that pulls in the telemetry', async () => {
    const [packages, policy] = await Promise.all([lockPackages(), allowScripts()]);
    const reporters = [...packages].filter(([name, e]) => e.hasInstallScript && (name === TELEMETRY || e.dependencies?.[TELEMETRY])).map(([name]) => name);
    expect(reporters).toContain('@carbon/grid');
    for (const name of reporters) expect([name, policy[name]]).toEqual([name, false]);
  });

  it('lets only the install scripts the project needs run (Node 24 and esbuild)', async () => {
    const policy = await allowScripts();
    expect(Object.entries(policy).filter(([, allowed]) => allowed === true).map(([name]) => name).sort()).toEqual(['esbuild', 'node']);
  });

  it('makes npm refuse an unlisted install script instead of running it', async () => {
    const settings = (await read('.npmrc')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(settings).toContain('strict-allow-scripts=true');
  });
});

describe('every install path turns the telemetry off', () => {
  it('.ci/run exports IBM_TELEMETRY_DISABLED=true before npm ci', async () => {
    const lines = (await read('.ci/run')).split('\n');
    const off = lines.findIndex((l) => /^export IBM_TELEMETRY_DISABLED=true\b/.test(l.trim()));
    const install = lines.findIndex((l) => /^npm (ci|install)\b/.test(l.trim()));
    expect(install).toBeGreaterThan(-1);
    expect(off, 'export IBM_TELEMETRY_DISABLED=true in .ci/run').toBeGreaterThan(-1);
    expect(off).toBeLessThan(install);
  });

  it('every workflow step that installs with npm has IBM_TELEMETRY_DISABLED=true', async () => {
    const dir = path.join(REPO, '.github/workflows');
    const { readdir } = await import('node:fs/promises');
    const installs: string[] = [];
    for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const workflow = parse(await readFile(path.join(dir, file), 'utf8')) as { env?: Record<string, unknown>; jobs: Record<string, { env?: Record<string, unknown>; steps?: { run?: string; env?: Record<string, unknown> }[] }> };
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.run || !/\bnpm (ci|install|i)\b/.test(step.run)) continue;
          installs.push(`${file} ${id}`);
          const value = step.env?.IBM_TELEMETRY_DISABLED ?? job.env?.IBM_TELEMETRY_DISABLED ?? workflow.env?.IBM_TELEMETRY_DISABLED;
          expect([file, id, String(value)]).toEqual([file, id, 'true']);
        }
      }
    }
    expect(installs.length).toBeGreaterThan(0);
  });

  it("the README's quick start installs with the telemetry off", async () => {
    const readme = await read('README.md');
    const quick = readme.slice(readme.indexOf('## 快速开始'), readme.indexOf('\n## ', readme.indexOf('## 快速开始') + 1));
    const block = /```sh\n([\s\S]*?)```/.exec(quick)?.[1] ?? '';
    const lines = block.split('\n');
    const off = lines.findIndex((l) => /^export IBM_TELEMETRY_DISABLED=true\b/.test(l));
    const install = lines.findIndex((l) => /^npm ci\b/.test(l));
    expect(install).toBeGreaterThan(-1);
    expect(off, 'export IBM_TELEMETRY_DISABLED=true in the quick start').toBeGreaterThan(-1);
    expect(off).toBeLessThan(install);
  });
});
