// A node is a network namespace on the host bridge, laid out like a node running the CNI bridge
// plugin: eth0 with the node IP, a `cni0` bridge holding its pod CIDR's gateway, ip_forward on (in
// the namespace only), bridge-nf-call-iptables on so kube-proxy's rules see bridged pod traffic
// (hairpin, pod to pod on one node), host-gw routes to the other nodes' pod CIDRs, and a route for
// the service CIDR because the routing decision is taken before kube-proxy's DNAT for local traffic.
// Nodes get no default route: the host (.1) is on-link through eth0, and nothing leaves the bridge.
import {
  type NetnsEnv,
  checkNodeNumber,
  netnsEnv,
  nodeHostVeth,
  nodeIP,
  nodeNamespace,
  ownNamespace,
  podCIDROf,
  podGateway,
} from './config.js';
import { listNamespaces } from './host.js';
import { ipCommand } from './ip-command.js';
import { EXISTS, GONE, mustRun } from './runner.js';

export interface NodeNet {
  n: number;
  /** The node's network namespace, e.g. `kubesvc-node-1`. */
  namespace: string;
  /** Host side of the node's veth on the host bridge, e.g. `ksn1`. */
  hostVeth: string;
  nodeIP: string;
  /** e.g. `10.244.1.0/24`. */
  podCIDR: string;
  /** cni0's address, every pod's default gateway. */
  gateway: string;
  /** Whether net.bridge.bridge-nf-call-iptables=1 took inside the namespace (needs br_netfilter; per netns since Linux 5.3). */
  bridgeNfCallIptables: boolean;
  /** Prefix that runs a command inside the node: `[...exec, 'iptables-restore', ...]`. */
  exec: string[];
  env: NetnsEnv;
}

/** A NodeNet for node n without touching the kernel (for an agent that restarts, or deleteNode). */
export function nodeNet(n: number, env: NetnsEnv = netnsEnv()): NodeNet {
  checkNodeNumber(n);
  const namespace = nodeNamespace(env, n);
  return {
    n,
    namespace,
    hostVeth: nodeHostVeth(env, n),
    nodeIP: nodeIP(env, n),
    podCIDR: podCIDROf(env, n),
    gateway: podGateway(env, n),
    bridgeNfCallIptables: false,
    // Absolute: callers may spawn it with an environment whose PATH has no `ip` (see ip-command.ts).
    exec: [ipCommand(), 'netns', 'exec', namespace],
    env,
  };
}

/** Node numbers of the nodes that exist now, so host-gw routes also reach nodes made by other processes. */
export async function existingNodes(env: NetnsEnv): Promise<number[]> {
  return nodesIn(env, await listNamespaces(env));
}

function nodesIn(env: NetnsEnv, names: string[]): number[] {
  const head = `${env.prefix}-node-`;
  return names.filter((s) => ownNamespace(env, s) === 'node').map((s) => Number(s.slice(head.length)));
}

/** Creates node n (idempotent: rerunning it repairs a half-made node). ensureHostBridge must have run. */
export async function createNode(n: number, env: NetnsEnv = netnsEnv()): Promise<NodeNet> {
  const node = nodeNet(n, env);
  const r = env.runner;
  const ns = node.namespace;
  const inNode = { netns: ns };
  const names = await listNamespaces(env);
  const others = nodesIn(env, names).filter((m) => m !== n);
  if (!names.includes(ns)) await mustRun(r, ['ip', 'netns', 'add', ns], { tolerate: EXISTS });

  await mustRun(r, ['ip', 'link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], { tolerate: EXISTS });
  await mustRun(r, ['ip', 'link', 'set', node.hostVeth, 'master', env.bridge]);
  await mustRun(r, ['ip', 'link', 'set', node.hostVeth, 'up']);
  await mustRun(r, ['ip', 'link', 'set', 'lo', 'up'], inNode);
  await mustRun(r, ['ip', 'addr', 'replace', `${node.nodeIP}/24`, 'dev', 'eth0'], inNode);
  await mustRun(r, ['ip', 'link', 'set', 'eth0', 'up'], inNode);

  // Both sysctls are per network namespace, so the host's own values stay as they are.
  await mustRun(r, ['sysctl', '-w', 'net.ipv4.ip_forward=1'], inNode);
  const nf = await r.run(['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=1'], inNode);
  node.bridgeNfCallIptables = nf.code === 0;

  await mustRun(r, ['ip', 'link', 'add', 'cni0', 'type', 'bridge'], { ...inNode, tolerate: EXISTS });
  await mustRun(r, ['ip', 'addr', 'replace', `${node.gateway}/24`, 'dev', 'cni0'], inNode);
  await mustRun(r, ['ip', 'link', 'set', 'cni0', 'up'], inNode);

  // `dev eth0` rather than via the host: a ClusterIP nobody DNATs then dies on the node bridge
  // instead of reaching a host that might forward it to the real network.
  await mustRun(r, ['ip', 'route', 'replace', env.serviceCIDR, 'dev', 'eth0', 'src', node.nodeIP], inNode);
  for (const m of others) {
    const other = nodeNet(m, env);
    await mustRun(r, ['ip', 'route', 'replace', other.podCIDR, 'via', other.nodeIP, 'dev', 'eth0'], inNode);
    await mustRun(r, ['ip', 'route', 'replace', node.podCIDR, 'via', node.nodeIP, 'dev', 'eth0'], { netns: other.namespace });
  }
  return node;
}

/**
 * Host-gw routes between every pair of these nodes (idempotent). createNode adds them for the nodes
 * that exist when it runs; nodes created side by side call this once they all exist.
 */
export async function connectNodes(nodes: NodeNet[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      for (const other of nodes) {
        if (other.n === node.n) continue;
        await mustRun(node.env.runner, ['ip', 'route', 'replace', other.podCIDR, 'via', other.nodeIP, 'dev', 'eth0'], { netns: node.namespace });
      }
    }),
  );
}

/** Removes node n: the other nodes' routes to it, its host veth and its namespace. Delete its pods first. */
export async function deleteNode(node: NodeNet): Promise<void> {
  const env = node.env;
  const r = env.runner;
  for (const m of await existingNodes(env)) {
    if (m === node.n) continue;
    await mustRun(r, ['ip', 'route', 'del', node.podCIDR], { netns: nodeNamespace(env, m), tolerate: GONE });
  }
  await mustRun(r, ['ip', 'link', 'del', node.hostVeth], { tolerate: GONE });
  await mustRun(r, ['ip', 'netns', 'del', node.namespace], { tolerate: GONE });
}
