// A pod's network as the CNI bridge plugin with host-local IPAM leaves it: its own namespace, a veth
// whose host side sits on the node's cni0 with hairpin on (so a pod reaches itself through its own
// Service), `eth0` inside with the pod IP and a default route via cni0's gateway. Its resolv.conf
// lives in /etc/netns/<ns>/, which `ip netns exec` bind-mounts over /etc/resolv.conf.
import { type NetnsEnv, podHostVeth, podNamespace } from './config.js';
import type { NodeNet } from './node.js';
import { listNamespaces } from './host.js';
import { ipCommand } from './ip-command.js';
import { EXISTS, GONE, mustRun } from './runner.js';

export interface PodNet {
  podUID: string;
  /** `kubesvc-pod-<the whole UID, 32 hex>`. */
  namespace: string;
  ip: string;
  /** Host side of the pod's veth, inside the node namespace. */
  hostVeth: string;
  node: NodeNet;
  resolvConfPath: string;
  /** Prefix that starts a process inside the pod: `spawn(exec[0], [...exec.slice(1), cmd, ...args])`. */
  exec: string[];
}

function podNet(node: NodeNet, podUID: string, ip: string): PodNet {
  const env: NetnsEnv = node.env;
  const namespace = podNamespace(env, podUID);
  return {
    podUID,
    namespace,
    ip,
    hostVeth: podHostVeth(podUID),
    node,
    resolvConfPath: `${env.etcNetns}/${namespace}/resolv.conf`,
    exec: [ipCommand(), 'netns', 'exec', namespace],
  };
}

/** ip must lie in node.podCIDR (the node agent's IPAM hands it out); .0, .1 (gateway) and .255 are refused. */
function checkPodIP(node: NodeNet, ip: string): void {
  const base = node.podCIDR.slice(0, node.podCIDR.lastIndexOf('.') + 1);
  const last = Number(ip.slice(base.length));
  if (!ip.startsWith(base) || !/^\d{1,3}$/.test(ip.slice(base.length)) || last < 2 || last > 254) {
    throw new Error(`pod IP ${ip} is not a usable address of node ${node.n}'s pod CIDR ${node.podCIDR}`);
  }
}

/** Creates the pod's namespace and wiring (idempotent). Start its processes with `[...pod.exec, ...]`. */
export async function createPodNetwork(node: NodeNet, podUID: string, ip: string, resolvConf: string): Promise<PodNet> {
  checkPodIP(node, ip);
  const pod = podNet(node, podUID, ip);
  const r = node.env.runner;
  const ns = pod.namespace;
  const inNode = { netns: node.namespace };
  const inPod = { netns: ns };
  const existed = (await listNamespaces(node.env)).includes(ns);
  if (!existed) await mustRun(r, ['ip', 'netns', 'add', ns], { tolerate: EXISTS });
  // Written before any process starts: `ip netns exec` only bind-mounts what exists at that moment.
  await node.env.files.write(pod.resolvConfPath, resolvConf);

  await mustRun(r, ['ip', 'link', 'add', pod.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], { ...inNode, tolerate: EXISTS });
  await mustRun(r, ['ip', 'link', 'set', pod.hostVeth, 'master', 'cni0'], inNode);
  await mustRun(r, ['ip', 'link', 'set', pod.hostVeth, 'type', 'bridge_slave', 'hairpin', 'on'], inNode);
  await mustRun(r, ['ip', 'link', 'set', pod.hostVeth, 'up'], inNode);

  await mustRun(r, ['ip', 'link', 'set', 'lo', 'up'], inPod);
  await mustRun(r, ['ip', 'addr', 'replace', `${ip}/24`, 'dev', 'eth0'], inPod);
  if (existed) {
    // A namespace kept from an earlier run (or set up again) keeps only the IP the pod has now: an
    // address it had before may be another pod's by now, and two answers to ARP on cni0 must not be.
    const shown = (await mustRun(r, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], inPod)).stdout;
    for (const m of shown.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)/g)) {
      if (m[1] !== `${ip}/24`) await mustRun(r, ['ip', 'addr', 'del', m[1]!, 'dev', 'eth0'], { ...inPod, tolerate: GONE });
    }
  }
  await mustRun(r, ['ip', 'link', 'set', 'eth0', 'up'], inPod);
  await mustRun(r, ['ip', 'route', 'replace', 'default', 'via', node.gateway, 'dev', 'eth0'], inPod);
  return pod;
}

/**
 * Removes the pod's veth, namespace and /etc/netns dir (absent parts are fine). The veth goes first
 * because a namespace outlives `ip netns del` while a process still runs in it.
 */
export async function deletePodNetwork(node: NodeNet, podUID: string): Promise<void> {
  const pod = podNet(node, podUID, '');
  const r = node.env.runner;
  await mustRun(r, ['ip', 'link', 'del', pod.hostVeth], { netns: node.namespace, tolerate: GONE });
  await mustRun(r, ['ip', 'netns', 'del', pod.namespace], { tolerate: GONE });
  await node.env.files.removeDir(`${node.env.etcNetns}/${pod.namespace}`);
}
