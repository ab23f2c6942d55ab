// Nodes and pods for the scheduler's plugin tables, sized as a kubelet would report them.
import type { Node, Pod } from '../../../src/api/core.js';
import { buildSnapshot } from '../../../src/scheduler/framework/snapshot.js';
import type { NodeInfo, Snapshot } from '../../../src/scheduler/framework/types.js';

export function mkNode(name: string, o: { labels?: Record<string, string>; allocatable?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export interface PodOpts {
  namespace?: string;
  labels?: Record<string, string>;
  node?: string;
  requests?: Record<string, string>;
  affinity?: unknown;
  spread?: unknown[];
  terminating?: boolean;
}

export function mkPod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ...(o.requests ? { resources: { requests: o.requests } } : {}) }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.spread ? { topologySpreadConstraints: o.spread } : {}),
    },
    status: { phase: o.node ? 'Running' : 'Pending' },
  };
}

export function snap(nodes: Node[], pods: Pod[] = [], namespaces: Record<string, Record<string, string>> = {}): Snapshot {
  return buildSnapshot(nodes, pods, (ns) => namespaces[ns]);
}

export const infoOf = (s: Snapshot, name: string): NodeInfo => s.nodes.find((n) => n.node.metadata.name === name)!;

import type { Pod as PodT } from '../../../src/api/core.js';
import type { Plugin } from '../../../src/scheduler/framework/types.js';

/** Each node's filter verdict: '' when it fits, else `<code>: <reasons>`. */
export function filterAll(plugin: Plugin, pod: PodT, s: Snapshot): Record<string, string> {
  const c = plugin.cycle(pod, s);
  const out: Record<string, string> = {};
  for (const ni of s.nodes) {
    const st = c.filter?.(ni);
    out[ni.node.metadata.name!] = st ? `${st.code}: ${st.reasons.join('; ')}` : '';
  }
  return out;
}

/** Normalized scores of the given (feasible) nodes, by name. */
export function scoreAll(plugin: Plugin, pod: PodT, s: Snapshot, feasible = s.nodes): Record<string, number> {
  const c = plugin.cycle(pod, s);
  c.preScore?.(feasible);
  const scores = feasible.map((ni) => c.score?.(ni) ?? 0);
  c.normalize?.(scores, feasible);
  return Object.fromEntries(feasible.map((ni, i) => [ni.node.metadata.name!, scores[i]!]));
}
