// NodePorts: a pod's hostPorts must be free on the node. A port bound on 0.0.0.0 (hostIP unset)
// takes it on every address, so it conflicts with the same protocol and port on any hostIP.
import type { Pod } from '../../api/core.js';
import { unschedulable, type Plugin } from '../framework/types.js';

export const reasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

const anyIP = '0.0.0.0';

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || anyIP, port: p.hostPort });
    }
  }
  return out;
}

const conflicts = (a: HostPort, b: HostPort) => a.protocol === b.protocol && a.port === b.port && (a.ip === b.ip || a.ip === anyIP || b.ip === anyIP);

export const nodePorts: Plugin = {
  name: 'NodePorts',
  weight: 0,
  cycle(pod) {
    const wanted = hostPorts(pod);
    return {
      filter(ni) {
        if (wanted.length === 0) return undefined;
        const used = ni.pods.flatMap(hostPorts);
        return wanted.some((w) => used.some((u) => conflicts(w, u))) ? unschedulable(reasonNodePorts) : undefined;
      },
    };
  },
};
