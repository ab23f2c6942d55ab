// RepackSubsets (upstream's pkg/api/v1/endpoints): the canonical layout of Endpoints subsets.
// Addresses are grouped by the exact set of ports they serve, one subset per group, with an
// address not ready on any port listed as not ready; addresses, ports and subsets are sorted,
// so equal endpoints always compare equal and an unchanged Service causes no write. Upstream
// orders ports and subsets by a hash of their contents; here by their contents directly.
import type { EndpointAddress, EndpointPort, EndpointSubset } from '../../api/core.js';

function portKey(p: EndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']);
}

/** Addresses are the same one when IP and target uid agree (two pods may share a node's IP). */
function addressKey(a: EndpointAddress): string {
  return JSON.stringify([a.ip, a.targetRef?.uid ?? '']);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** LessEndpointAddress: by IP, then by target uid (an address without a target first). */
export function compareEndpointAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const c = cmp(a.ip, b.ip);
  if (c !== 0) return c;
  if (!b.targetRef) return a.targetRef ? 1 : 0;
  if (!a.targetRef) return -1;
  return cmp(a.targetRef.uid ?? '', b.targetRef.uid ?? '');
}

export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key → (address key → ready); a port's first seen definition is kept for output.
  const portDefs = new Map<string, EndpointPort>();
  const portToAddrs = new Map<string, Map<string, boolean>>();
  const mapAddress = (addr: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const ak = addressKey(addr);
    if (!allAddrs.has(ak)) allAddrs.set(ak, structuredClone(addr));
    const pk = portKey(port);
    if (!portDefs.has(pk)) portDefs.set(pk, { ...port });
    let set = portToAddrs.get(pk);
    if (!set) portToAddrs.set(pk, (set = new Map()));
    // Not ready wins over ready.
    const was = set.get(ak);
    if (was === undefined || was) set.set(ak, ready);
  };
  for (const s of subsets) {
    for (const port of s.ports ?? []) {
      for (const a of s.addresses ?? []) mapAddress(a, port, true);
      for (const a of s.notReadyAddresses ?? []) mapAddress(a, port, false);
    }
  }

  // Group ports by the exact set of (address, readiness) that offers them.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const [pk, addrs] of portToAddrs) {
    const gk = JSON.stringify([...addrs.entries()].sort((x, y) => cmp(x[0], y[0])));
    const g = groups.get(gk);
    if (g) g.ports.push(portDefs.get(pk)!);
    else groups.set(gk, { addrs, ports: [portDefs.get(pk)!] });
  }

  const out: EndpointSubset[] = [];
  for (const { addrs, ports } of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of addrs) (r ? ready : notReady).push(structuredClone(allAddrs.get(ak)!));
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    subset.ports = ports;
    out.push(subset);
  }
  return sortSubsets(out);
}

/** SortSubsets: addresses by IP and uid, ports and subsets by content. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const s of subsets) {
    s.addresses?.sort(compareEndpointAddresses);
    s.notReadyAddresses?.sort(compareEndpointAddresses);
    s.ports?.sort((a, b) => cmp(portKey(a), portKey(b)));
  }
  return subsets.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
}
