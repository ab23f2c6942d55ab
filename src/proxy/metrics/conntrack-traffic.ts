// Traffic figures for the kernel modes (iptables, nftables, IPVS), which forward in the kernel and
// so see no connection themselves: the node's conntrack table does. When the figures are read,
// `conntrack -L -o id` lists the flows; a flow whose original destination is a Service address and
// whose reply comes from elsewhere (the DNAT to an endpoint) counts for that Service port and
// endpoint — once per conntrack id, as a connection; as open while TCP is ESTABLISHED (UDP: while
// listed); and with its bytes each way when the namespace has conntrack accounting on (kube-proxy
// turns it on in a node's own namespace, never on the host). A closed TCP flow stays listed for
// TIME_WAIT (120 s), so connections are all seen as long as someone reads the figures at least
// that often; UDP flows of under 30 s between reads can be missed.
import type { RuleExecutor } from '../rules.js';
import type { EndpointsMap, ServicePortMap } from '../types.js';
import { servicePortKey } from '../types.js';
import { liveEndpoints, TrafficCounters } from './traffic.js';

/** The least time between two listings: readers in the same moment share one. */
const MIN_LIST_INTERVAL_MS = 500;
export const conntrackAccountingSysctl = 'net.netfilter.nf_conntrack_acct';

export interface ConntrackFlow {
  id: string;
  protocol: string;
  state: string;
  /** Original direction: the client's view (destination = the Service address). */
  origDst: string;
  origKey: string;
  /** Reply direction's source: where the flow really went (the endpoint). */
  replySrc: string;
  bytesToEndpoint: number;
  bytesToClient: number;
}

/** One line of `conntrack -L -o id` (with or without accounting), or undefined. */
export function parseConntrackLine(line: string): ConntrackFlow | undefined {
  const tokens = line.trim().split(/\s+/);
  const protocol = tokens[0] === 'ipv4' ? tokens[2] : tokens[0];
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') return undefined;
  const fields: Record<string, string[]> = {};
  let state = '';
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq > 0) (fields[t.slice(0, eq)] ??= []).push(t.slice(eq + 1));
    else if (/^[A-Z_]+$/.test(t) && !state) state = t;
  }
  const { src, dst, sport, dport, bytes, id } = fields;
  if (!src || src.length < 2 || !dst || dst.length < 2 || !sport || sport.length < 2 || !dport || dport.length < 2 || !id) return undefined;
  return {
    id: id[0]!,
    protocol: protocol.toUpperCase(),
    state: protocol === 'tcp' ? state : '',
    origDst: `${dst[0]}:${dport[0]}`,
    origKey: `${src[0]}:${sport[0]}>${dst[0]}:${dport[0]}`,
    replySrc: `${src[1]}:${sport[1]}`,
    bytesToEndpoint: Number(bytes?.[0] ?? 0),
    bytesToClient: Number(bytes?.[1] ?? 0),
  };
}

interface Tracked {
  servicePort: string;
  endpoint: string;
  toEndpoint: number;
  toClient: number;
  /** Ends the flow's open count (once it leaves ESTABLISHED or the table). */
  close?: () => void;
}

export class ConntrackTraffic {
  readonly counters = new TrafficCounters();
  /** "ip:port/PROTO" of every Service address → its servicePortKey; NodePorts as "*:port/PROTO". */
  private addresses = new Map<string, string>();
  private flows = new Map<string, Tracked>();
  private lastList = 0;
  private listing: Promise<void> | undefined;
  private accountingAsked = false;
  /** Services set since the address table was last built. */
  private services: { sm: ServicePortMap; em: EndpointsMap | undefined } | undefined;

  constructor(
    private readonly exec: RuleExecutor,
    /** Turn conntrack accounting on (a node's own namespace only). */
    private readonly setAccounting: boolean,
  ) {}

  /**
   * The Service addresses and endpoints after a sync, so that flows can be told apart. Only
   * remembered here: the address table is built when the figures are next read, since a sync at
   * 10,000 Services must not pay a walk over every Service port for figures nobody may read.
   */
  setServices(sm: ServicePortMap, em?: EndpointsMap): void {
    this.services = { sm, em };
    if (this.setAccounting && !this.accountingAsked) {
      this.accountingAsked = true;
      void this.exec.run(['sysctl', '-qw', `${conntrackAccountingSysctl}=1`]).catch(() => undefined);
    }
  }

  /** Builds the address table from the Services last set, and forgets endpoints that left. */
  private refresh(): void {
    if (!this.services) return;
    const { sm, em } = this.services;
    this.services = undefined;
    const addresses = new Map<string, string>();
    for (const sp of sm.values()) {
      const key = servicePortKey(sp.name);
      for (const ip of [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerVIPs]) if (ip) addresses.set(`${ip}:${sp.port}/${sp.protocol}`, key);
      if (sp.nodePort) addresses.set(`*:${sp.nodePort}/${sp.protocol}`, key);
    }
    this.addresses = addresses;
    this.counters.retain(new Set(addresses.values()), em ? liveEndpoints(em) : undefined);
  }

  async expose(): Promise<string> {
    this.refresh();
    if (Date.now() - this.lastList >= MIN_LIST_INTERVAL_MS) {
      this.listing ??= this.list().finally(() => {
        this.lastList = Date.now();
        this.listing = undefined;
      });
      await this.listing;
    }
    return this.counters.expose();
  }

  private servicePortOf(f: ConntrackFlow): string | undefined {
    return this.addresses.get(`${f.origDst}/${f.protocol}`) ?? this.addresses.get(`*:${f.origDst.slice(f.origDst.lastIndexOf(':') + 1)}/${f.protocol}`);
  }

  private async list(): Promise<void> {
    const r = await this.exec.run(['conntrack', '-L', '-o', 'id']).catch(() => undefined);
    if (!r || r.code !== 0) return;
    this.observe(r.stdout);
  }

  /** One listing's flows: new ones counted, gone or finished ones closed. */
  observe(listing: string): void {
    this.refresh();
    const seen = new Set<string>();
    for (const line of listing.split('\n')) {
      const f = parseConntrackLine(line);
      if (!f || f.replySrc === f.origDst) continue; // not DNATed: not a Service's flow
      const servicePort = this.servicePortOf(f);
      if (!servicePort) continue;
      const key = `${f.id} ${f.origKey}`;
      seen.add(key);
      let t = this.flows.get(key);
      if (!t) {
        const tracked: Tracked = { servicePort, endpoint: f.replySrc, toEndpoint: 0, toClient: 0 };
        tracked.close = this.counters.opened(servicePort, f.replySrc, { toEndpoint: () => tracked.toEndpoint, toClient: () => tracked.toClient });
        this.flows.set(key, tracked);
        t = tracked;
      }
      t.toEndpoint = f.bytesToEndpoint;
      t.toClient = f.bytesToClient;
      // A TCP flow past ESTABLISHED (FIN_WAIT, TIME_WAIT, CLOSE...) is no longer open.
      if (f.protocol === 'TCP' && f.state !== 'ESTABLISHED' && f.state !== 'SYN_SENT' && f.state !== 'SYN_RECV') {
        t.close?.();
        t.close = undefined;
      }
    }
    for (const [key, t] of this.flows) {
      if (seen.has(key)) continue;
      t.close?.();
      this.flows.delete(key);
    }
  }
}
