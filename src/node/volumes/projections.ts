// What the configMap, secret, downwardAPI and projected volume plugins write: pure functions
// from the pod and its objects to an AtomicWriter payload, as upstream's MakePayload and
// CollectData. Missing objects and keys fail with the plugins' messages unless optional.
import type { Pod } from '../../api/core.js';
import { fieldRefValue, resourceFieldValue, type ObjectFieldSelector, type ResourceFieldSelector } from '../downward-api.js';
import { configMapBytes, getConfigMap, getSecret, ObjectNotFoundError, secretBytes, type PodObjects } from '../pod-objects.js';
import type { Payload } from './atomic-writer.js';

/** The default file mode of every projecting volume (upstream's *VolumeSourceDefaultMode, 0644). */
export const defaultFileMode = 0o644;

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

interface KeyVolumeSource {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
  defaultMode?: number;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface VolumeProjection {
  configMap?: KeyVolumeSource;
  secret?: KeyVolumeSource;
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: unknown;
}

/** upstream MakePayload of the configMap and secret plugins, over the object's bytes. */
function keyPayload(kind: 'configmap' | 'secret', values: Map<string, Buffer>, items: KeyToPath[] | undefined, mode: number, optional: boolean, into: Payload): void {
  if (!items?.length) {
    for (const [k, data] of values) into.set(k, { data, mode });
    return;
  }
  for (const item of items) {
    const data = values.get(item.key);
    if (!data) {
      if (optional) continue;
      throw new Error(kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    into.set(item.path, { data, mode: item.mode ?? mode });
  }
}

function lookup<T>(get: () => T, optional: boolean): T | undefined {
  try {
    return get();
  } catch (e) {
    if (e instanceof ObjectNotFoundError && optional) return undefined;
    throw e;
  }
}

export function configMapPayload(pod: Pod, src: KeyVolumeSource, objects: PodObjects, mode = src.defaultMode ?? defaultFileMode, into: Payload = new Map()): Payload {
  const ns = pod.metadata.namespace ?? 'default';
  const cm = lookup(() => getConfigMap(objects, ns, src.name ?? ''), !!src.optional);
  if (cm) keyPayload('configmap', configMapBytes(cm), src.items, mode, !!src.optional, into);
  return into;
}

export function secretPayload(pod: Pod, src: KeyVolumeSource, objects: PodObjects, mode = src.defaultMode ?? defaultFileMode, into: Payload = new Map()): Payload {
  const ns = pod.metadata.namespace ?? 'default';
  const s = lookup(() => getSecret(objects, ns, src.name ?? ''), !!src.optional);
  if (s) keyPayload('secret', secretBytes(s), src.items, mode, !!src.optional, into);
  return into;
}

/** upstream's downwardAPI CollectData: one file per item. */
export function downwardAPIPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, objects: PodObjects, mode: number, into: Payload = new Map()): Payload {
  for (const item of items ?? []) {
    let value: string;
    if (item.fieldRef?.fieldPath) value = fieldRefValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) value = resourceFieldValue(pod, undefined, item.resourceFieldRef, objects.allocatable());
    else continue;
    into.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? mode });
  }
  return into;
}

/** A ServiceAccount token for a projection: what the TokenRequest subresource answered. */
export type TokenSource = (pod: Pod, projection: ServiceAccountTokenProjection) => Promise<string | undefined>;

/** upstream's projected plugin: every source into one payload, the defaultMode shared. */
export async function projectedPayload(
  pod: Pod,
  src: { sources?: VolumeProjection[]; defaultMode?: number },
  objects: PodObjects,
  token: TokenSource,
): Promise<Payload> {
  const mode = src.defaultMode ?? defaultFileMode;
  const out: Payload = new Map();
  for (const s of src.sources ?? []) {
    if (s.configMap) configMapPayload(pod, s.configMap, objects, mode, out);
    else if (s.secret) secretPayload(pod, s.secret, objects, mode, out);
    else if (s.downwardAPI) downwardAPIPayload(pod, s.downwardAPI.items, objects, mode, out);
    else if (s.serviceAccountToken) {
      const t = await token(pod, s.serviceAccountToken);
      if (t !== undefined) out.set(s.serviceAccountToken.path, { data: Buffer.from(t, 'utf8'), mode });
    }
  }
  return out;
}
