// Writing answers: JSON bodies, Status errors, Warning headers.
import type { ServerResponse } from 'node:http';
import { StatusError, errors } from '../../machinery/status.js';
import { logger } from '../../util/log.js';

const log = logger('apiserver');

export function sendJSON(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  sendRaw(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export function sendRaw(res: ServerResponse, code: number, text: string, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // A handler may have chosen its own caching (e.g. immutable OpenAPI documents fetched by hash).
  const cache = res.getHeader('Cache-Control') ?? 'no-cache, private';
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': cache });
  res.end(text);
}

/** Adds `Warning: 299 - "..."` headers as upstream's warning recorder does. */
export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  res.setHeader(
    'Warning',
    warnings.map((w) => `299 - ${JSON.stringify(w)}`),
  );
}

export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  log.error('internal error while serving a request', e);
  return errors.internal(e instanceof Error ? e.message : String(e));
}

export function sendError(res: ServerResponse, e: unknown): void {
  const se = toStatusError(e);
  // As upstream's error writer: a Status that suggests a retry says when in Retry-After too.
  const retry = se.details?.retryAfterSeconds;
  if (retry && retry > 0 && !res.headersSent) res.setHeader('Retry-After', String(retry));
  sendJSON(res, se.code, se.toStatus());
}
