// NodeResourcesFit: the pod's requests (src/scheduler/resources.ts) must fit in the node's
// allocatable minus what the pods already there request, and the node must have room for one more
// pod. Its score is the LeastAllocated strategy (the default): the more of cpu and memory would stay
// free, the better, computed on the non-zero requests so empty pods spread too.
import { podRequests, type Resources } from '../resources.js';
import { unschedulable, type NodeInfo, type Plugin } from '../framework/types.js';

const fixedOrder = ['cpu', 'memory', 'ephemeral-storage'];

/** fitsRequest: every resource the node lacks, as upstream's "Insufficient <name>" reasons ("Too many pods" first). */
export function insufficientResources(request: Resources, ni: NodeInfo): string[] {
  const reasons: string[] = [];
  if (BigInt(ni.pods.length) + 1n > (ni.allocatable.get('pods') ?? 0n)) reasons.push('Too many pods');
  const names = [...request.keys()].filter((k) => k !== 'pods' && (request.get(k) ?? 0n) > 0n);
  names.sort((a, b) => {
    const ia = fixedOrder.indexOf(a);
    const ib = fixedOrder.indexOf(b);
    if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (const name of names) {
    const free = (ni.allocatable.get(name) ?? 0n) - (ni.requested.get(name) ?? 0n);
    if (request.get(name)! > free) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** leastRequestedScore for one resource: the share left free, 0..100. */
function leastRequested(requested: bigint, capacity: bigint): number {
  if (capacity === 0n || requested > capacity) return 0;
  return Number(((capacity - requested) * 100n) / capacity);
}

export const scoredResources = ['cpu', 'memory'];

export const nodeResourcesFit: Plugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  cycle(pod) {
    const request = podRequests(pod);
    const nonZero = podRequests(pod, true);
    return {
      filter(ni) {
        const reasons = insufficientResources(request, ni);
        return reasons.length ? unschedulable(...reasons) : undefined;
      },
      score(ni) {
        let sum = 0;
        for (const r of scoredResources) {
          sum += leastRequested((ni.nonZeroRequested.get(r) ?? 0n) + (nonZero.get(r) ?? 0n), ni.allocatable.get(r) ?? 0n);
        }
        return Math.trunc(sum / scoredResources.length);
      },
    };
  },
};
