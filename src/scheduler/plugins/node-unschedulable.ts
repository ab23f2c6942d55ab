// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint, as DaemonSet pods do.
import { podTolerations, toleratesTaint } from '../../api/scheduling/taints.js';
import { unresolvable, type Plugin } from '../framework/types.js';

export const reasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  weight: 0,
  cycle(pod) {
    const tolerated = podTolerations(pod).some((t) => toleratesTaint(t, unschedulableTaint));
    return {
      filter: (ni) => (ni.node.spec?.unschedulable && !tolerated ? unresolvable(reasonUnschedulable) : undefined),
    };
  },
};
