// VolumeBinding in the default profile (the rules are in ../volume-binding.ts): its PreFilter
// rejects every node at once (missing or unbound Immediate claims), its Filter judges each node's
// fit for the pod's volumes. Upstream reports both as UnschedulableAndUnresolvable: evicting pods
// frees no volume.
import { volumeFilter, volumePreFilter } from '../volume-binding.js';
import { unresolvable, type Plugin } from '../framework/types.js';

export const volumeBinding: Plugin = {
  name: 'VolumeBinding',
  weight: 0,
  cycle(pod, snapshot) {
    const objs = snapshot.volumes;
    if (!objs) return {};
    const rejected = volumePreFilter(pod, objs);
    if (rejected) return { preFilter: { reject: unresolvable(rejected) } };
    return {
      filter: (ni) => {
        const why = volumeFilter(pod, ni.node, objs);
        return why ? unresolvable(why) : undefined;
      },
    };
  },
};
