// The ConfigMaps and Secrets a pod's env and volumes read, from the agent's informers (the
// kubelet's watch-based configMapManager/secretManager). A missing object is reported as that
// manager reports it, `configmap "x" not found` (singular, as its group resource is named).
import type { ConfigMap, Pod, Secret } from '../api/core.js';
import { ContainerConfigError } from './downward-api.js';

export interface PodObjects {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** The node's allocatable resources (limits a container does not set, for the downward API). */
  allocatable(): Record<string, string>;
}

/** The object is not (yet) known: `optional: true` references skip it. */
export class ObjectNotFoundError extends ContainerConfigError {}

export function getConfigMap(objects: PodObjects, namespace: string, name: string): ConfigMap {
  const cm = objects.configMap(namespace, name);
  if (!cm) throw new ObjectNotFoundError(`configmap "${name}" not found`);
  return cm;
}

export function getSecret(objects: PodObjects, namespace: string, name: string): Secret {
  const s = objects.secret(namespace, name);
  if (!s) throw new ObjectNotFoundError(`secret "${name}" not found`);
  return s;
}

/** A Secret's values as bytes (its data is base64 in JSON). */
export function secretBytes(s: Secret): Map<string, Buffer> {
  return new Map(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** A ConfigMap's data and binaryData as bytes (keys never overlap: validation refuses it). */
export function configMapBytes(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** Objects no one can find: env and volumes that reference any fail as with a missing object. */
export const noPodObjects: PodObjects = {
  configMap: () => undefined,
  secret: () => undefined,
  allocatable: () => ({}),
};

interface ObjectRefs {
  configMaps: Set<string>;
  secrets: Set<string>;
}

/** The ConfigMaps and Secrets a pod's env and volumes name: their changes must reach it. */
export function referencedObjects(pod: Pod): ObjectRefs {
  const refs: ObjectRefs = { configMaps: new Set(), secrets: new Set() };
  const add = (set: Set<string>, name: unknown) => {
    if (typeof name === 'string' && name) set.add(name);
  };
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const ev of c.env ?? []) {
      const from = ev.valueFrom as { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } | undefined;
      add(refs.configMaps, from?.configMapKeyRef?.name);
      add(refs.secrets, from?.secretKeyRef?.name);
    }
    for (const ef of (c.envFrom ?? []) as { configMapRef?: { name?: string }; secretRef?: { name?: string } }[]) {
      add(refs.configMaps, ef.configMapRef?.name);
      add(refs.secrets, ef.secretRef?.name);
    }
  }
  type Src = { name?: string; secretName?: string };
  for (const v of (pod.spec.volumes ?? []) as { configMap?: Src; secret?: Src; projected?: { sources?: { configMap?: Src; secret?: Src }[] } }[]) {
    add(refs.configMaps, v.configMap?.name);
    add(refs.secrets, v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add(refs.configMaps, s.configMap?.name);
      add(refs.secrets, s.secret?.name);
    }
  }
  return refs;
}
