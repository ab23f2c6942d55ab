// Discovery documents (/api, /apis, /api/v1, /apis/<group>/<version>) built from the resources
// the registry serves at the time of the request.
import { apiVersionOf, type ResourceInfo } from './resources.js';

interface SubresourceDoc {
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
}

function subresourceDoc(r: ResourceInfo, sub: string): SubresourceDoc {
  switch (sub) {
    case 'status':
      return { kind: r.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' };
    case 'log':
      return { kind: r.kind, verbs: ['get'] };
    case 'exec':
      return { kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'binding':
      return { kind: 'Binding', verbs: ['create'] };
    case 'token':
      return { kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' };
    case 'finalize':
      return { kind: r.kind, verbs: ['update'] };
    case 'proxy':
      return { kind: `${r.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    default:
      return { kind: r.kind, verbs: ['get'] };
  }
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** metav1.APIResource as discovery serves it (subresources as `<resource>/<sub>`). */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export function apiResourceList(resources: readonly ResourceInfo[], group: string, version: string): APIResourceList {
  const out: APIResource[] = [];
  for (const r of resources.filter((r) => r.group === group && r.version === version)) {
    const doc: APIResource = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) doc.shortNames = r.shortNames;
    if (r.categories.length) doc.categories = r.categories;
    out.push(doc);
    for (const sub of r.subresources) {
      const s = subresourceDoc(r, sub);
      // Key order as upstream's JSON: group and version (when the subresource answers another kind) before kind.
      out.push({
        name: `${r.resource}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version ?? '' } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources: out };
}

/** The versions a group serves, the preferred one first. */
export function groupVersions(resources: readonly ResourceInfo[], group: string): string[] {
  return [...new Set(resources.filter((r) => r.group === group).map((r) => r.version))];
}

/** The named API groups (all but the core one), in the order /apis lists them. */
export function apiGroupNames(resources: readonly ResourceInfo[]): string[] {
  return [...new Set(resources.map((r) => r.group).filter((g) => g !== ''))];
}

function groupDoc(resources: readonly ResourceInfo[], group: string): object {
  const gvs = groupVersions(resources, group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

export function apiGroup(resources: readonly ResourceInfo[], group: string): object {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(resources, group) };
}

export function apiGroupList(resources: readonly ResourceInfo[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroupNames(resources).map((g) => groupDoc(resources, g)) };
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** The Kubernetes release whose API kubesvc implements; kubectl's dispatcher picks its client by this. */
export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export function versionInfo(): object {
  return {
    ...kubernetesVersion,
    gitCommit: 'kubesvc',
    gitTreeState: 'clean',
    buildDate: '2026-11-27T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
