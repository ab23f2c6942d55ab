// The generated hostile corpus: for every served kind, values of the wrong JSON type at the paths
// its schema declares (taken from the same OpenAPI definitions the server publishes), out-of-range
// integers, malformed IPs/CIDRs/quantities/times, nulls, deep nesting, huge bodies, odd patch
// directives, bad query parameters and bad path segments — each a request with the answer upstream
// gives it.
import { definition, definitionNameFor, resolve, type SchemaNode } from '../../src/api/schema/index.js';
import { fixtureName, objectPath, stored, type Kind } from './fixture.js';

export type Seg = string | number;

/** What a case must get back. */
export type Expect =
  /** A 4xx Status, with one of these codes when given. */
  | { type: 'client-error'; codes?: number[] }
  /** Upstream's answer is not pinned down here: anything but a 5xx or a dropped connection. */
  | { type: 'not-5xx'; upstream500?: boolean }
  /** A watch stream (200, events only), or a List. */
  | { type: 'watch' }
  | { type: 'list' };

export interface Case {
  name: string;
  method: string;
  path: string;
  /** A body, or a function of the target object's current state (updates). */
  body?: string | Buffer | ((current: any) => string);
  contentType?: string;
  expect: Expect;
  /** Object the request must leave as it was (absent for creates), checked after the answer. */
  after?: { type: 'absent'; path: string } | { type: 'unchanged'; path: string };
  timeoutMs?: number;
  maxBody?: number;
  stream?: boolean;
}

export const typeError: Expect = { type: 'client-error', codes: [400, 422] };
const invalid: Expect = { type: 'client-error', codes: [422] };
const anyClientError: Expect = { type: 'client-error' };
const not5xx: Expect = { type: 'not-5xx' };

// ---------------------------------------------------------------------------------------------
// Schema leaves

export interface Leaf {
  path: Seg[];
  node: SchemaNode;
  /** A short description of the declared type: "int32", "string map", "time"... */
  type: string;
}

const skipFields = new Set(['apiVersion', 'kind', 'managedFields', 'resourceVersion', 'selfLink', 'uid', 'name', 'namespace', 'generateName']);

function typeOf(raw: SchemaNode, custom: boolean): string | undefined {
  const s = resolve(raw);
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) return 'int-or-string';
  // A CRD schema's int32 is only a name: kube-openapi's validator checks no range for it.
  if (custom && s.type === 'integer') return 'int64';
  if (!s.type && s.oneOf?.some((o) => o.type === 'number')) return 'quantity';
  if (s.type === 'string') return s.format === 'date-time' ? 'time' : 'string';
  if (s.type === 'integer') return s.format === 'int64' ? 'int64' : 'int32';
  if (s.type === 'number') return 'number';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'array') return 'array';
  if (s.type === 'object') {
    if (s.properties && Object.keys(s.properties).length) return 'struct';
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return 'map';
    return undefined; // RawExtension, FieldsV1: anything goes
  }
  return undefined;
}

/** Every typed field of a kind down to `maxDepth` segments (array items count as one, index 0). */
export function leaves(k: Kind, maxDepth = 6): Leaf[] {
  const [group, version] = k.apiVersion.includes('/') ? k.apiVersion.split('/') : ['', k.apiVersion];
  const name = definitionNameFor({ group: group!, version: version!, kind: k.kind });
  const root = k.schema ?? (name ? definition(name) : undefined);
  // A kind without a published schema gets no leaves; its other groups still attack it.
  if (!root) return [];
  const out: Leaf[] = [];
  const walk = (node: SchemaNode, path: Seg[], seen: string[]) => {
    const s = resolve(node);
    const t = typeOf(node, !!k.schema);
    if (path.length > 0 && t) out.push({ path, node: s, type: t });
    if (path.length >= maxDepth) return;
    const ref = node.$ref ?? '';
    if (ref && seen.includes(ref)) return; // recursive definitions (JSONSchemaProps-like) stop here
    const nextSeen = ref ? [...seen, ref] : seen;
    if (s.type === 'object' && s.properties) {
      for (const [f, child] of Object.entries(s.properties)) {
        if (skipFields.has(f) && path.length <= 1) continue;
        walk(child, [...path, f], nextSeen);
      }
    } else if (s.type === 'array' && s.items) {
      walk(s.items, [...path, 0], nextSeen);
    }
  };
  walk(root, [], []);
  return out;
}

/** Whether `path` leads through what `obj` already has (its parent exists), so a patch can reach it. */
function reachable(obj: unknown, path: Seg[]): boolean {
  let cur: any = obj;
  for (const seg of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object' || !(seg in cur)) return false;
    cur = cur[seg];
  }
  return cur !== null && typeof cur === 'object';
}

/** `n` items at even intervals through `items`. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

/**
 * A spread of leaves: mostly ones the base object can reach (a patch gets there), some deeper,
 * and of ObjectMeta (decoded the same way for every kind) only labels and annotations.
 */
export function pickLeaves(k: Kind, all: Leaf[], n: number): Leaf[] {
  const base = k.base('x');
  const metaOk = (l: Leaf) => l.path[0] !== 'metadata' || (l.path.length === 2 && (l.path[1] === 'labels' || l.path[1] === 'annotations'));
  const usable = all.filter(metaOk);
  const near = usable.filter((l) => reachable(base, l.path));
  const far = usable.filter((l) => !reachable(base, l.path));
  const nearPart = spread(near, Math.ceil(n * 0.6));
  return [...nearPart, ...spread(far, n - nearPart.length)];
}

// ---------------------------------------------------------------------------------------------
// Values

/** JSON texts of the wrong type for a declared type (raw text: 2^63 is not a JS number). */
export function wrongValues(type: string): string[] {
  switch (type) {
    case 'string': return ['123', '{"a":"b"}'];
    case 'int32': return ['"1"', '2147483648', '-2147483649', '1.5'];
    case 'int64': return ['"1"', '9223372036854775808', '1.5'];
    case 'number': return ['"x"'];
    case 'boolean': return ['"true"', '1'];
    case 'array': return ['"x"', '{}'];
    case 'map': return ['[]', '{"a":123}'];
    case 'struct': return ['"x"', '[]'];
    case 'time': return ['"not-a-time"', '"2024-13-45T99:99:99Z"', '123'];
    case 'int-or-string': return ['{}', 'true', '1.5'];
    case 'quantity': return ['"12xyz"', '{}', 'true'];
    default: return [];
  }
}

/** Sets `raw` (JSON text) at `path` in a copy of `obj`, creating what is missing, and serialises. */
export function withRaw(obj: unknown, path: Seg[], raw: string): string {
  const marker = '__hostile_raw__';
  const copy = JSON.parse(JSON.stringify(obj ?? {}));
  let cur: any = copy;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    if (last) {
      cur[seg] = marker;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (cur[seg] === null || typeof cur[seg] !== 'object' || Array.isArray(cur[seg]) !== nextIsIndex) cur[seg] = nextIsIndex ? [] : {};
    if (nextIsIndex && cur[seg].length === 0) cur[seg].push({});
    cur = cur[seg];
  });
  return JSON.stringify(copy).replace(`"${marker}"`, raw);
}

export const pathString = (p: Seg[]) => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
export const pointer = (p: Seg[]) => '/' + p.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

// Fields whose wrong value would start real work if a bug stored it: sent with dryRun=All, so the
// answer is still judged but nothing runs.
const dangerous = (k: Kind, path: Seg[]) => (k.kind === 'Deployment' || k.kind === 'ReplicaSet') && path[0] === 'spec' && (path[1] === 'replicas' || path.length === 1);
const dry = (k: Kind, path: Seg[]) => (dangerous(k, path) ? '?dryRun=All' : '');

let serial = 0;
const freshName = (k: Kind) => k.freshName(++serial);

// ---------------------------------------------------------------------------------------------
// Cases per verb

export function createCases(k: Kind, picked: Leaf[]): Case[] {
  const out: Case[] = [];
  for (const leaf of picked) {
    // A null item of a list: Go's decoder makes it the zero value, so upstream's answer depends on the field.
    const nulls = leaf.type === 'array' ? ['null', '[null]'] : ['null'];
    for (const raw of [...wrongValues(leaf.type), ...nulls]) {
      const zero = nulls.includes(raw);
      const name = freshName(k);
      out.push({
        name: `create ${k.kind} with ${pathString(leaf.path)} (${leaf.type}) = ${raw}`,
        method: 'POST',
        // null may well be accepted (as upstream does): a dry run, so it leaves nothing behind.
        path: k.collection + (zero ? '?dryRun=All' : dry(k, leaf.path)),
        body: withRaw(k.base(name), leaf.path, raw),
        // null is the zero value to Go's decoder: upstream accepts it wherever the zero value is valid.
        expect: zero ? not5xx : typeError,
        after: { type: 'absent' as const, path: objectPath(k, name) },
      });
    }
  }
  return out;
}

/** Update and the three patch types, each with one wrong value, aimed at the kind's fixture object. */
export function modifyCases(k: Kind, picked: Leaf[]): Case[] {
  const target = objectPath(k, fixtureName(k));
  const out: Case[] = [];
  const after = { type: 'unchanged' as const, path: target };
  for (const leaf of picked) {
    const raw = wrongValues(leaf.type)[0]!;
    const where = `${pathString(leaf.path)} (${leaf.type}) = ${raw}`;
    const q = dry(k, leaf.path);
    out.push({ name: `update ${k.kind} with ${where}`, method: 'PUT', path: target + q, body: (cur) => withRaw(cur, leaf.path, raw), expect: typeError, after });
    out.push({ name: `merge patch ${k.kind} with ${where}`, method: 'PATCH', path: target + q, contentType: 'application/merge-patch+json', body: withRaw({}, leaf.path, raw), expect: typeError, after });
    // A strategic patch's list items are matched by merge key; only paths without lists here.
    if (k.strategicMergePatch && !leaf.path.some((s) => typeof s === 'number')) {
      out.push({ name: `strategic patch ${k.kind} with ${where}`, method: 'PATCH', path: target + q, contentType: 'application/strategic-merge-patch+json', body: withRaw({}, leaf.path, raw), expect: typeError, after });
    }
    out.push({
      name: `json patch ${k.kind} add ${where}`, method: 'PATCH', path: target + q, contentType: 'application/json-patch+json',
      body: `[{"op":"add","path":${JSON.stringify(pointer(leaf.path))},"value":${raw}}]`,
      // A missing parent is json-patch's 422; a wrong type is the decoder's 400.
      expect: anyClientError, after,
    });
  }
  return out;
}

/** Odd strategic-merge-patch directives and malformed JSON patches, on the fixture object. */
export function patchDirectiveCases(k: Kind): Case[] {
  const target = objectPath(k, fixtureName(k));
  const after = { type: 'unchanged' as const, path: target };
  const smp = [
    '{"metadata":{"labels":{"$patch":"bogus"}}}',
    '{"metadata":{"$retainKeys":"x"}}',
    '{"metadata":{"$retainKeys":[1,2]}}',
    '{"metadata":{"$setElementOrder/finalizers":"x"}}',
    '{"metadata":{"$setElementOrder/finalizers":[{"a":1}]}}',
    '{"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}}',
    '{"metadata":{"finalizers":[{"$patch":"delete"}]}}',
    '{"metadata":{"ownerReferences":[{"$patch":"delete"}]}}',
    '{"metadata":{"ownerReferences":[{"$patch":"replace"}]}}',
    '{"$patch":"bogus"}',
    '{"$retainKeys":{}}',
  ];
  const json = [
    '{"op":"add","path":"/metadata/labels/a"}',
    '[{"op":"add","path":"metadata/labels/a","value":"x"}]',
    '[{"op":"add","path":"/metadata/labels/a","value":1}]',
    '[{"op":"add"}]',
    '[{"path":"/metadata"}]',
    '[{"op":"move","from":"/metadata","path":"/metadata/labels"}]',
    '[{"op":"replace","path":"/metadata/labels/~2","value":"x"}]',
    '[{"op":"remove","path":"/metadata/finalizers/99"}]',
    '[{"op":"add","path":"/metadata/finalizers/-2","value":"x"}]',
    '[{"op":"add","path":"/metadata/finalizers/9999999999999999999","value":"x"}]',
    '[1]',
    '["x"]',
    'null',
    '{}',
  ];
  const out: Case[] = [];
  for (const b of smp) {
    // Upstream answers some of these with its patcher's own 500 (reason ""); that is allowed, a crash's 500 is not.
    out.push({ name: `strategic patch ${k.kind} ${b}`, method: 'PATCH', path: target, contentType: 'application/strategic-merge-patch+json', body: b, expect: { type: 'not-5xx', upstream500: true } });
  }
  // json-patch v4 copies null from a missing member, and a null label value decodes as "": upstream accepts this one.
  out.push({ name: `json patch ${k.kind} copy from a missing member`, method: 'PATCH', path: `${target}?dryRun=All`, contentType: 'application/json-patch+json', body: '[{"op":"copy","from":"/nope","path":"/metadata/labels/x"}]', expect: not5xx });
  for (const b of json) {
    out.push({ name: `json patch ${k.kind} ${b}`, method: 'PATCH', path: target, contentType: 'application/json-patch+json', body: b, expect: b === 'null' ? not5xx : anyClientError, ...(b === 'null' ? {} : { after }) });
  }
  for (const [b, ct] of [['x', 'application/merge-patch+json'], ['[', 'application/json-patch+json'], ['"x"', 'application/merge-patch+json'], ['{}', 'application/bogus-patch+json'], ['{}', 'text/plain']] as const) {
    out.push({ name: `patch ${k.kind} with body ${b} as ${ct}`, method: 'PATCH', path: target, contentType: ct, body: b, expect: anyClientError, after });
  }
  return out;
}

/** /status with wrong types in status, /scale with bad replicas (dryRun: a stored 2^31 would run). */
export function subresourceCases(k: Kind, statusLeaves: Leaf[]): Case[] {
  const target = objectPath(k, fixtureName(k));
  const after = { type: 'unchanged' as const, path: target };
  const out: Case[] = [];
  if (k.status) {
    for (const leaf of statusLeaves) {
      const raw = wrongValues(leaf.type)[0]!;
      out.push({ name: `update ${k.kind}/status with ${pathString(leaf.path)} (${leaf.type}) = ${raw}`, method: 'PUT', path: `${target}/status`, body: (cur) => withRaw(cur, leaf.path, raw), expect: typeError, after });
      out.push({ name: `merge patch ${k.kind}/status with ${pathString(leaf.path)} (${leaf.type}) = ${raw}`, method: 'PATCH', path: `${target}/status`, contentType: 'application/merge-patch+json', body: withRaw({}, leaf.path, raw), expect: typeError, after });
    }
  }
  if (k.scale) {
    const scale = (raw: string) => `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"${fixtureName(k)}","namespace":"hostile"},"spec":{"replicas":${raw}}}`;
    for (const raw of ['"3"', '2147483648', '1.5', '-1', 'true', '{}']) {
      out.push({ name: `update ${k.kind}/scale replicas = ${raw}`, method: 'PUT', path: `${target}/scale?dryRun=All`, body: scale(raw), expect: raw === '-1' ? invalid : typeError, after });
      out.push({ name: `merge patch ${k.kind}/scale replicas = ${raw}`, method: 'PATCH', path: `${target}/scale?dryRun=All`, contentType: 'application/merge-patch+json', body: `{"spec":{"replicas":${raw}}}`, expect: raw === '-1' ? invalid : typeError, after });
    }
    out.push({ name: `update ${k.kind}/scale with a Deployment body`, method: 'PUT', path: `${target}/scale?dryRun=All`, body: JSON.stringify(k.base(fixtureName(k))), expect: anyClientError, after });
  }
  return out;
}

/** Semantically malformed values of the right JSON type: upstream's validation answers 422 (or its decoder 400). */
export function malformedValueCases(k: Kind): Case[] {
  // [path, value, expected answer, fields merged into spec first]
  const specs: Record<string, [Seg[], string, Expect, Record<string, unknown>?][]> = {
    Service: [
      [['spec', 'clusterIP'], '"garbage"', invalid],
      [['spec', 'clusterIP'], '"999.1.1.1"', invalid],
      [['spec', 'clusterIPs'], '["garbage"]', invalid],
      [['spec', 'clusterIPs'], '["10.0.0.1","10.0.0.2","10.0.0.3"]', invalid],
      [['spec', 'externalIPs'], '["not-an-ip"]', invalid],
      [['spec', 'loadBalancerSourceRanges'], '["10.0.0.0/33"]', invalid],
      [['spec', 'loadBalancerSourceRanges'], '["garbage"]', invalid],
      [['spec', 'ipFamilies'], '["IPv5"]', invalid],
      [['spec', 'ports', 0, 'port'], '0', invalid],
      [['spec', 'ports', 0, 'port'], '65536', invalid],
      [['spec', 'ports', 0, 'targetPort'], '"not a port name!"', invalid],
      [['spec', 'ports', 0, 'targetPort'], '70000', invalid],
      [['spec', 'ports', 0, 'nodePort'], '80', invalid],
      [['spec', 'ports', 0, 'protocol'], '"ICMP"', invalid],
      [['spec', 'type'], '"Bogus"', invalid],
      [['spec', 'sessionAffinity'], '"Bogus"', invalid],
      // SetDefaults_Service (pkg/apis/core/v1/defaults.go) drops sessionAffinityConfig when the
      // affinity is None, so upstream accepts this one; with ClientIP the range applies.
      [['spec', 'sessionAffinityConfig'], '{"clientIP":{"timeoutSeconds":-1}}', not5xx],
      [['spec', 'sessionAffinityConfig'], '{"clientIP":{"timeoutSeconds":0}}', invalid, { sessionAffinity: 'ClientIP' }],
      [['spec', 'sessionAffinityConfig'], '{"clientIP":{"timeoutSeconds":86401}}', invalid, { sessionAffinity: 'ClientIP' }],
      // externalName is checked only for type ExternalName (ValidateService's type switch).
      [['spec', 'externalName'], '"-bad-"', invalid, { type: 'ExternalName' }],
      [['spec', 'externalName'], '"-bad-"', not5xx],
      [['spec', 'clusterIP'], '"2001:db8::1"', invalid],
      [['spec', 'clusterIPs'], '["2001:db8::1"]', invalid],
      [['spec', 'healthCheckNodePort'], '-1', invalid, { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }],
    ],
    Endpoints: [
      [['subsets'], '[{"addresses":[{"ip":"garbage"}],"ports":[{"port":80}]}]', invalid],
      [['subsets'], '[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":0}]}]', invalid],
    ],
    EndpointSlice: [
      [['endpoints'], '[{"addresses":["garbage"]}]', invalid],
      [['endpoints'], '[{"addresses":[]}]', invalid],
      [['addressType'], '"IPv5"', invalid],
      // Upstream's validatePorts (pkg/apis/discovery/validation) checks names, protocols and
      // appProtocol only: a port number out of range is stored as given.
      [['ports'], '[{"port":70000}]', not5xx],
    ],
    Pod: [
      [['spec', 'containers', 0, 'resources', 'limits', 'cpu'], '"12xyz"', typeError],
      [['spec', 'containers', 0, 'resources', 'requests', 'memory'], '"-1Gi"', typeError],
      // resource.ParseQuantity caps only BinarySI amounts: 1e1000 (DecimalExponent) parses and is valid.
      [['spec', 'containers', 0, 'resources', 'limits', 'memory'], '"1e1000"', not5xx],
      [['spec', 'hostAliases'], '[{"ip":"10.0.0.1","hostnames":["Bad_Host"]}]', invalid],
      [['spec', 'hostAliases'], '[{"ip":"garbage","hostnames":["a"]}]', invalid],
      [['spec', 'dnsConfig'], '{"nameservers":["garbage"]}', invalid],
      [['spec', 'activeDeadlineSeconds'], '0', invalid],
      [['spec', 'containers', 0, 'ports'], '[{"containerPort":70000}]', invalid],
      [['spec', 'containers', 0, 'name'], '"Bad_Name"', invalid],
      [['spec', 'restartPolicy'], '"Sometimes"', invalid],
      [['metadata', 'creationTimestamp'], '"yesterday"', typeError],
      [['metadata', 'deletionGracePeriodSeconds'], '"x"', typeError],
    ],
    Deployment: [
      [['spec', 'replicas'], '-1', invalid],
      [['spec', 'strategy'], '{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"150x"}}', invalid],
      [['spec', 'strategy'], '{"type":"Bogus"}', invalid],
      [['spec', 'progressDeadlineSeconds'], '-5', invalid],
      [['spec', 'selector'], '{"matchLabels":{"app":"other"}}', invalid],
      [['spec', 'selector'], '{"matchExpressions":[{"key":"a","operator":"Bogus"}]}', invalid],
    ],
    ReplicaSet: [
      [['spec', 'replicas'], '-1', invalid],
      [['spec', 'minReadySeconds'], '-1', invalid],
    ],
    Lease: [
      [['spec', 'renewTime'], '"yesterday"', typeError],
      [['spec', 'acquireTime'], '"2024-02-30T00:00:00.000000Z"', typeError],
      [['spec', 'leaseDurationSeconds'], '0', invalid],
    ],
    Event: [
      [['eventTime'], '"not-a-time"', typeError],
      [['firstTimestamp'], '"1999"', typeError],
      [['count'], '"many"', typeError],
    ],
    Namespace: [[['spec', 'finalizers'], '["bad finalizer!"]', invalid]],
    ConfigMap: [
      [['data'], '{"a/b":"x"}', invalid],
      [['data'], '{"..":"x"}', invalid],
      [['data'], `{"${'k'.repeat(254)}":"x"}`, invalid],
      [['data'], '{"blob":"x"}', invalid],
      [['binaryData'], '{"b":"not base64!"}', typeError],
      [['binaryData'], '{"b":"YQ"}', typeError],
      [['data'], `{"big":"${'x'.repeat(1024 * 1024 + 1)}"}`, invalid],
    ],
    Secret: [
      [['data'], '{"a/b":"eA=="}', invalid],
      [['data', 'password'], '"not base64!"', typeError],
      [['stringData'], '{"a":5}', typeError],
      [['stringData'], '{"..":"x"}', invalid],
      [['type'], '"kubernetes.io/tls"', invalid],
      [['type'], '"kubernetes.io/dockerconfigjson"', invalid],
      [['data'], `{"big":"${Buffer.alloc(1024 * 1024 + 1).toString('base64')}"}`, invalid],
    ],
    ServiceAccount: [
      [['metadata', 'name'], '"Bad_Name"', invalid],
      [['secrets'], '[{"name":5}]', typeError],
      [['automountServiceAccountToken'], '"yes"', typeError],
    ],
    Role: [
      [['rules'], '[{"apiGroups":[""],"resources":["pods"],"verbs":[]}]', invalid],
      [['rules'], '[{"apiGroups":[""],"resources":["pods"],"verbs":["get"],"nonResourceURLs":["/x"]}]', invalid],
      [['rules'], '[null]', not5xx],
    ],
    ClusterRole: [[['rules'], '[{"apiGroups":[""],"verbs":["get"]}]', invalid]],
    RoleBinding: [
      [['roleRef'], '{"apiGroup":"rbac.authorization.k8s.io","kind":"Bogus","name":"r"}', invalid],
      [['subjects'], '[{"kind":"Bogus","name":"a"}]', invalid],
    ],
    ClusterRoleBinding: [
      [['subjects'], '[{"kind":"ServiceAccount","name":"a"}]', invalid],
      [['roleRef'], '{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":""}', invalid],
    ],
    SubjectAccessReview: [
      [['spec'], '{"resourceAttributes":{"verb":"get"}}', invalid],
      [['spec'], '{"user":"u","resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"path":"/x","verb":"get"}}', invalid],
    ],
    SelfSubjectAccessReview: [[['spec'], '{}', invalid]],
    CustomResourceDefinition: [
      [['spec', 'scope'], '"Bogus"', invalid],
      [['spec', 'versions'], '[]', invalid],
      [['spec', 'versions', 0, 'schema', 'openAPIV3Schema'], '{"type":"object","properties":{"spec":{"type":"bogus"}}}', invalid],
      [['spec', 'versions', 0, 'schema', 'openAPIV3Schema'], '{"type":"object","x-kubernetes-validations":[{"rule":"self.nope == 1"}]}', invalid],
      [['spec', 'versions', 0, 'schema', 'openAPIV3Schema'], '{"type":"object","x-kubernetes-validations":[{"rule":"1 +"}]}', invalid],
      // No depth limit upstream: a 200-deep schema is a valid one.
      [['spec', 'versions', 0, 'schema', 'openAPIV3Schema'], `${'{"type":"object","properties":{"a":'.repeat(200)}{"type":"string"}${'}}'.repeat(200)}`, not5xx],
      [['spec', 'names', 'kind'], '"bad kind!"', invalid],
      [['spec', 'group'], '"nodots"', invalid],
    ],
    HTTPRoute: [
      [['spec', 'hostnames'], '["Bad_Host!"]', invalid],
      [['spec', 'rules', 0, 'matches', 0, 'path'], '{"type":"PathPrefix","value":"no-slash"}', invalid],
      [['spec', 'rules', 0, 'backendRefs', 0, 'port'], '70000', invalid],
      [['spec', 'rules', 0, 'backendRefs'], '[{"name":"svc"}]', invalid],
      [['spec', 'rules', 0, 'timeouts'], '{"request":"1x"}', invalid],
      [['spec', 'parentRefs', 0, 'port'], '0', invalid],
      [['spec', 'parentRefs'], `[${Array.from({ length: 33 }, (_, i) => `{"name":"gw${i}"}`).join(',')}]`, invalid],
      [['spec', 'hostnames'], '[null]', invalid],
    ],
    Gateway: [
      [['spec', 'addresses'], '[{"type":"IPAddress","value":"999.1.1.1"}]', invalid],
      [['spec', 'listeners'], '[{"name":"a","protocol":"HTTP","port":80},{"name":"a","protocol":"HTTP","port":81}]', invalid],
      [['spec', 'listeners', 0, 'port'], '0', invalid],
      [['spec', 'listeners', 0, 'hostname'], '"*.*.bad"', invalid],
    ],
    Gadget: [
      [['spec', 'replicas'], '101', invalid],
      [['spec', 'replicas'], '-1', invalid],
      [['spec', 'replicas'], '60', invalid, { mode: 'Fast' }],
      [['spec', 'port'], '{}', invalid],
      [['spec', 'address'], '"999.1.1.1"', invalid],
      [['spec', 'network'], '"10.0.0.0/33"', invalid],
      [['spec', 'timeout'], '"forever"', invalid],
      [['spec', 'timeout'], '"2h"', invalid],
      [['spec', 'size'], '"12xyz"', invalid],
      [['spec', 'mode'], '"Reckless"', invalid],
      [['spec', 'tags'], '["a","a"]', invalid],
      [['spec', 'tags'], '[null]', invalid],
      [['spec', 'tags'], '["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]', invalid],
      [['spec', 'template'], '{"metadata":{"name":"x"}}', invalid],
      [['spec', 'template'], '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}', invalid],
      [['spec', 'extra'], `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, not5xx],
      [['spec'], '{}', invalid],
    ],
    Node: [
      [['spec', 'podCIDR'], '"garbage"', invalid],
      [['spec', 'podCIDRs'], '["10.0.0.0/33"]', invalid],
      [['spec', 'taints'], '[{"key":"a","effect":"Bogus"}]', invalid],
    ],
  };
  return (specs[k.kind] ?? []).map(([path, raw, expect, spec]) => {
    const name = freshName(k);
    const base = k.base(name);
    if (spec) base.spec = { ...(base.spec as object), ...spec };
    return {
      // Megabyte values are named by their size, not spelled out.
      name: `create ${k.kind} with ${pathString(path)} = ${raw.length > 300 ? `${raw.slice(0, 40)}… (${raw.length} bytes)` : raw}${spec ? ` and spec ${JSON.stringify(spec)}` : ''}`,
      method: 'POST',
      // Cases upstream accepts are dry runs: the answer is judged, nothing is left behind.
      path: k.collection + (expect.type === 'not-5xx' ? '?dryRun=All' : dry(k, path)),
      body: withRaw(base, path, raw),
      expect,
      after: { type: 'absent', path: objectPath(k, name) },
    };
  });
}

/** Bodies that are not an object of this kind at all, and bodies too big or too deep. */
export function bodyCases(k: Kind): Case[] {
  const out: Case[] = [];
  // Each case its own name, so one wrongly stored object is not blamed on the cases beside it.
  const post = (label: string, make: (absentName: string, base: Record<string, any>) => string | Buffer, expect: Expect, contentType?: string): Case => {
    const name = freshName(k);
    return {
      // Cases upstream may accept are dry runs, so an accepted one leaves nothing behind.
      name: `create ${k.kind} with ${label}`, method: 'POST', path: k.collection + (expect.type === 'not-5xx' ? '?dryRun=All' : ''), body: make(name, k.base(name)), expect,
      ...(contentType ? { contentType } : {}),
      after: { type: 'absent', path: objectPath(k, name) },
    };
  };
  out.push(post('body null', (absentName, base) => 'null', anyClientError));
  out.push(post('body []', (absentName, base) => '[]', anyClientError));
  out.push(post('body "x"', (absentName, base) => '"x"', anyClientError));
  out.push(post('body 1e400', (absentName, base) => '1e400', anyClientError));
  // A review of nothing may be a valid review (SelfSubjectReview has no spec; Go's decoder reads invalid UTF-8 as U+FFFD).
  const emptyOk = stored(k) ? anyClientError : not5xx;
  out.push(post('body {}', (absentName, base) => '{}', emptyOk));
  out.push(post('truncated JSON', (absentName, base) => JSON.stringify(base).slice(0, -5), anyClientError));
  out.push(post('a NUL byte in JSON', (absentName, base) => JSON.stringify(base).replace('{', '{\u0000'), anyClientError));
  out.push(post('invalid UTF-8', (absentName, base) => Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), emptyOk));
  out.push(post('kind of another type', (absentName, base) => JSON.stringify({ ...base, kind: k.kind === 'Pod' ? 'Service' : 'Pod' }), anyClientError));
  out.push(post('apiVersion bogus/v9', (absentName, base) => JSON.stringify({ ...base, apiVersion: 'bogus/v9' }), anyClientError));
  out.push(post('kind 123', (absentName, base) => JSON.stringify({ ...base, kind: 123 }), anyClientError));
  out.push(post('metadata "x"', (absentName, base) => JSON.stringify({ ...base, metadata: 'x' }), anyClientError));
  out.push(post('metadata.name 123', (absentName, base) => JSON.stringify({ ...base, metadata: { name: 123 } }), anyClientError));
  out.push(post('metadata.namespace "other"', (absentName, base) => JSON.stringify({ ...base, metadata: { name: absentName, namespace: 'other' } }), k.namespaced ? anyClientError : not5xx));
  // The access reviews store nothing, and SelfSubjectReview checks no metadata at all.
  const nameRule = stored(k) ? invalid : not5xx;
  // Names only as path segments: core/v1 Events (ValidateEventCreate skips ValidateObjectMeta for
  // v1), RBAC's kinds (ValidateRBACName is path.IsValidPathSegmentName, so `system:...` fits) and
  // CertificateSigningRequests (ValidateCertificateRequestName accepts any name; storage's key
  // function still refuses what is no path segment).
  const anyPathSegment = k.kind === 'Event' || k.kind === 'CertificateSigningRequest' || k.apiVersion.startsWith('rbac.authorization.k8s.io/') ? not5xx : nameRule;
  out.push(post('a 300-character name', (absentName, base) => JSON.stringify({ ...base, metadata: { name: 'a'.repeat(300) } }), anyPathSegment));
  out.push(post('a unicode name', (absentName, base) => JSON.stringify({ ...base, metadata: { name: 'gr\u00fc\u00dfe-\u0444-\ud83d\ude80' } }), anyPathSegment));
  out.push(post('name ".."', (absentName, base) => JSON.stringify({ ...base, metadata: { name: '..' } }), nameRule));
  out.push(post('name "a/b"', (absentName, base) => JSON.stringify({ ...base, metadata: { name: 'a/b' } }), nameRule));
  out.push(post('name "a%2Fb"', (absentName, base) => JSON.stringify({ ...base, metadata: { name: 'a%2Fb' } }), nameRule));
  out.push(post('labels with a bad key', (absentName, base) => JSON.stringify({ ...base, metadata: { name: absentName, labels: { 'bad key!': 'x' } } }), nameRule));
  out.push(post('a label value of 64 characters', (absentName, base) => JSON.stringify({ ...base, metadata: { name: absentName, labels: { a: 'x'.repeat(64) } } }), nameRule));
  out.push(post('annotations over 256 KiB', (absentName, base) => JSON.stringify({ ...base, metadata: { name: absentName, annotations: { a: 'x'.repeat(262145) } } }), nameRule));
  out.push(post('unknown fields (fieldValidation default: Warn)', (absentName, base) => JSON.stringify({ ...base, bogusField: 1 }), not5xx));
  out.push({ ...post('a 4 MiB body', (absentName, base) => JSON.stringify({ ...base, metadata: { name: absentName, annotations: { a: 'x'.repeat(4 * 1024 * 1024) } } }), { type: 'client-error', codes: [413] }), timeoutMs: 20_000 });
  out.push(post('20,000-deep JSON array in an unknown field', (absentName, base) => `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"${absentName}"},"x":${'['.repeat(20000)}${']'.repeat(20000)}}`, anyClientError));
  out.push(post('20,000-deep JSON object at metadata.labels', (absentName, base) => `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"${absentName}","labels":${'{"a":'.repeat(20000)}"x"${'}'.repeat(20000)}}}`, anyClientError));
  out.push(post('YAML with an alias bomb', (absentName, base) => 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n', anyClientError, 'application/yaml'));
  out.push(post('malformed YAML', (absentName, base) => 'kind: [\n', anyClientError, 'application/yaml'));
  out.push(post('a truncated protobuf body', (absentName, base) => Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]), anyClientError, 'application/vnd.kubernetes.protobuf'));
  out.push(post('an unknown media type', (absentName, base) => JSON.stringify(base), { type: 'client-error', codes: [415] }, 'application/x-bogus'));
  return out;
}

/** Bad query parameters on create, list and deletecollection. */
export function queryCases(k: Kind): Case[] {
  const out: Case[] = [];
  const list = (q: string, expect: Expect): Case => ({ name: `list ${k.kind} ?${q}`, method: 'GET', path: `${k.collection}?${q}`, expect });
  for (const [q, e] of [
    ['limit=abc', anyClientError],
    ['limit=-1', not5xx],
    ['limit=99999999999999999999', not5xx],
    ['resourceVersion=abc', anyClientError],
    ['resourceVersion=-5', anyClientError],
    ['resourceVersionMatch=Bogus', anyClientError],
    ['resourceVersion=0&resourceVersionMatch=Bogus', anyClientError],
    ['resourceVersionMatch=Exact', anyClientError],
    ['labelSelector=a%20in%20(', anyClientError],
    ['labelSelector=!!', anyClientError],
    ['labelSelector=a%3D%3D%3Db', anyClientError],
    ['labelSelector=' + 'a'.repeat(70) + '%3Db', anyClientError],
    ['fieldSelector=bogus.field%3Dx', anyClientError],
    ['fieldSelector=metadata.name', anyClientError],
    ['fieldSelector=metadata.name%3D%3D%3D', anyClientError],
    // A continue token is the store's to read; a kind read from elsewhere (metrics) pages nothing and ignores it, as metrics-server does.
    ['continue=garbage', k.verbs.includes('create') ? anyClientError : not5xx],
    ['limit=1&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiLi4vLi4vIn0', k.verbs.includes('create') ? anyClientError : not5xx],
    ['timeoutSeconds=abc', anyClientError],
    ['pretty=maybe', not5xx],
    ['includeObject=Bogus', not5xx],
  ] as const) if (k.verbs.includes('list')) out.push(list(q, e));
  // Upstream converts query booleans with runtime.Convert_Slice_string_To_bool: anything but "0"
  // and "false" (any case) is true, so these are watches (the Python client sends watch=True).
  for (const v of k.verbs.includes('watch') ? ['maybe', 'True', 'f'] : []) {
    out.push({ name: `list ${k.kind} ?watch=${v} watches`, method: 'GET', path: `${k.collection}?watch=${v}&timeoutSeconds=1`, expect: { type: 'watch' }, timeoutMs: 8000, stream: true });
  }
  for (const v of k.verbs.includes('list') ? ['False', '0'] : []) {
    out.push({ name: `list ${k.kind} ?watch=${v} lists`, method: 'GET', path: `${k.collection}?watch=${v}`, expect: { type: 'list' } });
  }
  const create = (q: string, body: (name: string) => unknown, expect: Expect, label = q.slice(0, 40)): Case => {
    const name = freshName(k);
    return { name: `create ${k.kind} ?${label}`, method: 'POST', path: `${k.collection}?${q}`, body: JSON.stringify(body(name)), expect, after: { type: 'absent', path: objectPath(k, name) } };
  };
  for (const [q, e] of [
    ['dryRun=Bogus', anyClientError],
    ['fieldValidation=Bogus', anyClientError],
    ['fieldManager=' + 'm'.repeat(200), anyClientError],
  ] as const) out.push(create(q, (n) => k.base(n), e));
  if (k.verbs.includes('create')) out.push(create('fieldValidation=Strict', (n) => ({ ...k.base(n), bogusField: 1 }), { type: 'client-error', codes: [400] }, 'fieldValidation=Strict with an unknown field'));
  if (k.kind !== 'Namespace' && k.verbs.includes('deletecollection')) {
    for (const q of ['labelSelector=a%20in%20(', 'fieldSelector=bogus.field%3Dx', 'resourceVersion=abc', 'dryRun=Bogus', 'gracePeriodSeconds=abc']) {
      out.push({ name: `deletecollection ${k.kind} ?${q}`, method: 'DELETE', path: `${k.collection}?${q}`, expect: anyClientError });
    }
  }
  return out;
}

/**
 * Bad watch parameters (issue 10 item 1: one of these used to end the process). Every kind gets
 * the sharpest four; `all` adds the rest.
 */
export function watchCases(k: Kind, all: boolean): Case[] {
  // A case's own timeoutSeconds stands alone: upstream's conversion reads the first value of a
  // repeated parameter, so `timeoutSeconds=1&timeoutSeconds=abc` is a 1-second watch there.
  const watch = (q: string, expect: Expect): Case => ({
    name: `watch ${k.kind} ?${q}`, method: 'GET', path: `${k.collection}?watch=1&${q.startsWith('timeoutSeconds=') ? '' : 'timeoutSeconds=1&'}${q}`, expect, timeoutMs: 8000, stream: true,
  });
  const every: [string, Expect][] = [
    ['resourceVersion=abc', anyClientError],
    ['resourceVersion=-5', anyClientError],
    ['labelSelector=a%20in%20(', anyClientError],
    ['fieldSelector=bogus.field%3Dx', anyClientError],
    ['timeoutSeconds=-1', not5xx],
    ['timeoutSeconds=abc', anyClientError],
    ['timeoutSeconds=1&timeoutSeconds=abc', { type: 'watch' }],
    ['allowWatchBookmarks=maybe', not5xx],
    ['sendInitialEvents=true', anyClientError],
    ['resourceVersionMatch=Bogus', anyClientError],
  ];
  return (all ? every : every.slice(0, 4)).map(([q, e]) => watch(q, e));
}

/** DELETE of the fixture with DeleteOptions a client cannot mean. */
export function deleteCases(k: Kind): Case[] {
  const target = objectPath(k, fixtureName(k));
  const after = { type: 'unchanged' as const, path: target };
  const opts: [string, Expect][] = [
    ['{"gracePeriodSeconds":"x"}', typeError],
    ['{"gracePeriodSeconds":9223372036854775808}', typeError],
    ['{"propagationPolicy":"Bogus"}', anyClientError],
    ['{"preconditions":{"uid":"not-the-uid"}}', { type: 'client-error', codes: [409] }],
    ['{"preconditions":{"resourceVersion":"1"}}', { type: 'client-error', codes: [409] }],
    ['{"preconditions":"x"}', typeError],
    ['{"dryRun":["Bogus"]}', anyClientError],
    ['{"dryRun":"All"}', typeError],
    ['{"orphanDependents":true,"propagationPolicy":"Foreground"}', anyClientError],
    ['{"kind":"Pod","apiVersion":"v1"}', anyClientError],
    ['[]', anyClientError],
    ['not json', anyClientError],
  ];
  return opts.map(([b, expect]) => ({ name: `delete ${k.kind} with options ${b}`, method: 'DELETE', path: target, body: b, expect, after }));
}

/** Name segments upstream refuses before routing, on every verb that takes a name (`all`: every segment). */
export function pathCases(k: Kind, all: boolean): Case[] {
  const every: [string, Expect][] = [
    ['..', anyClientError],
    ['.', anyClientError],
    ['%2E%2E', anyClientError],
    ['%2e%2E', anyClientError],
    ['%2E', anyClientError],
    [`${fixtureName(k)}%2F..`, anyClientError],
    ['a%2Fb', anyClientError],
    ['a%zzb', { type: 'client-error', codes: [400] }],
    ['%', { type: 'client-error', codes: [400] }],
    ['%E0%A4%A', { type: 'client-error', codes: [400] }],
    ['a%00b', anyClientError],
    ['x'.repeat(300), anyClientError],
    ['x'.repeat(10000), anyClientError],
  ];
  // Routing is shared by every kind: the whole list for one kind, the sharpest few for the rest.
  const segs = all ? every : every.filter(([s]) => ['..', '%2E%2E', 'a%2Fb', 'a%zzb', 'x'.repeat(300)].includes(s));
  const out: Case[] = [];
  for (const [seg, expect] of segs) {
    const path = `${k.collection}/${seg}`;
    const label = seg.length > 40 ? `<${seg.length} characters>` : seg;
    out.push({ name: `GET ${k.kind} named ${label}`, method: 'GET', path, expect });
    out.push({ name: `DELETE ${k.kind} named ${label}`, method: 'DELETE', path, expect });
    out.push({ name: `PUT ${k.kind} named ${label}`, method: 'PUT', path, body: JSON.stringify(k.base(fixtureName(k))), expect });
    out.push({ name: `PATCH ${k.kind} named ${label}`, method: 'PATCH', path, contentType: 'application/merge-patch+json', body: '{"metadata":{"labels":{"hit":"yes"}}}', expect });
    if (k.status) out.push({ name: `PATCH ${k.kind} named ${label} /status`, method: 'PATCH', path: `${path}/status`, contentType: 'application/merge-patch+json', body: '{"metadata":{"labels":{"hit":"yes"}}}', expect });
  }
  if (k.namespaced) {
    const ns = k.collection.split('/namespaces/')[1]!.split('/')[0]!;
    const tail = k.collection.split(`/namespaces/${ns}/`)[1]!;
    for (const bad of ['..', '%2E%2E', 'a%2Fb', 'a%zz', 'Bad_NS']) {
      out.push({ name: `list ${k.kind} in namespace ${bad}`, method: 'GET', path: k.collection.replace(`/namespaces/${ns}/${tail}`, `/namespaces/${bad}/${tail}`), expect: bad === 'Bad_NS' ? not5xx : anyClientError });
    }
  }
  return out;
}
