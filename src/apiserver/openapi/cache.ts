// The documents depend only on the served resources, and kubectl asks for them on most commands:
// build each once per distinct resource table and keep the serialized bytes and hash with it.
import { createHash } from 'node:crypto';
import type { ServedResource } from './types.js';

export interface Built {
  doc: object;
  json: string;
  /** Upper-case hex SHA-512 of `json`, the form upstream uses for `?hash=` and the ETag. */
  hash: string;
}

export function build(doc: object): Built {
  const json = JSON.stringify(doc);
  return { doc, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

/** A stable key for a resource table, insensitive to array order. */
export function tableKey(resources: ServedResource[]): string {
  return resources
    .map((r) => [r.group, r.version, r.resource, r.kind, r.namespaced, [...r.subresources].sort(), [...r.verbs].sort(), r.openapi?.key ?? ''])
    .map((x) => JSON.stringify(x))
    .sort()
    .join('\n');
}

/** Memoizes `make` per resource table; the last few tables are enough (the table rarely changes). */
export function memo<T>(make: (resources: ServedResource[]) => T): (resources: ServedResource[]) => T {
  const byArray = new WeakMap<ServedResource[], T>();
  const byKey = new Map<string, T>();
  return (resources) => {
    const hit = byArray.get(resources);
    if (hit !== undefined) return hit;
    const key = tableKey(resources);
    let v = byKey.get(key);
    if (v === undefined) {
      v = make(resources);
      if (byKey.size > 8) byKey.clear();
      byKey.set(key, v);
    }
    byArray.set(resources, v);
    return v;
  };
}
