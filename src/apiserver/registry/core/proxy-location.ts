// Where a proxy subresource (services/x/proxy, pods/x/proxy, nodes/x/proxy) sends a request:
// the name's scheme and port (upstream's SplitSchemeNamePort), the path after `/proxy` exactly as
// the client sent it, and which addresses the API server may dial on a client's behalf.
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Node, Pod } from '../../../api/core.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { Store } from '../../store/store.js';
import { requestPath } from '../../http/route.js';
import { errors } from '../../../machinery/status.js';

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

/** Go's IP.IsGlobalUnicast: not unspecified, loopback, link-local, multicast or the IPv4 broadcast address. */
export function isGlobalUnicast(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    if (ip === '0.0.0.0' || ip === '255.255.255.255') return false;
    return a !== 127 && !(a === 169 && b === 254) && a < 224;
  }
  if (isIPv6(ip)) {
    const l = ip.toLowerCase();
    if (l === '::' || l === '::1') return false;
    return !/^fe[89ab]/.test(l) && !l.startsWith('ff');
  }
  return false;
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** Whether IPv4 `ip` lies in `cidr` (a.b.c.d/n). */
export function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (!base || !isIPv4(base) || !isIPv4(ip)) return false;
  const n = Number(bits);
  if (!Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(ipv4Number(ip) / size) === Math.floor(ipv4Number(base) / size);
}

/**
 * Upstream's IsProxyableIP: the API server dials only global unicast addresses for a client, so a
 * pod cannot point it at the machine's own loopback services. In kubesvc's loopback network mode
 * pods live on 127.244.x.x, so an address inside its node's pod CIDR is a pod's too and allowed.
 */
export function checkProxyableIP(ip: string, nodePodCIDRs: string[]): void {
  if (isGlobalUnicast(ip)) return;
  if (nodePodCIDRs.some((c) => inCIDR(ip, c))) return;
  throw errors.badRequest('address not allowed');
}

/** checkProxyableIP for an address of `pod`, against the pod CIDRs of the node it runs on. */
export async function checkPodAddress(nodes: Store, pod: Pod, ip: string): Promise<void> {
  if (isGlobalUnicast(ip)) return;
  let cidrs: string[] = [];
  const nodeName = pod.spec?.nodeName;
  if (nodeName) {
    const node = (await nodes.find(undefined, nodeName))?.obj as Node | undefined;
    cidrs = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
  }
  checkProxyableIP(ip, cidrs);
}

/** The pod's first IP, as upstream's getPodIP. */
export function podIP(pod: Pod): string {
  return pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '';
}
