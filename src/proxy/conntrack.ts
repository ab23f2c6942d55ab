// Stale UDP conntrack entries. UDP has no connection end, so after an endpoint goes away the
// kernel keeps sending a client's datagrams to the dead pod's DNAT entry for as long as the client
// keeps talking; and a Service that had no endpoints left entries for the REJECTed traffic that
// would keep blackholing it. kube-proxy deletes both (the `conntrack` CLI calls of upstream's
// pkg/util/conntrack: ClearEntriesForNAT/PortNAT for gone endpoints, ForIP/Port for Services
// that got their first endpoint). Mode-neutral: the iptables and nftables providers both DNAT
// through conntrack the same way, so both call clearStaleUdpConntrack after a successful sync, as
// upstream's proxiers both call pkg/proxy/conntrack.CleanStaleEntries.
import { logger } from '../util/log.js';
import type { RuleExecutor } from './rules.js';
import { categorizeEndpoints } from './topology.js';
import type { EndpointsMap, ServicePortMap } from './types.js';

const log = logger('proxy');

/** What the rules sent UDP traffic to, per Service port key. */
export interface UdpSnapshot {
  services: Map<string, { ips: string[]; nodePort: number; endpointIPs: Set<string> }>;
}

/** Nothing sent anywhere yet: what a provider starts from. */
export function emptyUdpSnapshot(): UdpSnapshot {
  return { services: new Map() };
}

export function udpSnapshot(sm: ServicePortMap, em: EndpointsMap, nodeName: string): UdpSnapshot {
  const services: UdpSnapshot['services'] = new Map();
  for (const [key, sp] of sm) {
    if (sp.protocol !== 'UDP') continue;
    const reachable = categorizeEndpoints(em.get(key) ?? [], sp, nodeName).allReachableEndpoints;
    services.set(key, {
      ips: [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerVIPs],
      nodePort: sp.nodePort,
      endpointIPs: new Set(reachable.map((e) => e.ip)),
    });
  }
  return { services };
}

/** The `conntrack -D …` argv lists that clear what changed between two snapshots. */
export function staleUdpConntrackCommands(prev: UdpSnapshot, next: UdpSnapshot): string[][] {
  const cmds: string[][] = [];
  const seen = new Set<string>();
  const add = (argv: string[]): void => {
    const k = argv.join(' ');
    if (!seen.has(k)) {
      seen.add(k);
      cmds.push(argv);
    }
  };
  for (const [key, old] of prev.services) {
    const cur = next.services.get(key);
    for (const epIP of old.endpointIPs) {
      if (cur?.endpointIPs.has(epIP)) continue;
      for (const ip of old.ips) add(['conntrack', '-D', '--orig-dst', ip, '--dst-nat', epIP, '-p', 'udp']);
      if (old.nodePort) add(['conntrack', '-D', '-p', 'udp', '--dport', String(old.nodePort), '--dst-nat', epIP]);
    }
  }
  for (const [key, cur] of next.services) {
    const old = prev.services.get(key);
    if (cur.endpointIPs.size === 0 || (old && old.endpointIPs.size > 0)) continue;
    // First endpoint: entries created while the Service REJECTed would otherwise keep matching.
    for (const ip of cur.ips) add(['conntrack', '-D', '--orig-dst', ip, '-p', 'udp']);
    if (cur.nodePort) add(['conntrack', '-D', '-p', 'udp', '--dport', String(cur.nodePort)]);
  }
  return cmds;
}

/** conntrack exits 1 with "0 flow entries have been deleted" when nothing matched: not a failure. */
export function conntrackFailed(r: { code: number; stderr: string }): boolean {
  return r.code !== 0 && !r.stderr.includes('0 flow entries');
}

/**
 * Runs the `conntrack -D …` commands for what changed from `prev` to `next` through `exec` (so
 * inside the node's namespace when the executor is a netns one) and returns how many ran. Called
 * only after the rules were applied: deleting first would let the next datagram re-create the
 * entry through the old rules. A failing delete is logged, not thrown: the rules are already
 * right and a leftover UDP flow is not worth failing (and retrying) the whole sync over.
 */
export async function clearStaleUdpConntrack(exec: RuleExecutor, prev: UdpSnapshot, next: UdpSnapshot): Promise<number> {
  let n = 0;
  for (const argv of staleUdpConntrackCommands(prev, next)) {
    n++;
    const c = await exec.run(argv).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    if (conntrackFailed(c)) log.warn(`${argv.join(' ')}: ${c.stderr.trim()}`);
  }
  return n;
}
