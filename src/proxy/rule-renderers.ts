// How each kernel mode turns a node's Services and endpoints into its tools' own text (iptables-restore
// input, `nft -f` input, IPVS sections). The mode registry (modes.ts) gives each kernel mode its
// renderer from this table; the live view's rules panel imports the table alone, because the modes'
// Providers need Node.js (child processes) and this does not.
import { renderIptables } from './iptables/render.js';
import { defaultScheduler, ipvsSchedulers, isIPVSScheduler, type IPVSScheduler } from './ipvs/plan.js';
import { renderIPVS } from './ipvs/render.js';
import { renderFull as renderNftables } from './nftables/render.js';
import type { RulesInput } from './rules.js';
import { defaultProxyLayout, isProxyLayout, proxyLayouts, type ProxyLayout } from './options.js';
import type { EndpointSelection } from './nftables/servicerules.js';

export interface RenderOptions {
  /** ipvs: --ipvs-scheduler. */
  ipvsScheduler?: string;
  /** iptables, nftables: --proxy-layout (upstream or inline). */
  layout?: string;
}

export interface RuleRenderer {
  /** Throws a RangeError naming the flag when an option is not one this mode takes. */
  checkOptions?(opts: RenderOptions): void;
  render(input: RulesInput, opts?: RenderOptions): string;
}

/** --ipvs-scheduler, checked: throws upstream's list of schedulers for anything else. */
export function ipvsScheduler(s: string | undefined): IPVSScheduler {
  const scheduler = s ?? defaultScheduler;
  if (!isIPVSScheduler(scheduler)) throw new RangeError(`--ipvs-scheduler must be one of ${ipvsSchedulers.join(', ')}, not ${JSON.stringify(scheduler)}`);
  return scheduler;
}

/** --proxy-layout, checked: throws the valid layouts for anything else. */
export function proxyLayout(s: string | undefined): ProxyLayout {
  const layout = s ?? defaultProxyLayout;
  if (!isProxyLayout(layout)) throw new RangeError(`--proxy-layout must be one of ${proxyLayouts.join(', ')}, not ${JSON.stringify(layout)}`);
  return layout;
}

/** The nftables renderer's endpoint selection for a layout: upstream's is the numgen vmap. */
export function endpointSelection(layout: ProxyLayout): EndpointSelection {
  return layout === 'upstream' ? 'vmap' : 'inline';
}

export type KernelModeName = 'iptables' | 'nftables' | 'ipvs';

export const ruleRenderers: Record<KernelModeName, RuleRenderer> = {
  iptables: {
    checkOptions: (opts) => void proxyLayout(opts.layout),
    render: (input, opts) => renderIptables(input, { layout: proxyLayout(opts?.layout) }).text,
  },
  nftables: {
    checkOptions: (opts) => void proxyLayout(opts.layout),
    render: (input, opts) => renderNftables(input, { endpointSelection: endpointSelection(proxyLayout(opts?.layout)) }),
  },
  ipvs: {
    checkOptions: (opts) => void ipvsScheduler(opts.ipvsScheduler),
    render: (input, opts) => renderIPVS(input, { scheduler: ipvsScheduler(opts?.ipvsScheduler) }),
  },
};
