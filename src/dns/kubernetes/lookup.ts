// The records a parsed name stands for, as CoreDNS's findServices/findPods compute them: a list
// of entries (an address or an alias, a port, and the name SRV records point to), or a name
// error. Turning entries into A/AAAA/SRV/CNAME records per query type is the handler's job.
import { isIP } from 'node:net';
import type { ClusterIndex, SlimPort } from '../cluster-index.js';
import { endpointHostname, type ParsedName } from './names.js';

export interface Entry {
  /** An IP address, or for ExternalName Services the (lower-case) target name. */
  host: string;
  alias: boolean;
  /** -1 when the Service or slice has no ports (headless Services may have none). */
  port: number;
  /** The name SRV records target: `<svc>.<ns>.svc.<zone>` or `<endpoint>.<svc>.<ns>.svc.<zone>`. */
  target: string;
}

/** undefined: the name does not exist (NXDOMAIN); []: it exists without records (NODATA). */
export type LookupResult = Entry[] | undefined;

export type PodMode = 'insecure' | 'verified' | 'disabled';

const NO_PORTS: SlimPort[] = [{ name: '', protocol: '', port: -1 }];

function portMatches(want: { port: string; protocol: string }, p: SlimPort): boolean {
  return (want.port === '' || want.port === p.name) && (want.protocol === '' || want.protocol === p.protocol.toLowerCase());
}

type SchemaName = Extract<ParsedName, { kind: 'svc' | 'pod' }>;

export function lookupService(idx: ClusterIndex, r: SchemaName, zone: string): LookupResult {
  if (r.namespace === '') return [];
  if (!idx.namespaceExists(r.namespace)) return undefined;
  if (r.service === '') return [];
  const svc = idx.services(r.namespace, r.service)[0];
  if (!svc) return undefined;
  const svcName = `${svc.name}.${svc.namespace}.svc.${zone}`;

  if (svc.type === 'ExternalName') {
    // An ExternalName Service has no endpoints; an address in externalName is not a CNAME target.
    if (r.endpoint !== '' || !svc.externalName || isIP(svc.externalName)) return undefined;
    return [{ host: svc.externalName, alias: true, port: 0, target: svcName }];
  }

  if (svc.headless || r.endpoint !== '') {
    const out: Entry[] = [];
    const seen = new Set<string>();
    for (const slice of idx.endpointSlices(svc.namespace, svc.name)) {
      for (const ep of slice.endpoints) {
        if (!ep.ready && !svc.publishNotReadyAddresses) continue;
        for (const ip of ep.addresses) {
          const host = endpointHostname(ip, ep.hostname);
          if (r.endpoint !== '' && r.endpoint !== host) continue;
          for (const p of slice.ports.length ? slice.ports : NO_PORTS) {
            if (!portMatches(r, p)) continue;
            const key = `${ip}|${p.port}|${host}`;
            if (seen.has(key)) continue; // the same endpoint in two slices during a handover
            seen.add(key);
            out.push({ host: ip, alias: false, port: p.port, target: `${host}.${svcName}` });
          }
        }
      }
    }
    return out.length ? out : undefined;
  }

  const out: Entry[] = [];
  let portFound = false;
  for (const p of svc.ports) {
    if (!portMatches(r, p)) continue;
    portFound = true;
    for (const ip of svc.clusterIPs) out.push({ host: ip, alias: false, port: p.port, target: svcName });
  }
  return portFound ? out : undefined;
}

export function lookupPod(idx: ClusterIndex, r: SchemaName, mode: PodMode): LookupResult {
  if (mode === 'disabled') return undefined;
  if (r.namespace === '') return [];
  if (!idx.namespaceExists(r.namespace)) return undefined;
  if (r.service === '') return [];
  if (r.endpoint !== '' || r.port !== '' || r.protocol !== '') return undefined;
  const label = r.service;
  const ip = (label.match(/-/g)?.length ?? 0) === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  if (!isIP(ip)) return undefined;
  const entry: Entry = { host: ip, alias: false, port: -1, target: '' };
  if (mode === 'insecure') return [entry];
  return idx.podByIP(ip).some((p) => p.namespace === r.namespace) ? [entry] : undefined;
}
