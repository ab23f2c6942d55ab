// URL paths and query strings of API requests, as client-go's REST client builds them:
// /api/v1 for the core group, /apis/<group>/<version> otherwise, then namespaces/<ns>/ when the
// resource is namespaced and a namespace is given.
import type { ListOptions, ResourceRef, WatchOptions, WriteOptions } from './client.js';

export function resourcePath(res: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  let p = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.resource}`;
  if (name !== undefined) {
    // An empty name would silently turn a get into a list; upstream's client refuses it too.
    if (name === '') throw new Error(`resource name may not be empty (${res.resource})`);
    p += `/${encodeURIComponent(name)}`;
  }
  if (subresource) p += `/${subresource}`;
  return p;
}

export function listQuery(o: ListOptions = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (o.labelSelector) q.set('labelSelector', o.labelSelector);
  if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
  if (o.limit !== undefined) q.set('limit', String(o.limit));
  if (o.continue) q.set('continue', o.continue);
  if (o.resourceVersion !== undefined) q.set('resourceVersion', o.resourceVersion);
  return q;
}

export function watchQuery(o: WatchOptions): URLSearchParams {
  const q = new URLSearchParams();
  q.set('watch', '1');
  if (o.labelSelector) q.set('labelSelector', o.labelSelector);
  if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
  if (o.resourceVersion !== undefined) q.set('resourceVersion', o.resourceVersion);
  if (o.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if (o.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(o.timeoutSeconds));
  return q;
}

export function writeQuery(o: WriteOptions = {}): URLSearchParams {
  const q = new URLSearchParams();
  if (o.dryRun) q.set('dryRun', 'All');
  if (o.fieldManager) q.set('fieldManager', o.fieldManager);
  if (o.force) q.set('force', 'true');
  return q;
}

export function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The Content-Type of each patch type, as kubectl sends them. */
export const patchContentType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
