// helper.DefaultSelector: the pods a pod is "one of", for PodTopologySpread's system default
// constraints — the selectors of the Services selecting it, plus that of its controlling
// ReplicaSet or StatefulSet. Empty when nothing groups the pod (then nothing is spread).
import type { Pod, Service } from '../../api/core.js';
import type { LabelSelector as MetaLabelSelector } from '../../api/meta.js';
import { getControllerOf } from '../../controllers/common/controller-ref.js';
import { LabelSelector, labelSelectorAsSelector, selectorFromSet } from '../../machinery/labels/index.js';

export interface WorkloadListers {
  services(namespace: string): Service[];
  /** The spec.selector of a ReplicaSet or StatefulSet, by kind and name. */
  ownerSelector(kind: 'ReplicaSet' | 'StatefulSet', namespace: string, name: string): MetaLabelSelector | undefined;
}

export function defaultSelector(pod: Pod, l: WorkloadListers): LabelSelector {
  const ns = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of l.services(ns)) {
    const sel = svc.spec?.selector;
    // GetPodServices: a Service with no selector selects nothing.
    if (!sel || Object.keys(sel).length === 0) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(set, sel);
  }
  let selector = selectorFromSet(set);
  const owner = getControllerOf(pod);
  if (owner && owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const ownerSel = l.ownerSelector(owner.kind, ns, owner.name);
    if (ownerSel) {
      try {
        const other = labelSelectorAsSelector(ownerSel);
        if (other.selectable()) selector = selector.add(...other.requirements());
      } catch {
        /* an invalid selector adds nothing, as upstream ignores the error */
      }
    }
  }
  return selector;
}

export const emptySelector = LabelSelector.everything();
