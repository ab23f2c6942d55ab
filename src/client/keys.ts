// Cache keys as client-go's MetaNamespaceKeyFunc writes them: "namespace/name", or "name" for
// cluster-scoped objects. Work queues carry these keys.
import type { KubeObject } from '../api/meta.js';

export function metaNamespaceKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

/** The inverse of metaNamespaceKey; namespace is undefined for a cluster-scoped key. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  if (i < 0) return { namespace: undefined, name: key };
  if (key.indexOf('/', i + 1) >= 0) throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
