// pods/{name}/proxy/{path}: a request passed on to the pod's IP, as upstream's pod
// ResourceLocation: `web-0`, `web-0:8080` or `https:web-0:8443`; without a port, the first
// container port the pod declares (else the scheme's default port).
import { readFileSync } from 'node:fs';
import type { Pod } from '../../../api/core.js';
import { errors } from '../../../machinery/status.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { RegistryDeps, SubresourceREST } from '../entry.js';
import { checkPodAddress, podIP, splitSchemeNamePort } from './proxy-location.js';
import { proxyREST, type ProxyLocation } from './reverse-proxy.js';

/** A TCP port by name from /etc/services (`http` is 80), as Go's LookupPort. */
function servicePort(name: string): number | undefined {
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [main, portProto, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    const m = /^(\d+)\/tcp$/.exec(portProto ?? '');
    if (m && (main === name || aliases.includes(name))) return Number(m[1]);
  }
  return undefined;
}

async function locate(deps: RegistryDeps, route: ResourceRoute): Promise<ProxyLocation> {
  const id = route.name!;
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw errors.badRequest(`invalid pod request "${id}"`);
  const pod = (await deps.store('', 'pods').get(route.namespace, parsed.name)).obj as Pod;
  let port = parsed.port;
  if (port === '') {
    const declared = (pod.spec?.containers ?? []).find((c) => (c.ports ?? []).length > 0)?.ports?.[0]?.containerPort;
    if (declared !== undefined) port = String(declared);
  }
  const ip = podIP(pod);
  if (!ip) throw errors.badRequest('address not allowed');
  await checkPodAddress(deps.store('', 'nodes'), pod, ip);
  const scheme = parsed.scheme || 'http';
  let n = port === '' ? (scheme === 'https' ? 443 : 80) : Number(port);
  // A port by name is what Go's dialer makes of it: the machine's services database; one it does
  // not know, or a number out of range, cannot be dialled, and upstream says so in Go's words.
  if (port !== '' && !/^[0-9]+$/.test(port)) {
    const known = servicePort(port);
    if (known === undefined) throw errors.unavailable(`error trying to reach service: dial tcp: lookup tcp/${port}: unknown port`);
    n = known;
  }
  if (n < 1 || n > 65535) throw errors.unavailable(`error trying to reach service: dial tcp: address ${port}: invalid port`);
  return { scheme, ip, port: n };
}

export function podProxyREST(deps: RegistryDeps): SubresourceREST {
  return proxyREST((route) => locate(deps, route));
}
