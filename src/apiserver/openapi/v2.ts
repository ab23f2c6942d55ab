// OpenAPI v2 (Swagger 2.0) at /openapi/v2, as JSON. Built from the same paths and schemas as v3:
// refs point at #/definitions, request bodies become `body` parameters, content types move to
// consumes/produces. kubectl itself asks for v2 only as protobuf: v2-proto.ts encodes this same
// document that way (see docs/kubectl-compat.md).
import { definition, reachable, REF_PREFIX } from '../../api/schema/index.js';
import { build, memo, type Built } from './cache.js';
import { buildPaths, ownDefinitions, rootDefinitions } from './paths.js';
import { gvPathOf, type ServedResource } from './types.js';

type Json = Record<string, unknown>;
const V2_PREFIX = '#/definitions/';

function rewriteRefs(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(rewriteRefs);
  if (!n || typeof n !== 'object') return n;
  const out: Json = {};
  for (const [k, v] of Object.entries(n)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX) ? V2_PREFIX + v.slice(REF_PREFIX.length) : rewriteRefs(v);
  }
  // Swagger 2.0 has no oneOf: IntOrString is written as a string with format int-or-string.
  if (Array.isArray(out.oneOf)) {
    delete out.oneOf;
    out.type = 'string';
  }
  delete out.nullable;
  return out;
}

function opToV2(o: Json): Json {
  const out: Json = { ...o };
  const params = [...((o.parameters as Json[] | undefined) ?? [])].map(paramToV2);
  const body = o.requestBody as { content: Record<string, { schema: Json }> } | undefined;
  delete out.requestBody;
  if (body) {
    const [first] = Object.values(body.content);
    params.unshift({ name: 'body', in: 'body', required: true, schema: rewriteRefs(first?.schema) });
    out.consumes = Object.keys(body.content);
  }
  if (params.length) out.parameters = params;
  const produces = new Set<string>();
  const responses: Json = {};
  for (const [code, r] of Object.entries(o.responses as Record<string, Json>)) {
    const c = r.content as Record<string, { schema: Json }> | undefined;
    const v2: Json = { description: r.description };
    if (c) {
      for (const t of Object.keys(c)) produces.add(t);
      v2.schema = rewriteRefs(Object.values(c)[0]?.schema);
    }
    responses[code] = v2;
  }
  out.responses = responses;
  if (produces.size) out.produces = [...produces];
  out.schemes = ['https'];
  return out;
}

function paramToV2(p: Json): Json {
  const { schema, ...rest } = p as Json & { schema?: Json };
  return { ...rest, type: schema?.type ?? 'string', uniqueItems: true };
}

const v2 = memo((resources: ServedResource[]): Built => {
  const paths: Json = {};
  const byGv = new Map<string, ServedResource[]>();
  for (const r of resources) byGv.set(gvPathOf(r), [...(byGv.get(gvPathOf(r)) ?? []), r]);
  for (const [gvPath, rs] of [...byGv].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [url, item] of Object.entries(buildPaths(gvPath, rs))) {
      const out: Json = {};
      for (const [k, v] of Object.entries(item as Json)) {
        out[k] = k === 'parameters' ? (v as Json[]).map(paramToV2) : opToV2(v as Json);
      }
      paths[url] = out;
    }
  }
  const definitions: Json = {};
  const own = ownDefinitions(resources);
  for (const name of [...reachable(rootDefinitions(resources)), ...Object.keys(own)].sort()) definitions[name] = rewriteRefs(own[name] ?? definition(name));
  return build({
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  });
});

export function openapiV2(resources: ServedResource[]): object {
  return v2(resources).doc;
}

/** Serialized v2 document plus its hash (usable as an ETag). */
export function openapiV2Built(resources: ServedResource[]): Built {
  return v2(resources);
}
