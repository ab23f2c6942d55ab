// The rules in built-in chains that lead into kube-proxy's chains (upstream's iptablesJumpChains
// and iptablesKubeletJumpChains). They cannot go through iptables-restore as table content
// without flushing PREROUTING, INPUT and the rest, so a full sync inserts (-I) only those that
// iptables-save does not show, and stop() deletes (-D) those that are there.
import {
  kubeExternalServicesChain,
  kubeForwardChain,
  kubeletFirewallChain,
  kubeNodePortsChain,
  kubePostroutingChain,
  kubeProxyFirewallChain,
  kubeServicesChain,
} from './names.js';

export interface JumpRule {
  table: 'filter' | 'nat';
  /** Built-in chain holding the jump. */
  from: string;
  /** Rule body after "-A <from> ", in iptables-save's spelling. */
  spec: string;
  /** Our chain it jumps to (declared in the same restore so the jump is valid). */
  to: string;
}

const ctNew = '-m conntrack --ctstate NEW ';
const c = (s: string): string => `-m comment --comment "${s}" `;

export function jumpRules(localhostNodePorts: boolean): JumpRule[] {
  const j = (table: JumpRule['table'], from: string, pre: string, to: string): JumpRule => ({ table, from, spec: `${pre}-j ${to}`, to });
  const rules = [
    j('filter', 'INPUT', ctNew + c('kubernetes externally-visible service portals'), kubeExternalServicesChain),
    j('filter', 'FORWARD', ctNew + c('kubernetes externally-visible service portals'), kubeExternalServicesChain),
    j('filter', 'INPUT', c('kubernetes health check service ports'), kubeNodePortsChain),
    j('filter', 'FORWARD', ctNew + c('kubernetes service portals'), kubeServicesChain),
    j('filter', 'OUTPUT', ctNew + c('kubernetes service portals'), kubeServicesChain),
    j('filter', 'FORWARD', c('kubernetes forwarding rules'), kubeForwardChain),
    j('filter', 'INPUT', ctNew + c('kubernetes load balancer firewall'), kubeProxyFirewallChain),
    j('filter', 'OUTPUT', ctNew + c('kubernetes load balancer firewall'), kubeProxyFirewallChain),
    j('filter', 'FORWARD', ctNew + c('kubernetes load balancer firewall'), kubeProxyFirewallChain),
    j('nat', 'OUTPUT', c('kubernetes service portals'), kubeServicesChain),
    j('nat', 'PREROUTING', c('kubernetes service portals'), kubeServicesChain),
    j('nat', 'POSTROUTING', c('kubernetes postrouting rules'), kubePostroutingChain),
  ];
  if (localhostNodePorts) {
    rules.push(j('filter', 'INPUT', '', kubeletFirewallChain), j('filter', 'OUTPUT', '', kubeletFirewallChain));
  }
  return rules;
}

export function jumpLine(r: JumpRule): string {
  return `-A ${r.from} ${r.spec}`;
}
