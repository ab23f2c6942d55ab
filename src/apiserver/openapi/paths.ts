// The `paths` of one group-version's OpenAPI document, in the shape upstream's apiserver
// publishes: one path item per collection / object / subresource URL, each operation tagged with
// x-kubernetes-action and x-kubernetes-group-version-kind. kubectl relies on those extensions:
// the fieldValidation verifier and apply's patch-type choice find operations by GVK.
import { definitionNameFor, REF_PREFIX } from '../../api/schema/index.js';
import * as P from './params.js';
import type { Parameter } from './params.js';
import type { ServedResource } from './types.js';

type Json = Record<string, unknown>;
interface Gvk { group: string; version: string; kind: string }

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const ref = (name: string): Json => ({ $ref: REF_PREFIX + name });
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function content(schema: Json, types: string[]): Json {
  const out: Json = {};
  for (const t of types) out[t] = { schema };
  return out;
}
const ok = (schema: Json, types = ['application/json', 'application/yaml']): Json => ({ description: 'OK', content: content(schema, types) });
const created = (schema: Json): Json => ({ description: 'Created', content: content(schema, ['application/json', 'application/yaml']) });
const accepted = (schema: Json): Json => ({ description: 'Accepted', content: content(schema, ['application/json', 'application/yaml']) });
const unauthorized = { description: 'Unauthorized' };

/** "CoreV1", "AppsV1", "DiscoveryV1": the group-version part of upstream's operation ids. */
export function gvOperationName(group: string, version: string): string {
  const g = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  const camel = g.split(/[.-]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
  return camel + version.charAt(0).toUpperCase() + version.slice(1);
}
export function gvTag(group: string, version: string): string {
  return `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/[.-]/g, '_')}_${version}`;
}

interface OpSpec {
  id: string;
  action: string;
  gvk: Gvk;
  params?: Parameter[];
  body?: Json;
  responses: Json;
}

function op(tag: string, s: OpSpec): Json {
  const o: Json = { tags: [tag], operationId: s.id };
  if (s.params?.length) o.parameters = s.params;
  if (s.body) o.requestBody = { content: s.body, required: true };
  o.responses = { ...s.responses, '401': unauthorized };
  o['x-kubernetes-action'] = s.action;
  o['x-kubernetes-group-version-kind'] = s.gvk;
  return o;
}

function defName(gvk: Gvk): string {
  const n = definitionNameFor(gvk);
  if (!n) throw new Error(`openapi: no schema for ${gvk.group}/${gvk.version} ${gvk.kind}`);
  return n;
}

function objectName(r: ServedResource): string {
  return r.openapi?.object ?? defName(r);
}

function listNameOf(r: ServedResource): string | undefined {
  return r.openapi?.list ?? definitionNameFor({ group: r.group, version: r.version, kind: r.kind + 'List' });
}

/** The definitions of `resources` that are not generated ones, by name. */
export function ownDefinitions(resources: ServedResource[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) Object.assign(out, r.openapi?.definitions);
  return out;
}

/** Generated definitions the paths of `resources` refer to (for trimming components/definitions). */
export function rootDefinitions(resources: ServedResource[]): string[] {
  const out = new Set<string>([META + 'APIResourceList', META + 'DeleteOptions', META + 'Patch', META + 'Status', META + 'WatchEvent']);
  for (const r of resources) {
    if (r.openapi) {
      // Own schemas refer to the generated ObjectMeta and ListMeta.
      out.add(META + 'ObjectMeta').add(META + 'ListMeta');
      if (r.subresources.includes('scale')) out.add(defName({ group: 'autoscaling', version: 'v1', kind: 'Scale' }));
      continue;
    }
    out.add(defName(r));
    const list = listNameOf(r);
    if (list) out.add(list);
    if (r.subresources.includes('scale')) out.add(defName({ group: 'autoscaling', version: 'v1', kind: 'Scale' }));
    if (r.subresources.includes('token')) out.add(defName(tokenRequestGvk));
  }
  return [...out];
}

export function buildPaths(gvPath: string, resources: ServedResource[]): Json {
  const paths: Json = {};
  const first = resources[0];
  if (!first) return paths;
  const { group, version } = first;
  const gvName = gvOperationName(group, version);
  const tag = gvTag(group, version);
  paths[`/${gvPath}/`] = {
    get: op(tag, {
      id: `get${gvName}APIResources`, action: '', gvk: { group: '', version: 'v1', kind: 'APIResourceList' },
      responses: { '200': ok(ref(META + 'APIResourceList')) },
    }),
  };
  // x-kubernetes-action is only set on resource operations upstream; drop the empty one.
  delete ((paths[`/${gvPath}/`] as Json).get as Json)['x-kubernetes-action'];
  delete ((paths[`/${gvPath}/`] as Json).get as Json)['x-kubernetes-group-version-kind'];

  for (const r of [...resources].sort((a, b) => a.resource.localeCompare(b.resource))) {
    addResource(paths, gvPath, gvName, tag, r);
  }
  return paths;
}

function addResource(paths: Json, gvPath: string, gvName: string, tag: string, r: ServedResource): void {
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind };
  const obj = ref(objectName(r));
  const listName = listNameOf(r);
  const status = ref(META + 'Status');
  const ns = r.namespaced ? 'Namespaced' : '';
  const base = r.namespaced ? `/${gvPath}/namespaces/{namespace}/${r.resource}` : `/${gvPath}/${r.resource}`;
  const scope = r.namespaced ? [P.pathNamespace] : [];
  const can = (v: string): boolean => r.verbs.includes(v);
  const deleteBody = content(ref(META + 'DeleteOptions'), ['*/*']);
  const patchBody = content(ref(META + 'Patch'), PATCH_TYPES);

  const coll: Json = {};
  if (can('list') && listName) {
    coll.get = op(tag, {
      id: `list${gvName}${ns}${r.kind}`, action: 'list', gvk, params: P.listParams,
      responses: { '200': ok(ref(listName), ['application/json', 'application/yaml', 'application/json;stream=watch']) },
    });
  }
  if (can('create')) {
    coll.post = op(tag, {
      id: `create${gvName}${ns}${r.kind}`, action: 'post', gvk, params: P.writeParams, body: content(obj, ['*/*']),
      responses: { '200': ok(obj), '201': created(obj), '202': accepted(obj) },
    });
  }
  if (can('deletecollection')) {
    coll.delete = op(tag, {
      id: `delete${gvName}Collection${ns}${r.kind}`, action: 'deletecollection', gvk,
      params: P.deleteCollectionParams, body: deleteBody, responses: { '200': ok(status) },
    });
  }
  if (Object.keys(coll).length) paths[base] = { ...coll, parameters: [...scope, P.pretty] };

  const item: Json = {};
  if (can('get')) item.get = op(tag, { id: `read${gvName}${ns}${r.kind}`, action: 'get', gvk, responses: { '200': ok(obj) } });
  if (can('update')) {
    item.put = op(tag, {
      id: `replace${gvName}${ns}${r.kind}`, action: 'put', gvk, params: P.writeParams, body: content(obj, ['*/*']),
      responses: { '200': ok(obj), '201': created(obj) },
    });
  }
  if (can('patch')) {
    item.patch = op(tag, {
      id: `patch${gvName}${ns}${r.kind}`, action: 'patch', gvk, params: P.patchParams, body: patchBody,
      responses: { '200': ok(obj), '201': created(obj) },
    });
  }
  if (can('delete')) {
    item.delete = op(tag, {
      id: `delete${gvName}${ns}${r.kind}`, action: 'delete', gvk, params: P.deleteParams, body: deleteBody,
      responses: { '200': ok(status), '202': accepted(status) },
    });
  }
  const itemParams = [P.pathName, ...scope, P.pretty];
  if (Object.keys(item).length) paths[`${base}/{name}`] = { ...item, parameters: itemParams };

  if (r.namespaced && can('list') && listName) {
    paths[`/${gvPath}/${r.resource}`] = {
      get: op(tag, {
        id: `list${gvName}${r.kind}ForAllNamespaces`, action: 'list', gvk,
        responses: { '200': ok(ref(listName), ['application/json', 'application/yaml', 'application/json;stream=watch']) },
      }),
      parameters: [...P.listParams, P.pretty].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  for (const sub of r.subresources) addSubresource(paths, `${base}/{name}/${sub}`, itemParams, gvName, tag, r, sub, patchBody);
}

function addSubresource(
  paths: Json, url: string, params: Parameter[], gvName: string, tag: string, r: ServedResource, sub: string, patchBody: Json,
): void {
  const ns = r.namespaced ? 'Namespaced' : '';
  const Sub = sub.charAt(0).toUpperCase() + sub.slice(1);
  const id = (verb: string): string => `${verb}${gvName}${ns}${r.kind}${Sub}`;
  const gvk: Gvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: r.group, version: r.version, kind: r.kind };
  if (sub === 'status' || sub === 'scale') {
    const obj = ref(sub === 'scale' ? defName(gvk) : objectName(r));
    paths[url] = {
      get: op(tag, { id: id('read'), action: 'get', gvk, responses: { '200': ok(obj) } }),
      put: op(tag, {
        id: id('replace'), action: 'put', gvk, params: P.writeParams, body: content(obj, ['*/*']),
        responses: { '200': ok(obj), '201': created(obj) },
      }),
      patch: op(tag, {
        id: id('patch'), action: 'patch', gvk, params: P.patchParams, body: patchBody,
        responses: { '200': ok(obj), '201': created(obj) },
      }),
      parameters: params,
    };
  } else if (sub === 'log') {
    paths[url] = {
      get: op(tag, {
        id: id('read'), action: 'get', gvk, params: P.logParams,
        responses: { '200': ok({ type: 'string' }, ['text/plain', 'application/json', 'application/yaml']) },
      }),
      parameters: params.filter((p) => p.name !== 'pretty').concat(P.pretty),
    };
  } else if (sub === 'exec' || sub === 'portforward' || sub === 'attach') {
    const q = sub === 'exec' ? P.execParams : sub === 'portforward' ? P.portForwardParams : P.execParams.filter((p) => p.name !== 'command');
    const connect = (verb: 'Get' | 'Post'): Json =>
      op(tag, {
        id: `connect${gvName}${verb}${ns}${r.kind}${Sub}`, action: 'connect',
        gvk: { group: r.group, version: r.version, kind: `${r.kind}${sub === 'portforward' ? 'PortForward' : Sub}Options` },
        params: q, responses: { '200': ok({ type: 'string' }, ['*/*']) },
      });
    paths[url] = { get: connect('Get'), post: connect('Post'), parameters: params.filter((p) => p.name !== 'pretty') };
  } else if (sub === 'token') {
    // serviceaccounts/token answers another group's kind (upstream's TokenREST.GroupVersionKind).
    const tokenGvk = tokenRequestGvk;
    const obj = ref(defName(tokenGvk));
    paths[url] = {
      post: op(tag, {
        id: id('create'), action: 'post', gvk: tokenGvk, params: P.writeParams, body: content(obj, ['*/*']),
        responses: { '200': ok(obj), '201': created(obj), '202': accepted(obj) },
      }),
      parameters: params,
    };
  }
}

const tokenRequestGvk: Gvk = { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' };
