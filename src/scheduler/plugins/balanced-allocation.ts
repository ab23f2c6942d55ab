// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal
// shares after placing the pod (1 − standard deviation of the shares, ×100). Pods that request
// neither are not scored by it (upstream skips them at PreScore).
import { podRequests } from '../resources.js';
import { maxNodeScore, type Plugin } from '../framework/types.js';
import { scoredResources } from './node-resources-fit.js';

export const balancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  cycle(pod) {
    const request = podRequests(pod);
    const skip = scoredResources.every((r) => !request.get(r));
    return {
      score(ni) {
        if (skip) return 0;
        const fractions: number[] = [];
        for (const r of scoredResources) {
          const alloc = ni.allocatable.get(r) ?? 0n;
          if (alloc === 0n) continue;
          const used = Number((ni.requested.get(r) ?? 0n) + (request.get(r) ?? 0n)) / Number(alloc);
          fractions.push(Math.min(used, 1));
        }
        let std = 0;
        if (fractions.length === 2) std = Math.abs(fractions[0]! - fractions[1]!) / 2;
        else if (fractions.length > 2) {
          const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
          std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
        }
        return Math.trunc((1 - std) * maxNodeScore);
      },
    };
  },
};
