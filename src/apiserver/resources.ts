// How a served resource is described (upstream's APIResource plus the generic store's flags):
// discovery, routing, storage keys, OpenAPI and field selectors are derived from the
// ResourceInfo of each entry in the registry (registry/registry.ts).
import type { KubeObject } from '../api/meta.js';
import type { OwnSchemas } from './openapi/types.js';

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
  /** PUT may create a missing object (upstream's AllowCreateOnUpdate). */
  createOnUpdate: boolean;
  /** DELETE answers with the deleted object rather than a Success Status (upstream's ReturnDeletedObject). */
  returnDeletedObject: boolean;
  /** Strategic merge patch needs Go struct tags; custom resources have none and refuse it (415). */
  strategicMergePatch: boolean;
  /** Where the scale subresource reads and writes replicas (a CRD's subresources.scale); built-in kinds use spec.replicas. */
  scale?: ScalePaths;
  /** OpenAPI schemas for a kind without generated definitions (custom resources). */
  openapi?: OwnSchemas;
  /**
   * Fields of a body the kind's schema does not know (`.spec.x`), for a kind without generated
   * definitions: what fieldValidation warns about or refuses (custom resources: what pruning drops).
   */
  unknownFields?: (obj: KubeObject) => string[];
}

/** JSON paths (".spec.replicas") of a scale subresource, as a CRD's subresources.scale names them. */
export interface ScalePaths {
  specReplicasPath?: string;
  statusReplicasPath?: string;
  labelSelectorPath?: string;
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

export function fields(...paths: string[]): Record<string, (obj: KubeObject) => string | undefined> {
  const out: Record<string, (obj: KubeObject) => string | undefined> = {};
  for (const p of paths) out[p] = get(p);
  return out;
}

/** A ResourceInfo with upstream's usual values for what is not given. */
export function resourceInfo(r: Partial<ResourceInfo> & Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'kind'>): ResourceInfo {
  return {
    singular: r.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    subresources: [],
    fieldSelectors: {},
    createOnUpdate: false,
    returnDeletedObject: false,
    strategicMergePatch: true,
    ...r,
  };
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Storage key prefix for a resource; namespaced keys continue with `<ns>/<name>`. */
export function keyPrefix(r: ResourceInfo): string {
  return `/registry/${r.group || 'core'}/${r.resource}/`;
}

export function objectKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${keyPrefix(r)}${namespace}/${name}` : `${keyPrefix(r)}${name}`;
}

/** What the field manager needs to know of a resource: its kind, and whether status is written apart. */
export function fieldManagerKind(r: ResourceInfo): { group: string; version: string; kind: string; hasStatus: boolean } {
  return { group: r.group, version: r.version, kind: r.kind, hasStatus: r.subresources.includes('status') };
}
