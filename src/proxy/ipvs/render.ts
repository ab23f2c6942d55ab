// The whole IPVS rule set as `kubesvc proxy rules --mode ipvs` prints it: the four things
// upstream's IPVS mode programs, each in its own tool's format under a comment header, so each
// section can be cut out and fed to its tool (ip, ipset restore, ipvsadm --restore, iptables-restore).
import type { RulesInput } from '../rules.js';
import { renderIPSets } from './ipset.js';
import { renderIPVSIptables, renderJumpRules } from './iptables.js';
import { renderDummyDevice, renderIPVSAdm } from './ipvsadm.js';
import { buildIPVSPlan, type IPVSOptions } from './plan.js';

export const sectionHeaders = {
  dummy: '# ==== kube-ipvs0 dummy device: every address IPVS serves (ip) ====',
  ipset: '# ==== ipsets (ipset restore -exist) ====',
  ipvs: '# ==== IPVS virtual and real servers (ipvsadm --restore) ====',
  iptables: '# ==== iptables rules (iptables-restore --noflush) ====',
} as const;

export function renderIPVS(input: RulesInput, opts: IPVSOptions = {}): string {
  const plan = buildIPVSPlan(input, opts);
  return [
    sectionHeaders.dummy,
    renderDummyDevice(plan.bindAddresses),
    sectionHeaders.ipset,
    renderIPSets(plan.ipsets),
    sectionHeaders.ipvs,
    renderIPVSAdm(plan.virtualServers),
    sectionHeaders.iptables,
    '# jumps from the built-in chains, ensured outside the restore as upstream does:',
    renderJumpRules().replace(/^/gm, '#   ').replace(/#   $/, ''),
    renderIPVSIptables({
      ipsets: plan.ipsets,
      lbNoNodeAccess: plan.lbNoNodeAccess,
      ...(input.clusterCIDR ? { clusterCIDR: input.clusterCIDR } : {}),
    }),
  ].join('\n');
}
