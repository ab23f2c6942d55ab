// Upstream's DefaultTolerationSeconds admission plugin (on by default): a new Pod that does not
// tolerate the node.kubernetes.io/not-ready or /unreachable NoExecute taint gets a toleration for
// it of --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (300 s
// each), so when its node fails the taint eviction deletes it five minutes later rather than at once.
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { notReadyTaintKey, unreachableTaintKey, type Toleration } from '../../api/scheduling/taints.js';
import type { StoreHooks } from '../store/hooks.js';


export interface DefaultTolerationSeconds {
  notReadySeconds: number;
  unreachableSeconds: number;
}

export const defaultTolerationSeconds: DefaultTolerationSeconds = { notReadySeconds: 300, unreachableSeconds: 300 };

/** Upstream's test: a toleration with this key (or none) and effect NoExecute (or none), whatever its operator. */
function coversTaint(t: Toleration, key: string): boolean {
  return (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute');
}

export function admitDefaultTolerationSeconds(seconds: DefaultTolerationSeconds): NonNullable<StoreHooks['admit']> {
  return async (obj: KubeObject) => {
    const spec = (obj as Pod).spec;
    if (!spec) return;
    const tolerations = (spec.tolerations ?? []) as Toleration[];
    const added: Toleration[] = [];
    for (const [key, tolerationSeconds] of [
      [notReadyTaintKey, seconds.notReadySeconds],
      [unreachableTaintKey, seconds.unreachableSeconds],
    ] as const) {
      if (!tolerations.some((t) => coversTaint(t, key))) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds });
    }
    if (added.length) spec.tolerations = [...tolerations, ...added];
  };
}
