// The iptables mode as the mode registry (../modes.ts) knows it.
import { netnsExecutor } from '../executor.js';
import { execOptions, type KernelProxyMode } from '../mode.js';
import { IptablesProvider } from './provider.js';
import { ruleRenderers } from '../rule-renderers.js';
import { prepareRouteLocalnet } from './sysctl.js';

export const iptablesMode: KernelProxyMode = {
  name: 'iptables',
  kernel: true,
  ...ruleRenderers.iptables,
  async newProvider(opts) {
    const executor = netnsExecutor(opts.netns, execOptions(opts));
    // Before anything is programmed, as upstream's NewProxier: set inside the node's namespace,
    // only read on the host (see sysctl.ts).
    const localhostNodePorts = await prepareRouteLocalnet(executor, opts.netns);
    return new IptablesProvider({
      nodeName: opts.nodeName,
      nodeIPs: [opts.nodeIP],
      // Byte counts for the traffic figures: conntrack accounting, set only inside a node's namespace.
      conntrackAccounting: !!opts.netns,
      ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
      executor,
      localhostNodePorts,
      ...(opts.layout ? { layout: opts.layout } : {}),
      // A node's namespace holds only what this proxy writes: full syncs replace the tables whole.
      ownsTables: !!opts.netns,
    });
  },
};
