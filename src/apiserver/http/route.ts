// Turns a request path into what it names: a resource (collection, object or subresource) of an
// API group version, or one of the server's other endpoints.
import type { ResourceInfo } from '../resources.js';
import type { ResourceRoute, Route } from './route-types.js';
import type { Registry } from '../registry/registry.js';
import { pathSegmentNameProblems } from '../../api/validation/names.js';
import { errors } from '../../machinery/status.js';

export type { ResourceRoute, Route } from './route-types.js';

/**
 * The path of a request target exactly as the client sent it. WHATWG URL parsing (`new URL`)
 * resolves `.` and `..` segments, also percent-encoded ones, so `/namespaces/victim/services/..`
 * would come out as the Namespace `victim` itself; routing must see the segments as sent, as
 * upstream's request-info resolver does, and refuse `.`/`..` as names.
 */
export function requestPath(target: string): string {
  let path = target;
  // absolute-form (`GET https://host/path`), which proxies send
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(path);
  if (abs) path = path.slice(abs[0].length);
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  return path.startsWith('/') ? path : `/${path}`;
}

/** Splits a raw path into decoded segments; a malformed percent-escape is the client's mistake (400). */
export function pathSegments(path: string): string[] {
  const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(path);
  if (bad) throw errors.badRequest(`invalid URL escape ${JSON.stringify(bad[0])}`);
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((seg) => {
    try {
      return decodeURIComponent(seg);
    } catch {
      // well-formed escapes that are not UTF-8 (e.g. %C0): keep the bytes Go would, as Latin-1
      return unescape(seg);
    }
  });
}

function checkSegment(what: 'Name' | 'Namespace', value: string): void {
  const problems = pathSegmentNameProblems(value);
  if (problems.length) throw errors.badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${problems.join(';')}`);
}

/** What `pathname` names among the registry's current entries. */
export function route(registry: Registry, pathname: string): Route {
  const parts = pathSegments(pathname);
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'apiVersions' };
    return resourceRoute(registry, '', parts[1]!, parts.slice(2));
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'apiGroupList' };
    const group = parts[1]!;
    if (!registry.groupServed(group)) return { type: 'notFound' };
    if (parts.length === 2) return { type: 'apiGroup', group };
    return resourceRoute(registry, group, parts[2]!, parts.slice(3));
  }
  return { type: 'other', path: pathname };
}

function resourceRoute(registry: Registry, group: string, version: string, rest: string[]): Route {
  const findResource = (g: string, v: string, r: string) => registry.find(g, v, r)?.info;
  if (!registry.versionServed(group, version)) return { type: 'notFound' };
  if (rest.length === 0) return { type: 'resourceList', group, version };
  // /namespaces/<ns>/<resource>/... names a namespaced resource; /namespaces/<name>[/<sub>] the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && group === '' ) {
    const nsResource = findResource(group, version, rest[2]!);
    if (nsResource && nsResource.namespaced) return objectRoute(nsResource, rest[1], rest.slice(3));
    if (rest.length === 3) {
      // /api/v1/namespaces/<name>/<subresource>
      const nsInfo = findResource('', 'v1', 'namespaces')!;
      return objectRoute(nsInfo, undefined, [rest[1]!, rest[2]!]);
    }
    return { type: 'notFound' };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = findResource(group, version, rest[2]!);
    if (!info || !info.namespaced) return { type: 'notFound' };
    return objectRoute(info, rest[1], rest.slice(3));
  }
  const info = findResource(group, version, rest[0]!);
  if (!info) return { type: 'notFound' };
  return objectRoute(info, undefined, rest.slice(1));
}

function objectRoute(info: ResourceInfo, namespace: string | undefined, rest: string[]): Route {
  // Only a proxy subresource goes on: the rest of the path is the backend's (nodes/x/proxy/stats/summary),
  // which the subresource reads from the path as sent (splitProxyPath), trailing slash and all.
  if (rest[1] === 'proxy' && rest.length > 2) rest = rest.slice(0, 2);
  if (rest.length > 2) return { type: 'notFound' };
  // An empty segment (`/namespaces//services`) matches no route upstream either.
  if (namespace === '' || rest.some((s) => s === '')) return { type: 'notFound' };
  if (namespace !== undefined) checkSegment('Namespace', namespace);
  if (rest[0] !== undefined) checkSegment('Name', rest[0]);
  const r: ResourceRoute = { type: 'resource', info };
  if (namespace !== undefined) r.namespace = namespace;
  if (rest[0] !== undefined) r.name = rest[0];
  if (rest[1] !== undefined) {
    if (!info.subresources.includes(rest[1])) return { type: 'notFound' };
    r.subresource = rest[1];
  }
  return r;
}
