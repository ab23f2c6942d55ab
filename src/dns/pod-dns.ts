// What a pod's /etc/resolv.conf says, as the kubelet computes it (pkg/kubelet/network/dns):
// dnsPolicy picks cluster DNS or the node's resolvers, dnsConfig is appended, duplicates go.
// For the node agent to write into each pod's view; pure, so it is tested without a pod.
import type { Pod } from '../api/core.js';

export interface ResolvConfig {
  nameservers: string[];
  searches: string[];
  /** "ndots:5", "edns0", ... */
  options: string[];
}

export interface PodDNSInputs {
  /** The kube-dns ClusterIP(s); empty when the cluster has no DNS (then ClusterFirst means the node's). */
  clusterDNS: string[];
  clusterDomain?: string;
  /** The node's own resolv.conf (what `Default` means). */
  host: ResolvConfig;
}

/** The kubelet's limits: glibc reads three nameservers; search lines are bounded too. */
export const MAX_NAMESERVERS = 3;
export const MAX_SEARCHES = 32;

const unique = (xs: string[]) => [...new Set(xs)];

/** Options by name, later ones replacing earlier ones (kubelet mergeDNSOptions). */
function mergeOptions(base: string[], extra: { name: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0]!, o);
  for (const o of extra) byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

export function podResolvConfig(pod: Pod, inputs: PodDNSInputs): ResolvConfig {
  const domain = (inputs.clusterDomain ?? 'cluster.local').replace(/\.$/, '');
  const ns = pod.metadata.namespace ?? 'default';
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  // ClusterFirst on the host network means the node's resolvers; ClusterFirstWithHostNet does not.
  let kind: 'cluster' | 'host' | 'none' =
    policy === 'None' ? 'none' : policy === 'Default' ? 'host' : policy === 'ClusterFirst' && pod.spec.hostNetwork ? 'host' : 'cluster';
  if (kind === 'cluster' && inputs.clusterDNS.length === 0) kind = 'host';

  let cfg: ResolvConfig;
  if (kind === 'cluster') {
    cfg = {
      nameservers: [...inputs.clusterDNS],
      searches: [`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...inputs.host.searches],
      options: ['ndots:5'],
    };
  } else if (kind === 'host') {
    cfg = { nameservers: [...inputs.host.nameservers], searches: [...inputs.host.searches], options: [...inputs.host.options] };
  } else {
    cfg = { nameservers: [], searches: [], options: [] };
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    cfg = {
      nameservers: [...cfg.nameservers, ...(extra.nameservers ?? [])],
      searches: [...cfg.searches, ...(extra.searches ?? [])],
      options: mergeOptions(cfg.options, extra.options ?? []),
    };
  }
  return {
    nameservers: unique(cfg.nameservers).slice(0, MAX_NAMESERVERS),
    searches: unique(cfg.searches.map((s) => s.replace(/\.$/, ''))).slice(0, MAX_SEARCHES),
    options: cfg.options,
  };
}

export function formatResolvConf(cfg: ResolvConfig): string {
  const lines: string[] = [];
  if (cfg.searches.length) lines.push(`search ${cfg.searches.join(' ')}`);
  for (const n of cfg.nameservers) lines.push(`nameserver ${n}`);
  if (cfg.options.length) lines.push(`options ${cfg.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The node's resolv.conf as a ResolvConfig (nameserver, search/domain, options lines). */
export function parseResolvConf(text: string): ResolvConfig {
  const cfg: ResolvConfig = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const f = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) cfg.nameservers.push(f[1]);
    // The last search or domain line wins, as in glibc.
    else if ((f[0] === 'search' || f[0] === 'domain') && f.length > 1) cfg.searches = f.slice(1);
    else if (f[0] === 'options') cfg.options.push(...f.slice(1));
  }
  return cfg;
}
