import { rebuildOnSave } from './rebuilds.ts';
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { loadAndCheck, printAndScore } from '../check/run.ts';
import { locateCatalog } from '../../load/locate-catalog.ts';
import { renderDiagnostic } from '../../diagnostics/registry.ts';
import { UsageError } from '../../shared/errors.ts';
import { SITE_DIR, buildSite } from '../../site/build-site.ts';
import { readGitHistory } from '../../site/git-history.ts';
import { serveStatic } from '../../site/serve.ts';
import type { DevOptions } from './index.ts';

const T = {
  zh: {
    serving: (url: string) => `办事指南预览：${url}\n保存目录中的文件后会自动重新生成并刷新页面。按 Ctrl+C 结束。`,
    building: '正在生成…',
    built: (ms: number) => `✔ 已重新生成（${(ms / 1000).toFixed(1)} 秒）。`,
    errors: '目录有错误，预览仍显示上一次成功生成的网站。',
    failed: '生成网站失败：',
    banner: '目录有错误，页面显示的是上一次成功生成的版本：',
  },
  en: {
    serving: (url: string) => `Guide preview: ${url}\nSaving a catalog file rebuilds the site and reloads the page. Press Ctrl+C to stop.`,
    building: 'Building…',
    built: (ms: number) => `✔ Rebuilt in ${(ms / 1000).toFixed(1)} s.`,
    errors: 'The catalog has errors; the preview still shows the last good build.',
    failed: 'Building the site failed: ',
    banner: 'The catalog has errors; this is the last good build:',
  },
};

/** Reload script the preview server adds to every page; it is never part of a built site. */
const RELOAD = `<script>(()=>{const s=new EventSource('/__hall/events');s.addEventListener('reload',()=>location.reload());s.addEventListener('problems',(e)=>{let b=document.getElementById('__hall');if(!b){b=document.createElement('pre');b.id='__hall';b.style.cssText='position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;margin:0;padding:.75rem;background:#b3261e;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap;z-index:99';document.body.append(b)}b.textContent=JSON.parse(e.data);b.hidden=!b.textContent})})();</script>`;

/** `hall dev`: build the site, serve it on 127.0.0.1, rebuild when the catalog (or the site's source) changes. */
export async function runDev(dirArg: string | undefined, options: DevOptions & { port: string }): Promise<number> {
  const t = T[options.lang];
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port 应为 0–65535 / --port must be 0–65535');
  const location = await locateCatalog(dirArg);
  const { root } = location;
  const dir = location.abs;
  // Each preview gets its own folder, so two previews (or a preview and the tests) never collide.
  await mkdir(path.join(SITE_DIR, '.astro'), { recursive: true });
  const devDir = await mkdtemp(path.join(SITE_DIR, '.astro', 'dev-'));
  let generation = 0;
  let current: string | undefined;
  let problems = '';
  const clients = new Set<ServerResponse>();
  const send = (event: string, data: string) => {
    for (const c of clients) c.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  /** One rebuild; the served folder switches only when it succeeds. */
  async function rebuild(): Promise<void> {
    const started = performance.now();
    process.stdout.write(`${t.building}\n`);
    const result = await loadAndCheck(dir, options);
    if (result.diagnostics.length) await printAndScore(result, { ...options, failOn: 'error' });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || !result.catalog.hall) {
      process.stderr.write(`${t.errors}\n`);
      problems = [t.banner, ...errors.slice(0, 20).map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${renderDiagnostic(d, options.lang).message}`)].join('\n');
      send('problems', problems);
      return;
    }
    const out = path.join(devDir, `site-${++generation}`);
    try {
      const history = await readGitHistory(root, result.catalog.dir);
      await buildSite(result.catalog, history, { variant: options.variant, out, root, logLevel: 'error' });
    } catch (error) {
      process.stderr.write(`${t.failed}${error instanceof Error ? error.message : String(error)}\n`);
      await rm(out, { recursive: true, force: true });
      return;
    }
    const previous = current;
    current = out;
    problems = '';
    if (previous) await rm(previous, { recursive: true, force: true });
    process.stdout.write(`${t.built(performance.now() - started)}\n`);
    send('reload', '');
  }

  await rebuild();
  const server = await serveStatic({
    root: () => current ?? devDir,
    port,
    transformHtml: (html) => html.replace(/<\/body>/i, `${RELOAD}</body>`),
    handle: (req, res) => {
      if (!current && req.url !== '/__hall/events') {
        // Nothing built yet (the catalog had errors from the start): show the problems, reload when fixed.
        const escaped = problems.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`<!doctype html><meta charset="utf-8"><title>hall dev</title><pre style="white-space:pre-wrap;font:14px/1.5 monospace;padding:1rem">${escaped || t.building}</pre>${RELOAD}`);
        return true;
      }
      if (req.url !== '/__hall/events') return false;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: problems\ndata: ${JSON.stringify(problems)}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return true;
    },
  });
  process.stdout.write(`${t.serving(`${server.url}/`)}\n`);

  // Rebuild once per burst of saves; a save during a build queues exactly one more.
  const { schedule, settle } = rebuildOnSave(rebuild, (error: unknown) => {
    process.stderr.write(`${t.failed}${String(error)}\n`);
  });
  // The catalog, the handbook's docs/ and (for whoever works on the site) its source.
  const folders = [path.resolve(dir), path.join(root, 'docs'), path.join(SITE_DIR, 'src')].filter((f) => existsSync(f));
  const watchers: FSWatcher[] = folders.map((folder) => watch(folder, { recursive: true }, schedule));

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const w of watchers) w.close();
  for (const c of clients) c.end();
  await settle();
  await server.close();
  await rm(devDir, { recursive: true, force: true });
  return 0;
}
