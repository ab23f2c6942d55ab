import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';

// Name resolution for programs that dial other pods or Services by name (netexec's /dial).
// Inside a real pod, resolv.conf points at the cluster DNS with the pod's search list and
// ndots:5. kubesvc pods share the machine's /etc/resolv.conf, so the node agent passes the pod's
// DNS config in the environment instead: KUBESVC_DNS_SERVER ("ip" or "ip:port", comma-separated)
// and KUBESVC_DNS_SEARCH (comma-separated suffixes). Without them the system resolver is used.

export interface PodDNSConfig {
  /** "ip" or "ip:port" (IPv6 as "[ip]:port") */
  servers: string[];
  search: string[];
  ndots: number;
}

const NDOTS = 5; // what the kubelet writes into a ClusterFirst pod's resolv.conf

export const DNS_SERVER_ENV = 'KUBESVC_DNS_SERVER';
export const DNS_SEARCH_ENV = 'KUBESVC_DNS_SEARCH';

/** The environment the node agent gives a pod so its built-in program resolves like the pod would. */
export function podDNSEnv(servers: string[], search: string[]): Record<string, string> {
  return { [DNS_SERVER_ENV]: servers.join(','), [DNS_SEARCH_ENV]: search.join(',') };
}

export function dnsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PodDNSConfig | undefined {
  const split = (v: string | undefined): string[] =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const servers = split(env[DNS_SERVER_ENV]);
  if (servers.length === 0) return undefined;
  return { servers, search: split(env[DNS_SEARCH_ENV]).map((s) => s.replace(/\.$/, '')), ndots: NDOTS };
}

/** The names a resolver with this search list and ndots tries, in order (resolv.conf(5) rules). */
export function candidateNames(name: string, search: string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const searched = search.map((s) => `${name}.${s}`);
  return dots >= ndots ? [name, ...searched] : [...searched, name];
}

function serverForResolver(server: string): string {
  // dns.Resolver.setServers wants "ip", "ip:port" or "[ipv6]:port"; a bare IPv6 works as is.
  return server;
}

function describeServer(server: string): string {
  if (isIP(server) === 6) return `[${server}]:53`;
  if (isIP(server) === 4) return `${server}:53`;
  return server;
}

async function lookupWith(resolver: dnsPromises.Resolver, name: string): Promise<string | undefined> {
  for (const family of [4, 6] as const) {
    try {
      const addrs = family === 4 ? await resolver.resolve4(name) : await resolver.resolve6(name);
      if (addrs.length > 0) return addrs[0];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA' && code !== 'ESERVFAIL' && code !== 'ENONAME') throw err;
    }
  }
  return undefined;
}

/**
 * One address for `host`, IPv4 preferred as Go's ResolveTCPAddr does. Errors carry Go's wording
 * ("lookup NAME on SERVER: no such host") because /dial returns them to the caller verbatim.
 */
export async function resolveHost(host: string, config: PodDNSConfig | undefined = dnsConfigFromEnv()): Promise<string> {
  if (host === '' || isIP(host)) return host;
  if (host === 'localhost' || host.endsWith('.localhost')) return '127.0.0.1';
  if (!config) {
    try {
      const r = await dnsPromises.lookup(host, { family: 0, verbatim: false });
      return r.address;
    } catch {
      throw new Error(`lookup ${host}: no such host`);
    }
  }
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers(config.servers.map(serverForResolver));
  for (const name of candidateNames(host, config.search, config.ndots)) {
    try {
      const addr = await lookupWith(resolver, name);
      if (addr) return addr;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what = code === 'ETIMEOUT' ? 'i/o timeout' : 'server misbehaving';
      throw new Error(`lookup ${host} on ${describeServer(config.servers[0]!)}: ${what}`);
    }
  }
  throw new Error(`lookup ${host} on ${describeServer(config.servers[0]!)}: no such host`);
}
