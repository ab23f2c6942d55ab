// The nftables mode as the mode registry (../modes.ts) knows it.
import { netnsExecutor } from '../executor.js';
import { execOptions, type KernelProxyMode } from '../mode.js';
import { NftablesProvider } from './provider.js';
import { endpointSelection, ruleRenderers } from '../rule-renderers.js';

export const nftablesMode: KernelProxyMode = {
  name: 'nftables',
  kernel: true,
  ...ruleRenderers.nftables,
  async newProvider(opts) {
    return new NftablesProvider({
      nodeName: opts.nodeName,
      nodeIPs: [opts.nodeIP],
      // Byte counts for the traffic figures: conntrack accounting, set only inside a node's namespace.
      conntrackAccounting: !!opts.netns,
      ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
      ...(opts.layout ? { endpointSelection: endpointSelection(opts.layout) } : {}),
      // IPv4 only, like the proxy: an IPv6 range is ignored, as upstream filters by family.
      ...(opts.serviceCIDR && !opts.serviceCIDR.includes(':') ? { serviceCIDRs: [opts.serviceCIDR] } : {}),
      executor: netnsExecutor(opts.netns, execOptions(opts)),
    });
  },
};
