// services/{name}/proxy/{path}: a request passed on to one of the Service's ready endpoints, as
// upstream's ServiceRest ResourceLocation picks it — `web`, `web:80` (a port number is looked up
// among the Service's ports), `web:http` or `https:web:443` — e.g. through `kubectl proxy` at
// http://127.0.0.1:8001/api/v1/namespaces/default/services/web:80/proxy/. The address must belong
// to the Pod its Endpoints entry names, so a hand-written Endpoints cannot aim the API server at
// an arbitrary address.
import type { Endpoints, EndpointAddress, Pod, Service } from '../../../api/core.js';
import { errors } from '../../../machinery/status.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { RegistryDeps, SubresourceREST } from '../entry.js';
import { checkPodAddress, splitSchemeNamePort } from './proxy-location.js';
import { proxyREST, type ProxyLocation } from './reverse-proxy.js';

/**
 * Whether an endpoint address may be dialled: it must be its Pod's own (upstream's
 * isValidAddress, which skips the others) and an address the API server may dial for a client.
 */
async function usableAddress(deps: RegistryDeps, namespace: string, addr: EndpointAddress): Promise<boolean> {
  const ref = addr.targetRef;
  if (!ref || ref.kind !== 'Pod' || !ref.name || ref.namespace !== namespace) return false;
  const pod = (await deps.store('', 'pods').find(namespace, ref.name))?.obj as Pod | undefined;
  if (!pod || !(pod.status?.podIPs ?? []).some((p) => p.ip === addr.ip)) return false;
  return checkPodAddress(deps.store('', 'nodes'), pod, addr.ip).then(
    () => true,
    () => false,
  );
}

function pick<T>(items: T[]): number {
  return Math.floor(Math.random() * items.length);
}

async function locate(deps: RegistryDeps, route: ResourceRoute): Promise<ProxyLocation> {
  const id = route.name!;
  const namespace = route.namespace!;
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw errors.badRequest(`invalid service request "${id}"`);
  const { scheme, name } = parsed;
  let port = parsed.port;
  // A port number means the Service port with that number, by its name (which may be empty);
  // digits too many for a number are a name, as Go's ParseInt failing leaves them.
  if (/^[0-9]{1,18}$/.test(port)) {
    const svc = (await deps.store('', 'services').get(namespace, name)).obj as Service;
    const found = (svc.spec?.ports ?? []).find((p) => p.port === Number(port));
    if (!found) throw errors.unavailable(`no service port ${Number(port)} found for service "${name}"`);
    port = found.name ?? '';
  }
  // Upstream answers with the Endpoints' NotFound, for a Service that does not exist too.
  const eps = (await deps.store('', 'endpoints').get(namespace, name)).obj as Endpoints;
  const subsets = eps.subsets ?? [];
  if (subsets.length === 0) throw errors.unavailable(`no endpoints available for service "${name}"`);
  const start = pick(subsets);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length]!;
    const addrs = ss.addresses ?? [];
    if (addrs.length === 0) continue;
    const p = (ss.ports ?? []).find((sp) => (sp.name ?? '') === port);
    if (!p) continue;
    const first = pick(addrs);
    for (let k = 0; k < addrs.length; k++) {
      const addr = addrs[(first + k) % addrs.length]!;
      if (await usableAddress(deps, namespace, addr)) return { scheme: scheme || 'http', ip: addr.ip, port: p.port };
    }
  }
  throw errors.unavailable(`no endpoints available for service "${id}"`);
}

export function serviceProxyREST(deps: RegistryDeps): SubresourceREST {
  return proxyREST((route) => locate(deps, route));
}
