// The host's routes into netns mode, all through the kubesvc0 bridge (so they go with it): each
// node's pod CIDR via that node (the user's shell, the agent's probes and port-forwards reach pod
// IPs, and replies to pods that talk to the host — cluster DNS, the API server — find their way
// back), and the service CIDR and LoadBalancer pool via the first node, whose kube-proxy DNATs
// them as a cloud router or MetalLB in BGP mode would deliver them. Without these, traffic to
// 10.96.x.x or 10.244.x.x from the host would follow its default route off the machine.
import { type NetnsEnv, nodeIP, podCIDROf } from './config.js';
import { mustRun } from './runner.js';
import { formatIPv4, parseIPv4 } from '../ipam.js';

export interface HostRoute {
  cidr: string;
  via: string;
}


/** The fewest CIDRs that cover first..last exactly (both inclusive, as numbers). */
export function rangeToCIDRs(first: number, last: number): string[] {
  const out: string[] = [];
  let cur = first;
  while (cur <= last) {
    // The largest block aligned at cur that does not run past last.
    let bits = 32;
    while (bits > 0) {
      const size = 2 ** (33 - bits);
      if (cur % size !== 0 || cur + size - 1 > last) break;
      bits--;
    }
    out.push(`${formatIPv4(cur)}/${bits}`);
    cur += 2 ** (32 - bits);
  }
  return out;
}

/** The CIDRs of an address range written as `a.b.c.d/n` or `first-last` (comma-separated). */
export function poolCIDRs(text: string): string[] {
  const out: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    if (entry.includes('/')) {
      const [base, bits] = entry.split('/');
      const size = 2 ** (32 - Number(bits));
      out.push(`${formatIPv4(Math.floor(parseIPv4(base!) / size) * size)}/${bits}`);
    } else if (entry.includes('-')) {
      const [a, b] = entry.split('-');
      out.push(...rangeToCIDRs(parseIPv4(a!.trim()), parseIPv4(b!.trim())));
    } else {
      out.push(`${entry}/32`);
    }
  }
  return out;
}

/** The routes netns mode adds to the host for nodes 1..count. */
export function hostRoutes(env: NetnsEnv, nodes: number[], extra: { serviceCIDR: string; lbPool: string }): HostRoute[] {
  const routes: HostRoute[] = nodes.map((n) => ({ cidr: podCIDROf(env, n), via: nodeIP(env, n) }));
  const first = nodes[0];
  if (first !== undefined) {
    const via = nodeIP(env, first);
    routes.push({ cidr: extra.serviceCIDR, via });
    for (const cidr of poolCIDRs(extra.lbPool)) routes.push({ cidr, via });
  }
  return routes;
}

/** Adds (or replaces) each route through the host bridge. */
export async function ensureHostRoutes(env: NetnsEnv, routes: HostRoute[]): Promise<void> {
  for (const r of routes) await mustRun(env.runner, ['ip', 'route', 'replace', r.cidr, 'via', r.via, 'dev', env.bridge]);
}

const routeTypes = new Set(['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast']);

function cidrRange(cidr: string): [number, number] {
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const size = 2 ** (32 - bits);
  const first = Math.floor(parseIPv4(base!) / size) * size;
  return [first, first + size - 1];
}

/** The destination of an `ip route show` line as a CIDR, or undefined for `default` and the like. */
export function routeDestination(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  const dest = routeTypes.has(words[0]!) ? words[1] : words[0];
  if (!dest || !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(dest)) return undefined;
  return dest.includes('/') ? dest : `${dest}/32`;
}

/**
 * Routes of this machine (main table, not through our bridge) that overlap any of `ranges`:
 * `ip route replace` would silently take them over, and `kubesvc down` could not give them back.
 * The default route overlaps everything by design and is not counted.
 */
export async function conflictingRoutes(env: NetnsEnv, ranges: string[]): Promise<{ range: string; route: string }[]> {
  const text = (await mustRun(env.runner, ['ip', '-4', 'route', 'show', 'table', 'main'])).stdout;
  const out: { range: string; route: string }[] = [];
  const ourDev = new RegExp(`(^|\\s)dev ${env.bridge.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`);
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    if (ourDev.test(line)) continue;
    const dest = routeDestination(line);
    if (!dest) continue;
    const [a0, a1] = cidrRange(dest);
    for (const range of ranges) {
      const [b0, b1] = cidrRange(range);
      if (a0 <= b1 && b0 <= a1) out.push({ range, route: line });
    }
  }
  return out;
}
