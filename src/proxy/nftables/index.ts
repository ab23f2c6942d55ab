// kube-proxy's nftables mode: a pure renderer of the proxy maps to an `nft -f` transaction for
// table `ip kube-proxy`, and a Provider applying it incrementally through a RuleExecutor.
import type { RulesInput } from '../rules.js';
import { renderFull, type NftablesOptions } from './render.js';

export { nftablesMode } from './mode.js';

/** The same, with options (endpoint selection style, mark, service CIDRs, node labels). */
export function renderNftables(input: RulesInput, opts: NftablesOptions = {}): string {
  return renderFull(input, opts);
}

export type { NftablesOptions } from './render.js';
export type { EndpointSelection } from './servicerules.js';
export { NftablesProvider, type NftablesProviderOptions } from './provider.js';
export { hashAndTruncate, servicePortChainNameBase, servicePortEndpointChainNameBase } from './names.js';
