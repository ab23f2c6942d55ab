// What a Pod makes its node read, as upstream's node authorizer graph populator finds it: the
// Secrets, ConfigMaps and PersistentVolumeClaims its volumes, env and imagePullSecrets name, and
// its ServiceAccount. Read defensively: a stored Pod's spec is whatever validation let through.
import type { Pod } from '../../api/core.js';

export interface PodReferences {
  secrets: Set<string>;
  configmaps: Set<string>;
  persistentvolumeclaims: Set<string>;
  serviceaccounts: Set<string>;
}

type Loose = Record<string, unknown> | undefined;
const obj = (v: unknown): Loose => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const list = (v: unknown): Loose[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function podReferences(pod: Pod): PodReferences {
  const refs: PodReferences = { secrets: new Set(), configmaps: new Set(), persistentvolumeclaims: new Set(), serviceaccounts: new Set() };
  const add = (set: Set<string>, name: unknown) => {
    const n = str(name);
    if (n) set.add(n);
  };
  const spec = obj(pod.spec);
  if (!spec) return refs;
  add(refs.serviceaccounts, spec['serviceAccountName']);
  for (const s of list(spec['imagePullSecrets'])) add(refs.secrets, s?.['name']);
  const containers = [...list(spec['initContainers']), ...list(spec['containers']), ...list(spec['ephemeralContainers'])];
  for (const c of containers) {
    for (const e of list(c?.['envFrom'])) {
      add(refs.secrets, obj(e?.['secretRef'])?.['name']);
      add(refs.configmaps, obj(e?.['configMapRef'])?.['name']);
    }
    for (const e of list(c?.['env'])) {
      const from = obj(e?.['valueFrom']);
      add(refs.secrets, obj(from?.['secretKeyRef'])?.['name']);
      add(refs.configmaps, obj(from?.['configMapKeyRef'])?.['name']);
    }
  }
  for (const v of list(spec['volumes'])) {
    add(refs.secrets, obj(v?.['secret'])?.['secretName']);
    add(refs.configmaps, obj(v?.['configMap'])?.['name']);
    add(refs.persistentvolumeclaims, obj(v?.['persistentVolumeClaim'])?.['claimName']);
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    if (obj(v?.['ephemeral']) && str(v?.['name'])) add(refs.persistentvolumeclaims, `${pod.metadata.name}-${v!['name'] as string}`);
    for (const s of list(obj(v?.['projected'])?.['sources'])) {
      add(refs.secrets, obj(s?.['secret'])?.['name']);
      add(refs.configmaps, obj(s?.['configMap'])?.['name']);
    }
    // Volume plugins that take credentials from a Secret (CSI, and the in-tree ones that remain).
    for (const key of ['csi', 'cephfs', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos', 'azureFile']) {
      const source = obj(v?.[key]);
      if (!source) continue;
      add(refs.secrets, obj(source['nodePublishSecretRef'])?.['name'] ?? obj(source['secretRef'])?.['name'] ?? source['secretName']);
    }
  }
  return refs;
}
