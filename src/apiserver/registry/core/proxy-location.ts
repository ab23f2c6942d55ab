// Where a proxy subresource (services/x/proxy, pods/x/proxy, nodes/x/proxy) sends a request:
// the name's scheme and port (upstream's SplitSchemeNamePort), the path after `/proxy` exactly as
// the client sent it, and which addresses the API server may dial on a client's behalf.
import type { IncomingMessage } from 'node:http';
import type { Node, Pod } from '../../../api/core.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { Store } from '../../store/store.js';
import { requestPath } from '../../http/route.js';
import { errors } from '../../../machinery/status.js';
import { cidrContains, isGlobalUnicast } from '../../../api/validation/ip.js';

export interface SchemeNamePort {
  scheme: '' | 'http' | 'https';
  name: string;
  port: string;
}

/** `name`, `name:port` or `scheme:name:port` (scheme http, https or empty); undefined when it is none of these. */
export function splitSchemeNamePort(id: string): SchemeNamePort | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = [parts[0]!, parts[1]!];
  else if (parts.length === 3) [scheme, name, port] = [parts[0]!, parts[1]!, parts[2]!];
  else return undefined;
  if (name === '' || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as SchemeNamePort['scheme'], name, port };
}

/**
 * A proxy request's path in two: `prefix`, the proxy itself as the client named it
 * (`/api/v1/namespaces/ns/services/web/proxy`), and `path`, what follows it (still
 * percent-encoded, its trailing slash kept) with `.` and `..` resolved inside it as upstream's
 * path.Join does, so a request cannot climb out of it; path is '' when nothing follows `proxy`.
 */
export function splitProxyPath(req: IncomingMessage, route: ResourceRoute): { prefix: string; path: string } {
  // The route's segments were all non-empty, so the raw path splits into the same ones.
  const before = (route.info.group ? 3 : 2) + (route.namespace !== undefined ? 2 : 0) + 3;
  const raw = requestPath(req.url ?? '/').replace(/^\/+/, '').split('/');
  const prefix = '/' + raw.slice(0, before).join('/');
  if (raw.length <= before) return { prefix, path: '' };
  const out: string[] = [];
  const rest = raw.slice(before);
  for (const seg of rest) {
    const plain = safeDecode(seg);
    if (plain === '.' || plain === '') continue;
    if (plain === '..') out.pop();
    else out.push(seg);
  }
  const last = safeDecode(rest[rest.length - 1]!);
  const trailing = last === '' || last === '.' || last === '..';
  return { prefix, path: '/' + out.join('/') + (trailing && out.length > 0 ? '/' : '') };
}

/** The query string of the request, with its `?`, or ''. */
export function querySuffix(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  const query = url.slice(q, hash < 0 ? undefined : hash);
  return query === '?' ? '' : query;
}

function safeDecode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/**
 * Upstream's IsProxyableIP for an address of `pod`: the API server dials only global unicast
 * addresses for a client, so a pod cannot point it at the machine's own loopback services. In
 * kubesvc's loopback network mode pods live on 127.244.x.x, so an address inside the pod CIDR of
 * the node the pod runs on is a pod's too and allowed.
 */
export async function checkPodAddress(nodes: Store, pod: Pod, ip: string): Promise<void> {
  if (isGlobalUnicast(ip)) return;
  const nodeName = pod.spec?.nodeName;
  const node = nodeName ? ((await nodes.find(undefined, nodeName))?.obj as Node | undefined) : undefined;
  const cidrs = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
  if (cidrs.some((c) => cidrContains(c, ip))) return;
  throw errors.badRequest('address not allowed');
}

/** The pod's first IP, as upstream's getPodIP. */
export function podIP(pod: Pod): string {
  return pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '';
}
