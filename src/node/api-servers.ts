// A node keeps working when the API server it joined dies: its clients fail over between every
// live API server, which it learns from the `kubernetes` Service's endpoints (each server keeps
// itself there with a Lease), as k3s's agent load balancer does. The --server it was given stays
// in the list, since it may be a name or a load balancer in front of them all.
import type { Endpoints } from '../api/core.js';
import type { HttpClient } from '../client/http-client.js';
import type { InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';

/** https://IP:PORT of each address of default/kubernetes' Endpoints. */
export function apiServerURLs(ep: Endpoints): string[] {
  const urls: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => p.name === 'https') ?? subset.ports?.[0];
    if (!port) continue;
    for (const a of subset.addresses ?? []) urls.push(`https://${a.ip.includes(':') ? `[${a.ip}]` : a.ip}:${port.port}`);
  }
  return urls;
}

export function followAPIServers(informers: InformerFactory, clients: HttpClient[], given: string): void {
  const inf = informers.informer<Endpoints>(R.endpoints, { namespace: 'default', fieldSelector: 'metadata.name=kubernetes' });
  const sync = (ep: Endpoints) => {
    const urls = apiServerURLs(ep);
    if (!urls.length) return;
    for (const c of clients) c.setServers([...urls, given]);
  };
  inf.addEventHandler({ onAdd: sync, onUpdate: (_old, ep) => sync(ep) });
}
