// The contract between the kernel proxy modes (iptables, nftables, IPVS) and what drives them:
// each mode renders its whole rule set as a pure function of the proxy maps, in its tool's own
// text format; the code that feeds the text to iptables-restore / nft / ipvsadm is separate and
// injectable (RuleExecutor), so golden tests need no root. `kubesvc proxy rules --mode M` prints
// the rendering for the cluster's current state.
import type { EndpointsMap, ServicePortMap } from './types.js';

export interface RulesInput {
  serviceMap: ServicePortMap;
  endpointsMap: EndpointsMap;
  nodeName: string;
  /** The node's own addresses (NodePorts answer on these). */
  nodeIPs: string[];
  /** The cluster's pod range (upstream's --cluster-cidr), for masquerading traffic from outside it. */
  clusterCIDR?: string;
}

/** Runs a mode's tool with `input` on stdin, in the node's network namespace. */
export interface RuleExecutor {
  run(argv: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}
