// services/{name}/proxy/{path}: a request passed on to one of the Service's ready endpoints, as
// upstream's ServiceRest ResourceLocation picks it — `web`, `web:80` (a port number is looked up
// among the Service's ports), `web:http` or `https:web:443` — e.g. through `kubectl proxy` at
// http://127.0.0.1:8001/api/v1/namespaces/default/services/web:80/proxy/. The address must belong
// to the Pod its Endpoints entry names, so a hand-written Endpoints cannot aim the API server at
// an arbitrary address.
import type { IncomingMessage } from 'node:http';
import type { Endpoints, EndpointAddress, Pod, Service } from '../../../api/core.js';
import { errors, isNotFound } from '../../../machinery/status.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { RegistryDeps, SubresourceREST } from '../entry.js';
import { checkPodAddress, querySuffix, splitProxyPath, splitSchemeNamePort } from './proxy-location.js';
import { proxyRequest, proxyUpgrade, type ProxyTarget } from './reverse-proxy.js';

/** Why an endpoint address may not be used, or undefined when it is a running pod's own. */
async function invalidAddress(deps: RegistryDeps, namespace: string, addr: EndpointAddress): Promise<string | undefined> {
  const ref = addr.targetRef;
  if (!ref || ref.kind !== 'Pod' || !ref.name) return 'address has no target ref';
  if (ref.namespace !== namespace) return "address namespace doesn't match the Service's";
  const pod = (await deps.store('', 'pods').find(namespace, ref.name))?.obj as Pod | undefined;
  if (!pod) return 'pod is missing';
  if (!(pod.status?.podIPs ?? []).some((p) => p.ip === addr.ip)) return "pod ip(s) don't match endpoint ip";
  try {
    await checkPodAddress(deps.store('', 'nodes'), pod, addr.ip);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

function pick<T>(items: T[]): number {
  return Math.floor(Math.random() * items.length);
}

async function locate(deps: RegistryDeps, req: IncomingMessage, route: ResourceRoute): Promise<ProxyTarget> {
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
  const eps = (await deps.store('', 'endpoints').get(namespace, name).catch((e: unknown) => {
    // Upstream answers with the Endpoints' NotFound; a Service that does not exist says so too.
    if (isNotFound(e)) throw errors.notFound({ group: '', resource: 'endpoints' }, name);
    throw e;
  })).obj as Endpoints;
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
      if (await invalidAddress(deps, namespace, addr)) continue;
      const { prefix, path } = splitProxyPath(req, route);
      return { scheme: scheme || 'http', ip: addr.ip, port: p.port, prefix, path, query: querySuffix(req) };
    }
  }
  throw errors.unavailable(`no endpoints available for service "${id}"`);
}

export function serviceProxyREST(deps: RegistryDeps): SubresourceREST {
  return {
    serve: async (req, res, route) => proxyRequest(req, res, await locate(deps, req, route)),
    upgrade: async (req, socket, head, route) => proxyUpgrade(req, socket, head, await locate(deps, req, route)),
  };
}
