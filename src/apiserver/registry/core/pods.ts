// core/v1 pods (upstream's pkg/registry/core/pod): a new pod starts Pending; a pod bound to a
// node is deleted gracefully (its node agent stops the containers, then removes it), an unbound
// one at once. Subresources: binding (the scheduler's), and log, exec and port-forward, which
// reach the pod's node through PodNodeAccess only.
import type { Node, Pod } from '../../../api/core.js';
import { setDefaultsPod } from '../../../api/defaults/pod.js';
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from '../../../api/validation/pod.js';
import { fields, resourceInfo } from '../../resources.js';
import { podPrinter } from '../../tables/pod.js';
import { podStreamingSubresources, type PodNodeAccess } from '../../pods/index.js';
import { entry, type RegistryDeps } from '../entry.js';
import { podProxyREST } from './pod-proxy.js';
import { bindingREST } from '../pod-binding.js';
import { admitPodServiceAccount, serviceAccountLookup } from '../pod-serviceaccount.js';
import { keepStatus } from '../strategy.js';
import { admitDefaultTolerationSeconds } from '../pod-default-tolerations.js';
import { chainAdmit } from '../../store/hooks.js';

function podNodeAccess(deps: RegistryDeps): PodNodeAccess {
  return {
    pod: async (namespace, name) => (await deps.store('', 'pods').get(namespace, name)).obj as Pod,
    node: async (name) => (await deps.store('', 'nodes').get(undefined, name)).obj as Node,
    kubelet: deps.kubelet,
  };
}

export const pods = entry<Pod>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'proxy'],
    fieldSelectors: fields(
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ),
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsPod,
    prepareForCreate(pod) {
      pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
      admitPodServiceAccount(pod);
    },
    prepareForUpdate: keepStatus,
    validateCreate: validatePodCreate,
    validateUpdate: validatePodUpdate,
    validateStatusUpdate: validatePodStatusUpdate,
  },
  hooks: (deps) => ({
    // upstream's DefaultTolerationSeconds, then its ServiceAccount admission: with the lookup on, the pod's account must exist.
    admit: chainAdmit(
      deps.admission.defaultTolerationSeconds ? admitDefaultTolerationSeconds(deps.admission.defaultTolerationSeconds) : undefined,
      deps.admission.serviceAccountLookup ? serviceAccountLookup(() => deps.store('', 'serviceaccounts')) : undefined,
    ),
    gracePeriodSeconds(obj, requested) {
      const pod = obj as Pod;
      if (!pod.spec?.nodeName) return 0;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      return Math.max(0, grace);
    },
  }),
  subresources: (deps) => ({
    binding: bindingREST(deps.store('', 'pods')),
    ...podStreamingSubresources(podNodeAccess(deps)),
    proxy: podProxyREST(deps),
  }),
  printer: podPrinter,
});
