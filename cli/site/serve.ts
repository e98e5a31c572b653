import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.doc': 'application/msword',
  '.xls': 'application/vnd.ms-excel',
};

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** The folder to serve; a function so a rebuilt site can be swapped in without restarting. */
  root: () => string;
  port?: number;
  /** Rewrites an HTML response before it is sent (hall dev injects its reload script here). */
  transformHtml?: (html: string) => string;
  /** Extra routes handled before files, e.g. the dev server's change events. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** The file a request path names inside `root`, or undefined when it would leave `root`. */
export function resolveRequest(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : undefined;
}

/**
 * A small static file server on 127.0.0.1 for previews and browser tests: directory URLs serve their
 * index.html, unknown paths the site's 404.html with status 404, nothing outside the root.
 */
export function serveStatic(options: ServeOptions): Promise<StaticServer> {
  const server = createServer(async (req, res) => {
    if (options.handle?.(req, res)) return;
    const root = path.resolve(options.root());
    const send = async (file: string, status: number) => {
      const ext = path.extname(file).toLowerCase();
      let body: Buffer | string = await readFile(file);
      if (ext === '.html' && options.transformHtml) body = options.transformHtml(body.toString('utf8'));
      res.writeHead(status, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      let file = resolveRequest(root, req.url ?? '/');
      if (file) {
        const info = await stat(file).catch(() => undefined);
        if (info?.isDirectory()) {
          if (!(req.url ?? '/').split('?')[0].endsWith('/')) {
            res.writeHead(301, { location: `${(req.url ?? '/').split('?')[0]}/` });
            res.end();
            return;
          }
          file = path.join(file, 'index.html');
        }
        if (await stat(file).then((s) => s.isFile()).catch(() => false)) return await send(file, 200);
      }
      const notFound = path.join(root, '404.html');
      if (await stat(notFound).then((s) => s.isFile()).catch(() => false)) return await send(notFound, 404);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('404');
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        server,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
