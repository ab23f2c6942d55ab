// The autoscaling/v1 Scale subresource of Deployments and ReplicaSets (what `kubectl scale` uses).
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { selectorString } from '../store/selectors.js';

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: Record<string, unknown>;
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

export function scaleOf(o: KubeObject): Scale {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (o.status ?? {}) as { replicas?: number };
  const m = o.metadata;
  const s: Scale = {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0 },
  };
  if (spec.selector) s.status.selector = selectorString(spec.selector);
  return s;
}

/** Writes a Scale's spec.replicas into the object; a pinned resourceVersion must still match. */
export function applyScale(current: KubeObject, scaleIn: unknown): KubeObject {
  const scale = scaleIn as Partial<Scale> | null;
  const replicas = scale?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw errors.invalid('autoscaling', 'Scale', current.metadata.name ?? '', [
      { type: 'FieldValueRequired', field: 'spec.replicas', badValue: '', detail: '' },
    ]);
  }
  if (replicas < 0) {
    throw errors.invalid('autoscaling', 'Scale', current.metadata.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const rv = (scale?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const out = current;
  (out.spec as { replicas?: number }).replicas = replicas;
  if (rv) out.metadata.resourceVersion = rv;
  return out;
}
