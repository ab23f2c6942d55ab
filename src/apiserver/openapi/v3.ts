// OpenAPI v3: the discovery root (/openapi/v3) and one document per group-version
// (/openapi/v3/api/v1, /openapi/v3/apis/apps/v1, ...), as kubectl's openapi3 client reads them.
import { definition, reachable } from '../../api/schema/index.js';
import { build, memo, type Built } from './cache.js';
import { buildPaths, ownDefinitions, rootDefinitions } from './paths.js';
import { gvPathOf, type ServedResource } from './types.js';

function groupByGv(resources: ServedResource[]): Map<string, ServedResource[]> {
  const out = new Map<string, ServedResource[]>();
  for (const r of resources) {
    const k = gvPathOf(r);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

function makeDoc(gvPath: string, rs: ServedResource[]): object {
  const schemas: Record<string, unknown> = {};
  const own = ownDefinitions(rs);
  for (const name of [...reachable(rootDefinitions(rs)), ...Object.keys(own)].sort()) schemas[name] = own[name] ?? definition(name);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: buildPaths(gvPath, rs),
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } },
    },
    security: [{ BearerToken: [] }],
  };
}

const docs = memo((resources: ServedResource[]): Map<string, Built> => {
  const out = new Map<string, Built>();
  for (const [gvPath, rs] of [...groupByGv(resources)].sort(([a], [b]) => a.localeCompare(b))) {
    out.set(gvPath, build(makeDoc(gvPath, rs)));
  }
  return out;
});

const roots = memo((resources: ServedResource[]): Built => {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gvPath, b] of docs(resources)) paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${b.hash}` };
  return build({ paths });
});

/** `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}` */
export function openapiV3Root(resources: ServedResource[]): object {
  return roots(resources).doc;
}

/** The document for 'api/v1', 'apis/apps/v1', ...; undefined for a group-version not served. */
export function openapiV3Doc(gvPath: string, resources: ServedResource[]): object | undefined {
  return docs(resources).get(trimSlashes(gvPath))?.doc;
}

/** Serialized root plus its hash (usable as an ETag). */
export function openapiV3RootBuilt(resources: ServedResource[]): Built {
  return roots(resources);
}

/** Serialized document plus the hash the root advertises for it in `?hash=`. */
export function openapiV3DocBuilt(gvPath: string, resources: ServedResource[]): Built | undefined {
  return docs(resources).get(trimSlashes(gvPath));
}

function trimSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '').replace(/^openapi\/v3\//, '');
}
