// Pod registry hooks: a new pod starts Pending; a pod bound to a node is deleted gracefully (its
// node agent stops the containers, then removes it), an unbound one at once.
import type { KubeObject } from '../../api/meta.js';
import type { Pod } from '../../api/core.js';
import type { StoreHooks } from '../store/hooks.js';
import { admitPodServiceAccount } from './pod-serviceaccount.js';

export const podHooks: StoreHooks = {
  prepareForCreate(obj: KubeObject) {
    obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    admitPodServiceAccount(obj as Pod);
  },
  gracePeriodSeconds(obj: KubeObject, requested: number | undefined): number {
    const pod = obj as Pod;
    if (!pod.spec?.nodeName) return 0;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  },
};
