// Endpoints (NAME ENDPOINTS AGE) and EndpointSlices (NAME ADDRESSTYPE PORTS ENDPOINTS AGE).
import type { Endpoints } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';
import { since } from './duration.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

/** Printers show at most this many addresses before "+ N more...". */
const MAX_SHOWN = 3;

/** host:port as Go's net.JoinHostPort writes it: IPv6 literals get brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * ENDPOINTS: ready addresses × ports, first three shown, then "+ N more..." with N counted over all of
 * them; bare IPs for a subset without ports; `<none>` with no subsets. Not-ready addresses are not shown.
 */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, p.port));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - MAX_SHOWN} more...` : text;
}

/** The shared "a,b,c + N more..." form of EndpointSlice cells; `<unset>` when empty. */
function listWithMore(items: string[]): string {
  const shown = items.slice(0, MAX_SHOWN).join(',');
  if (items.length > MAX_SHOWN) return `${shown} + ${items.length - MAX_SHOWN} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** PORTS: port numbers, else the port's name, else `*` (a slice port without a number means "all ports"). */
export function formatSlicePorts(slice: EndpointSlice): string {
  return listWithMore(
    (slice.ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*'))),
  );
}

/** ENDPOINTS: every address of every endpoint, ready or not. */
export function formatSliceEndpoints(slice: EndpointSlice): string {
  return listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [nameCol(), col('Endpoints', 'string', 'Ready addresses with their ports.'), ageCol()],
  cells(ep, now) {
    return [ep.metadata.name ?? '', formatEndpoints(ep), since(ep.metadata.creationTimestamp, now)];
  },
};

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [
    nameCol(),
    col('AddressType', 'string', 'The kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    col('Ports', 'string', 'Ports every endpoint in the slice serves.'),
    col('Endpoints', 'string', 'Addresses of the endpoints in the slice.'),
    ageCol(),
  ],
  cells(s, now) {
    return [
      s.metadata.name ?? '',
      s.addressType ?? '',
      formatSlicePorts(s),
      formatSliceEndpoints(s),
      since(s.metadata.creationTimestamp, now),
    ];
  },
};
