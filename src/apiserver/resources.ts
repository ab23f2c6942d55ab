// The resources kubesvc serves, described once: discovery, routing, storage keys, OpenAPI and
// field selectors are all derived from this table.
import type { KubeObject } from '../api/meta.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: "services". */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  /** Subresources served besides the main resource, e.g. status, scale. */
  subresources: string[];
  /** Field selectors this resource supports besides metadata.name and metadata.namespace. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** Objects with a separate status: PUT on the main resource keeps status, /status keeps the rest. */
  hasStatus: boolean;
  /** metadata.generation counts spec changes (apps kinds). */
  tracksGeneration: boolean;
  /** PUT may create a missing object (upstream's AllowCreateOnUpdate). */
  createOnUpdate: boolean;
  /** DELETE answers with the deleted object rather than a Success Status (upstream's ReturnDeletedObject). */
  returnDeletedObject: boolean;
}

const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const get = (path: string) => (obj: KubeObject): string | undefined => {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
};

function fields(...paths: string[]): Record<string, (obj: KubeObject) => string | undefined> {
  const out: Record<string, (obj: KubeObject) => string | undefined> = {};
  for (const p of paths) out[p] = get(p);
  return out;
}

function res(r: Partial<ResourceInfo> & Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'kind'>): ResourceInfo {
  return {
    singular: r.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    subresources: [],
    fieldSelectors: {},
    hasStatus: false,
    tracksGeneration: false,
    createOnUpdate: false,
    returnDeletedObject: false,
    ...r,
  };
}

export const resources: ResourceInfo[] = [
  res({
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
    fieldSelectors: fields('status.phase'),
    hasStatus: true,
    returnDeletedObject: true,
  }),
  res({
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status', 'proxy'],
    fieldSelectors: fields('spec.clusterIP', 'spec.type'),
    hasStatus: true,
    returnDeletedObject: true,
  }),
  res({
    group: '',
    version: 'v1',
    resource: 'endpoints',
    kind: 'Endpoints',
    singular: 'endpoints',
    shortNames: ['ep'],
    createOnUpdate: true,
  }),
  res({
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'portforward', 'binding'],
    fieldSelectors: fields(
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ),
    hasStatus: true,
    returnDeletedObject: true,
  }),
  res({
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status', 'proxy'],
    fieldSelectors: fields('spec.unschedulable'),
    hasStatus: true,
  }),
  res({
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    fieldSelectors: fields(
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ),
    createOnUpdate: true,
  }),
  res({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  res({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', fieldSelectors: fields('type') }),
  res({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'], returnDeletedObject: true }),
  res({
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasStatus: true,
    tracksGeneration: true,
  }),
  res({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    fieldSelectors: fields('status.replicas'),
    hasStatus: true,
    tracksGeneration: true,
  }),
  res({
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    fieldSelectors: fields('addressType'),
    createOnUpdate: false,
  }),
  res({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    createOnUpdate: true,
  }),
];

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** Storage key prefix for a resource; namespaced keys continue with `<ns>/<name>`. */
export function keyPrefix(r: ResourceInfo): string {
  return `/registry/${r.group || 'core'}/${r.resource}/`;
}

export function objectKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${keyPrefix(r)}${namespace}/${name}` : `${keyPrefix(r)}${name}`;
}
