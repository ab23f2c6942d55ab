// kube-proxy's IPVS mode for kubesvc: a pure renderer of what upstream's IPVS proxier programs
// (see plan.ts), the Provider that applies it (provider.ts), and the kernel check that keeps
// `--proxy-mode ipvs` from starting where the kernel has no IPVS.
export { ipvsMode } from './mode.js';
export { ipvsScheduler } from '../rule-renderers.js';

export { buildIPVSPlan, chooseRealServers, defaultScheduler, ipvsSchedulers, isIPVSScheduler } from './plan.js';
export type { IPVSOptions, IPVSPlan, IPVSScheduler, RealServer, VirtualServer, VirtualServerKind } from './plan.js';
export { ipsetInfo, renderIPSets, S as ipsetNames } from './ipset.js';
export { renderIPVSAdm, renderDummyDevice, dummyDevice } from './ipvsadm.js';
export { renderIPVSIptables, masqueradeMark } from './iptables.js';
export { renderIPVS, sectionHeaders } from './render.js';
export { checkIPVSSupport, ipvsUnsupportedMessage, modesWithoutIPVS, ipvsTools, missingIPVSTools, ipvsToolsMissingMessage, onPath } from './support.js';
export type { IPVSSupport, KernelProbe, NetworkMode } from './support.js';
export { IpvsProvider, ipvsSysctls } from './provider.js';
export type { IpvsProviderOptions, IpvsSyncStats } from './provider.js';
export { parseIPVSSave, parseIPAddrShow, parseIPSetSave, vsKey } from './state.js';
export type { IPVSState, IPVSVirtualServerState, IPVSRealServerState } from './state.js';
