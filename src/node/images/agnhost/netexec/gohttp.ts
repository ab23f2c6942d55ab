import type { IncomingMessage, ServerResponse } from 'node:http';

// The bits of Go's net/http behaviour that clients of upstream's images observe.

const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

/** http.Error: plain text, nosniff, message plus newline. */
export function goHTTPError(res: ServerResponse, msg: string, code: number): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  goWrite(res, msg + '\n', code);
}

export function goNotFound(res: ServerResponse): void {
  goHTTPError(res, '404 page not found', 404);
}

/** Writes a body the way Go's ResponseWriter does when the handler set no Content-Type. */
export function goWrite(res: ServerResponse, body: string, code = 200): void {
  if (body !== '' && !res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  // Go buffers small bodies and sends Content-Length rather than chunked encoding.
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(code).end(body);
}

/**
 * r.URL.Path and the query of a request target. WHATWG URL would read "//hostname" as a host and
 * remove dot segments, hiding the unclean paths ServeMux redirects, so the path is split by hand.
 */
export function requestTarget(target: string): { path: string; url: URL } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Go rejects such requests with 400 before any handler; keep the raw text
  }
  const url = new URL('http://netexec/');
  url.search = q < 0 ? '' : target.slice(q);
  return { path, url };
}

/** path.Clean, keeping a trailing slash as ServeMux's cleanPath does. */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  if (!p.startsWith('/')) p = '/' + p;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let np = '/' + out.join('/');
  if (p.endsWith('/') && np !== '/') np += '/';
  return np;
}

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

/** http.Redirect: relative locations are resolved against the request path, as Go does. */
export function goRedirect(req: IncomingMessage, res: ServerResponse, location: string, code: number): void {
  let loc = location;
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(loc) && !loc.startsWith('//')) {
    const [pathPart, query] = splitOnce(loc, '?');
    let p = pathPart;
    if (p === '') p = pathnameOf(req);
    else if (!p.startsWith('/')) {
      const cur = pathnameOf(req);
      p = cur.slice(0, cur.lastIndexOf('/') + 1) + p;
    }
    const trailing = p.endsWith('/');
    p = cleanPath(p);
    if (trailing && !p.endsWith('/')) p += '/';
    loc = query === undefined ? p : `${p}?${query}`;
  }
  res.setHeader('Location', loc);
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    goWrite(res, req.method === 'GET' ? `<a href="${htmlEscape(loc)}">${STATUS_TEXT[code] ?? ''}</a>.\n\n` : '', code);
    return;
  }
  goWrite(res, '', code);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function pathnameOf(req: IncomingMessage): string {
  return splitOnce(req.url ?? '/', '?')[0];
}

/**
 * r.FormValue's sources: for POST, PUT and PATCH with a urlencoded body, body values come first,
 * then the query string.
 */
export async function formValues(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams();
  const ct = req.headers['content-type'] ?? '';
  if (['POST', 'PUT', 'PATCH'].includes(req.method ?? '') && ct.startsWith('application/x-www-form-urlencoded')) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) form.append(k, v);
  }
  for (const [k, v] of url.searchParams) form.append(k, v);
  return form;
}

/** Go's canonical MIME header key: "x-forwarded-for" → "X-Forwarded-For". */
export function canonicalHeaderKey(k: string): string {
  return k
    .split('-')
    .map((p) => (p === '' ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join('-');
}
