// Serves the live view's static page (/ui/): a fixed set of files built by scripts/bundle.mjs into
// dist/ui. The page itself carries no cluster data, so it is public like /version; everything it
// shows it reads through the Kubernetes API with the user's own bearer token. Paths are looked up
// in a fixed table, never joined onto a directory, so `..` and encoded tricks can only miss.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../machinery/status.js';

const files: Record<string, { file: string; type: string }> = {
  '/ui/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/elk-worker.js': { file: 'elk-worker.js', type: 'text/javascript; charset=utf-8' },
};

/** dist/ui, seen from the bundle (dist/bundle/) or from tsc's output (dist/src/apiserver/ui/). */
function uiDir(): string | undefined {
  for (const rel of ['../ui/', '../../../ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

const cache = new Map<string, Buffer>();

export function isUIPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

export function serveUI(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
  if (path === '/ui') {
    res.writeHead(301, { Location: '/ui/', 'Content-Length': 0 });
    res.end();
    return;
  }
  const entry = files[path];
  const dir = uiDir();
  if (!entry || !dir) {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
      causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }],
    });
  }
  let body = cache.get(entry.file);
  if (!body) {
    body = readFileSync(dir + entry.file);
    cache.set(entry.file, body);
  }
  // The page runs only its own script and talks only to this origin.
  res.writeHead(200, {
    'Content-Type': entry.type,
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, private',
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
