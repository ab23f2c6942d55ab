// Aggregated discovery (apidiscovery.k8s.io/v2, and v2beta1 which kubectl 1.32 still lists second):
// every group, version and resource of /api or /apis in one document, so a client learns the whole
// API in two requests instead of one per group version. Built from the same APIResourceLists that
// /api/v1 and /apis/<group>/<version> serve, converted as upstream's ConvertGroupVersionIntoToDiscovery.
import { createHash } from 'node:crypto';
import { apiGroupNames, apiResourceList, groupVersions, type APIResourceList } from './discovery.js';
import type { ResourceInfo } from './resources.js';

export type DiscoveryVersion = 'v2' | 'v2beta1';
export const discoveryGroup = 'apidiscovery.k8s.io';
export const discoveryListKind = 'APIGroupDiscoveryList';

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource?: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  // Go's ObjectMeta: the core group's "" name is omitted, and a zero creationTimestamp is null.
  metadata: { name?: string; creationTimestamp: null };
  versions: APIVersionDiscovery[];
}

/** The list without kind/apiVersion: upstream hashes it so, and one ETag serves v2 and v2beta1. */
export interface APIGroupDiscoveryList {
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/** One group version's APIResourceList as discovery resources: subresources folded into their parent. */
export function discoveryResources(list: APIResourceList): APIResourceDiscovery[] {
  const out: APIResourceDiscovery[] = [];
  const parents = new Map<string, APIResourceDiscovery>();
  const scopeOf = (namespaced: boolean) => (namespaced ? 'Namespaced' : 'Cluster');
  for (const r of list.resources) {
    if (r.name.includes('/')) continue;
    // Keys in upstream's JSON order; the optional ones omitted when empty, as Go's omitempty.
    const d: APIResourceDiscovery = {
      resource: r.name,
      responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind },
      scope: scopeOf(r.namespaced),
      ...(r.singularName ? { singularResource: r.singularName } : {}),
      verbs: r.verbs,
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
    };
    out.push(d);
    parents.set(r.name, d);
  }
  for (const r of list.resources) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const parentName = r.name.slice(0, slash);
    let parent = parents.get(parentName);
    if (!parent) {
      // As upstream: a subresource without its resource still gets a (kind-less) parent entry.
      parent = { resource: parentName, responseKind: { group: '', version: '', kind: '' }, scope: scopeOf(r.namespaced), verbs: [] };
      out.push(parent);
      parents.set(parentName, parent);
    }
    (parent.subresources ??= []).push({
      subresource: r.name.slice(slash + 1),
      responseKind: { group: r.group ?? '', version: r.version ?? '', kind: r.kind },
      verbs: r.verbs,
    });
  }
  return out;
}

function groupDiscovery(resources: readonly ResourceInfo[], group: string): APIGroupDiscovery {
  return {
    metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
    versions: groupVersions(resources, group).map((version) => ({
      version,
      resources: discoveryResources(apiResourceList(resources, group, version)),
      freshness: 'Current',
    })),
  };
}

/** /api holds only the core ("") group; /apis every named group, in /apis' order. */
export function aggregatedDiscovery(resources: readonly ResourceInfo[], root: 'api' | 'apis'): APIGroupDiscoveryList {
  const groups = root === 'api' ? [''] : apiGroupNames(resources);
  return { metadata: {}, items: groups.map((g) => groupDiscovery(resources, g)) };
}

export interface AggregatedDocument {
  list: APIGroupDiscoveryList;
  /** Upper-case hex SHA-512 of the list's JSON, as upstream's calculateETag. */
  etag: string;
  /** The answer bodies written so far, by version and encoding: built once per document. */
  bodies: Map<string, string>;
}

/** The registry as discovery reads it: what is served, and a counter that moves whenever that changes. */
export interface ServedResources {
  infos(): readonly ResourceInfo[];
  readonly generation: number;
}

/** Per registry (several API servers may share a process, as tests run them), per root. */
const caches = new WeakMap<ServedResources, Map<'api' | 'apis', { generation: number; doc: AggregatedDocument }>>();

/**
 * The document and its ETag, built and hashed once per registry generation (a resource added or
 * removed moves it): an unchanged registry is answered without rebuilding anything.
 */
export function aggregatedDocument(served: ServedResources, root: 'api' | 'apis'): AggregatedDocument {
  let cache = caches.get(served);
  if (!cache) caches.set(served, (cache = new Map()));
  const hit = cache.get(root);
  if (hit && hit.generation === served.generation) return hit.doc;
  const list = aggregatedDiscovery(served.infos(), root);
  const doc = { list, etag: createHash('sha512').update(JSON.stringify(list)).digest('hex').toUpperCase(), bodies: new Map<string, string>() };
  cache.set(root, { generation: served.generation, doc });
  return doc;
}

/** The list as a versioned object, for the version the client asked for. */
export function versionedList(list: APIGroupDiscoveryList, version: DiscoveryVersion): object {
  return { kind: discoveryListKind, apiVersion: `${discoveryGroup}/${version}`, ...list };
}
