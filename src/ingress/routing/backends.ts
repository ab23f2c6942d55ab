// Backend selection from EndpointSlices, not the ClusterIP (as ingress-nginx does): the ready
// endpoints of a Service port, round robin. Terminating endpoints get no new requests (they are
// drained: requests already sent to them finish); when only serving-but-terminating endpoints
// remain, they are used, as kube-proxy falls back to them, so a rollout's last moments do not 503.
import type { Service } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';

export interface BackendAddress {
  ip: string;
  port: number;
}

/** A Service port as a route names it: an Ingress backend by name or number, an HTTPRoute backendRef by number. */
export interface ServicePortRef {
  name?: string;
  number?: number;
}

/** The name of the Service port a route names (`''` for a Service's one unnamed port). */
export function servicePortName(svc: Service, port: ServicePortRef | undefined): string | undefined {
  const ports = svc.spec?.ports ?? [];
  const p = port?.name ? ports.find((x) => x.name === port.name) : ports.find((x) => x.port === port?.number);
  return p ? (p.name ?? '') : undefined;
}

/** The addresses to send to for one Service port, from the Service's EndpointSlices. */
export function backendAddresses(slices: readonly EndpointSlice[], portName: string): BackendAddress[] {
  const ready: BackendAddress[] = [];
  const terminatingServing: BackendAddress[] = [];
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      const ip = ep.addresses[0];
      if (!ip) continue;
      // ready is unset only by controllers that do not set it: the API says to treat that as ready.
      if (c.ready !== false && !c.terminating) ready.push({ ip, port: port.port });
      else if (c.terminating && c.serving) terminatingServing.push({ ip, port: port.port });
    }
  }
  return ready.length > 0 ? ready : terminatingServing;
}

/** Round robin over a list that can be swapped at any time without losing the position. */
export class RoundRobin {
  private next = 0;
  constructor(private addresses: BackendAddress[] = []) {}
  update(addresses: BackendAddress[]): void {
    this.addresses = addresses;
  }
  get size(): number {
    return this.addresses.length;
  }
  list(): readonly BackendAddress[] {
    return this.addresses;
  }
  /** The next address, skipping any in `exclude` (a retry after a failed connection); undefined when none is left. */
  pick(exclude?: ReadonlySet<string>): BackendAddress | undefined {
    const n = this.addresses.length;
    for (let i = 0; i < n; i++) {
      const a = this.addresses[this.next++ % n]!;
      // The key is built only when there is something to exclude (a retry): this runs per request.
      if (!exclude?.size || !exclude.has(`${a.ip}:${a.port}`)) return a;
    }
    return undefined;
  }
}
