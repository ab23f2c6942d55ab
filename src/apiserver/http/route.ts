// Turns a request path into what it names: a resource (collection, object or subresource) of an
// API group version, or one of the server's other endpoints.
import { findResource, resources, type ResourceInfo } from '../resources.js';

export interface ResourceRoute {
  type: 'resource';
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type Route =
  | ResourceRoute
  | { type: 'apiVersions' } // /api
  | { type: 'apiGroupList' } // /apis
  | { type: 'apiGroup'; group: string } // /apis/<g>
  | { type: 'resourceList'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | { type: 'other'; path: string }
  | { type: 'notFound' };

function groupKnown(group: string): boolean {
  return resources.some((r) => r.group === group);
}

function versionKnown(group: string, version: string): boolean {
  return resources.some((r) => r.group === group && r.version === version);
}

export function route(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'apiVersions' };
    return resourceRoute('', parts[1]!, parts.slice(2));
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'apiGroupList' };
    const group = parts[1]!;
    if (!groupKnown(group)) return { type: 'notFound' };
    if (parts.length === 2) return { type: 'apiGroup', group };
    return resourceRoute(group, parts[2]!, parts.slice(3));
  }
  return { type: 'other', path: pathname };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  if (!versionKnown(group, version)) return { type: 'notFound' };
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
  if (rest.length > 2) return { type: 'notFound' };
  const r: ResourceRoute = { type: 'resource', info };
  if (namespace !== undefined) r.namespace = namespace;
  if (rest[0] !== undefined) r.name = rest[0];
  if (rest[1] !== undefined) {
    if (!info.subresources.includes(rest[1])) return { type: 'notFound' };
    r.subresource = rest[1];
  }
  return r;
}
