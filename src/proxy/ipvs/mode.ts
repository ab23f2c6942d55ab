// The IPVS mode as the mode registry (../modes.ts) knows it: checked before anything starts, so a
// kernel without IPVS (or a machine without its tools) stops with a message instead of a sync
// loop failing forever.
import { netnsExecutor } from '../executor.js';
import { execOptions, type KernelProxyMode } from '../mode.js';
import { IpvsProvider } from './provider.js';
import { ipvsScheduler, ruleRenderers } from '../rule-renderers.js';
import { checkIPVSSupport, ipvsToolsMissingMessage, ipvsUnsupportedMessage, missingIPVSTools } from './support.js';

export const ipvsMode: KernelProxyMode = {
  name: 'ipvs',
  kernel: true,
  ...ruleRenderers.ipvs,
  async newProvider(opts) {
    const support = checkIPVSSupport();
    if (!support.ok) throw new Error(ipvsUnsupportedMessage(support.reason ?? 'unknown reason', opts.netns ? 'netns' : undefined));
    const missing = missingIPVSTools();
    if (missing.length > 0) throw new Error(ipvsToolsMissingMessage(missing));
    return new IpvsProvider({
      nodeName: opts.nodeName,
      nodeIPs: [opts.nodeIP],
      // Byte counts for the traffic figures: conntrack accounting, set only inside a node's namespace.
      conntrackAccounting: !!opts.netns,
      ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
      scheduler: ipvsScheduler(opts.ipvsScheduler),
      executor: netnsExecutor(opts.netns, execOptions(opts)),
      // The vs.* sysctls are per namespace: set inside a node's, never on the host (as route_localnet).
      setSysctls: !!opts.netns,
    });
  },
};
