// How the node agent gives a pod its network — the part a CNI plugin plays for the kubelet. In
// loopback mode every pod shares the machine's stack and only gets an address of its own, which its
// programs must bind; in netns mode each pod is a network namespace joined to its node's bridge,
// and every process of the pod (containers, exec sessions, exec probes and hooks) starts inside it.
import type { Pod } from '../api/core.js';

export interface PodNetwork {
  /** 'loopback': programs bind POD_IP; 'netns': programs bind 0.0.0.0 as in real Kubernetes. */
  readonly kind: 'loopback' | 'netns';
  /**
   * Creates the pod's network with address ip (idempotent: a restarted agent calls it again for a
   * running pod). Called after IPAM and before the pod's first container starts; not for
   * hostNetwork pods. A rejection is a FailedCreatePodSandBox event and a retry.
   */
  setUp(pod: Pod, ip: string): Promise<void>;
  /** Removes what setUp made (absent parts are fine). Called once every process of the pod is gone. */
  tearDown(podUID: string): Promise<void>;
  /**
   * The argv prefix that starts a program inside the pod's network (e.g. `ip netns exec <ns>`), or
   * [] to start it as is. hostNetwork pods get the node's network.
   */
  execPrefix(pod: Pod): string[];
}

/** Loopback mode: nothing to create; processes start as they are. */
export const loopbackPodNetwork: PodNetwork = {
  kind: 'loopback',
  async setUp() {},
  async tearDown() {},
  execPrefix: () => [],
};

/** The environment variable that tells the built-in images which kind of pod network they run in. */
export const POD_NETWORK_ENV = 'KUBESVC_POD_NETWORK';
