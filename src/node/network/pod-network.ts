// netns mode's PodNetwork: what the CNI bridge plugin does for a kubelet. setUp builds the pod's
// namespace and veth on the node's cni0 with the IP the agent's IPAM chose, and writes the pod's
// resolv.conf as the kubelet computes it; programs start through `ip netns exec <pod-ns>`, which
// also bind-mounts that resolv.conf over /etc/resolv.conf for them.
import { readFileSync } from 'node:fs';
import type { Pod } from '../../api/core.js';
import { formatResolvConf, parseResolvConf, podResolvConfig, type ResolvConfig } from '../../dns/pod-dns.js';
import type { PodNetwork } from '../pod-network.js';
import { podNamespace } from './config.js';
import { ipCommand } from './ip-command.js';
import type { NodeNet } from './node.js';
import { createPodNetwork, deletePodNetwork } from './pod.js';

export interface NetnsPodNetworkOptions {
  /** The kube-dns ClusterIP. */
  clusterDNS?: string;
  clusterDomain?: string;
  /** The node's resolv.conf (what dnsPolicy Default means); default: this machine's /etc/resolv.conf. */
  hostResolvConf?: ResolvConfig;
}

function machineResolvConf(): ResolvConfig {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

export function netnsPodNetwork(node: NodeNet, o: NetnsPodNetworkOptions = {}): PodNetwork {
  const host = o.hostResolvConf ?? machineResolvConf();
  return {
    kind: 'netns',
    async setUp(pod: Pod, ip: string) {
      const conf = podResolvConfig(pod, {
        clusterDNS: o.clusterDNS ? [o.clusterDNS] : [],
        ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
        host,
      });
      await createPodNetwork(node, pod.metadata.uid!, ip, formatResolvConf(conf));
    },
    async tearDown(podUID: string) {
      await deletePodNetwork(node, podUID);
    },
    execPrefix(pod: Pod) {
      // A host-network pod shares its node's namespace, as it shares the node's on a real cluster.
      if (pod.spec.hostNetwork) return node.exec;
      // `ip` by absolute path: the prefix is spawned with the container's env, whose PATH may not
      // hold it (the program after the prefix is still looked up in that PATH, as it should be).
      return [ipCommand(), 'netns', 'exec', podNamespace(node.env, pod.metadata.uid!)];
    },
  };
}
