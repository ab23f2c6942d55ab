// kube-proxy's iptables mode: the pure renderer (golden-tested against upstream) and the Provider
// that applies it with one iptables-restore --noflush per sync.
export { iptablesMode } from './mode.js';
export { renderIptables, largeClusterEndpointsThreshold, type IptablesOptions, type IptablesRendering } from './render.js';
export { endpointChainName, portProtoHash, serviceChains, isServiceChainName } from './names.js';
export { IptablesProvider, withJumps, type IptablesProviderOptions, type IptablesSyncStats } from './provider.js';
export { parseIptablesSave } from './save.js';
export { jumpRules } from './jumps.js';
