// What the OpenAPI documents are built from: the resources the server actually serves.
// ResourceInfo in ../resources.ts is a superset and can be passed as is.
export interface ServedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources: string[];
  verbs: string[];
  /** Schemas of a kind the generated definitions do not hold (a CRD's): served alongside them. */
  openapi?: OwnSchemas;
}

/** A kind's OpenAPI definitions by name, and which of them is the object and which its list. */
export interface OwnSchemas {
  object: string;
  list: string;
  definitions: Record<string, unknown>;
  /** Changes whenever the definitions do (the documents are cached by it). */
  key: string;
}

/** 'api/v1' for the core group, 'apis/<group>/<version>' otherwise: the keys of /openapi/v3. */
export function gvPathOf(r: { group: string; version: string }): string {
  return r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
}
