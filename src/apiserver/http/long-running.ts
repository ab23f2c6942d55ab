// Upstream's BasicLongRunningRequestCheck, read from the request's RequestInfo: the watch and proxy
// verbs, and the attach, exec, proxy, log and portforward subresources. Such requests hold their
// connection by design, so the in-flight limits do not count them and a graceful shutdown ends
// them rather than waiting for them.
import type { IncomingMessage } from 'node:http';
import { requestAttributes } from '../auth/request-info.js';

const longRunningVerbs = new Set(['watch', 'proxy']);
const longRunningSubresources = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(req: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  const a = requestAttributes(req.method ?? 'GET', req.url ?? '/');
  if (!a.isResourceRequest) return false;
  return longRunningVerbs.has(a.verb) || longRunningSubresources.has(a.subresource);
}
