#!/usr/bin/env node
// Builds src/api/schema/generated.ts: the structural schemas of the kinds kubesvc serves.
//
// Usage:
//   node scripts/gen-schema.mjs [--smd internal.go] <openapi-v3.json>... > src/api/schema/generated.ts
//
// Inputs are upstream's published OpenAPI v3 documents (api/openapi-spec/v3/*_openapi.json, or the
// identical copies kept as test data in k8s.io/kubectl and k8s.io/client-go). Optionally --smd names
// client-go's applyconfigurations/internal/internal.go of the target release: its embedded
// structured-merge-diff schema is generated from the same release's OpenAPI and is used to bring
// the field sets up to that release when the v3 copies at hand are older (fields added later, such
// as Service spec.trafficDistribution or LoadBalancerIngress ipMode, exist only there).
//
// How src/api/schema/generated.ts was made (Kubernetes 1.32):
//   K=<k8s.io/kubectl git>  C=<k8s.io/client-go git>
//   git -C $K show v0.32.0:testdata/openapi/v3/api/v1.json            > api__v1.json
//   git -C $K show v0.32.0:testdata/openapi/v3/apis/apps/v1.json       > apis__apps__v1.json
//   git -C $K show v0.32.0:testdata/openapi/v3/apis/autoscaling/v1.json > apis__autoscaling__v1.json
//   git -C $C show v0.32.0:openapi/openapitest/testdata/apis__discovery.k8s.io__v1_openapi.json > apis__discovery.k8s.io__v1.json
//   git -C $C show v0.32.0:applyconfigurations/internal/internal.go   > internal.go
//   node scripts/gen-schema.mjs --smd internal.go api__v1.json apis__apps__v1.json \
//     apis__discovery.k8s.io__v1.json scripts/gen-schema-coordination-v1.json apis__autoscaling__v1.json \
//     scripts/gen-schema-rbac-v1.json scripts/gen-schema-reviews-v1.json scripts/gen-schema-batch-v1.json \
//     scripts/gen-schema-apiextensions-v1.json > src/api/schema/generated.ts
// The test-data copies lag the release (about 1.28); --smd brings the field sets to 1.32.
// scripts/gen-schema-coordination-v1.json holds upstream's coordination.k8s.io/v1 Lease schemas
// (descriptions already removed), since no copy of that group's document ships in those repos;
// scripts/gen-schema-rbac-v1.json likewise holds rbac.authorization.k8s.io/v1's schemas, taken from
// kubernetes/kubernetes api/openapi-spec/v3/apis__rbac.authorization.k8s.io__v1_openapi.json.
// scripts/gen-schema-batch-v1.json holds batch/v1's Job and CronJob schemas, written from k8s.io/api
// v0.32.0's Go types (fields, json names, required ones, list types) like the reviews below.
// An input may also be an earlier generated.ts: its definitions are read back as they are, so a
// new group is added with `node scripts/gen-schema.mjs src/api/schema/generated.ts new.json`.
// scripts/gen-schema-networking-v1.json holds networking.k8s.io/v1's ServiceCIDR and IPAddress
// schemas (GA in 1.33; the same fields as 1.32's v1beta1), written from k8s.io/api v0.33.0's Go types,
// added with `node scripts/gen-schema.mjs src/api/schema/generated.ts scripts/gen-schema-networking-v1.json`.
// The same file holds networking.k8s.io/v1's Ingress and IngressClass schemas, written from k8s.io/api
// v0.32.0's Go types (fields, json names, required ones, atomic lists), added the same way.
// scripts/gen-schema-reviews-v1.json holds the structural schemas of the access reviews
// (authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview;
// authentication.k8s.io/v1 SelfSubjectReview, TokenRequest, TokenReview), written from k8s.io/api
// v0.32.0's Go types (fields,
// json names, required ones); the alpha field/label selector attributes are left out.
// scripts/gen-schema-apiextensions-v1.json holds apiextensions.k8s.io/v1's CustomResourceDefinition
// schemas: kubectl's copy (git show v0.32.0:pkg/explain/v2/templates/apiextensions.k8s.io_v1.json,
// a 1.26 document, descriptions removed) with the fields added since from k8s.io/apiextensions-apiserver
// v0.32.0's types: ValidationRule messageExpression, reason, fieldPath, optionalOldSelf, and
// CustomResourceDefinitionVersion selectableFields (SelectableField).
//
// scripts/gen-schema-storage-v1.json holds the PersistentVolume schemas not reachable before (kubectl's
// v0.32.0 testdata/openapi/v3/api/v1.json, descriptions removed, plus 1.32's PV spec
// volumeAttributesClassName and status lastPhaseTransitionTime) and storage.k8s.io/v1's StorageClass,
// written from k8s.io/api v0.32.0's Go types; added with
//   node scripts/gen-schema.mjs src/api/schema/generated.ts scripts/gen-schema-storage-v1.json
//
// scripts/gen-schema-certificates-v1.json holds certificates.k8s.io/v1's CertificateSigningRequest
// schemas, written from k8s.io/api v0.32.0's Go types; added with
//   node scripts/gen-schema.mjs src/api/schema/generated.ts scripts/gen-schema-certificates-v1.json
//
// Output keeps only what a machine needs — types, formats, refs, list/map semantics, patch merge
// keys and strategies, group-version-kinds — and drops every description (upstream's prose is
// not ours to copy). Only definitions reachable from the served kinds are kept.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

const REF = '#/components/schemas/';

// Root definitions: every served kind, its list, and the meta/v1 kinds the API returns.
const ROOTS = [
  'io.k8s.api.core.v1.Namespace', 'io.k8s.api.core.v1.NamespaceList',
  'io.k8s.api.core.v1.Service', 'io.k8s.api.core.v1.ServiceList',
  'io.k8s.api.core.v1.Endpoints', 'io.k8s.api.core.v1.EndpointsList',
  'io.k8s.api.core.v1.Pod', 'io.k8s.api.core.v1.PodList',
  'io.k8s.api.core.v1.Node', 'io.k8s.api.core.v1.NodeList',
  'io.k8s.api.core.v1.Event', 'io.k8s.api.core.v1.EventList',
  'io.k8s.api.core.v1.ConfigMap', 'io.k8s.api.core.v1.ConfigMapList',
  'io.k8s.api.core.v1.Secret', 'io.k8s.api.core.v1.SecretList',
  'io.k8s.api.core.v1.ServiceAccount', 'io.k8s.api.core.v1.ServiceAccountList',
  'io.k8s.api.core.v1.PersistentVolume', 'io.k8s.api.core.v1.PersistentVolumeList',
  'io.k8s.api.core.v1.PersistentVolumeClaim', 'io.k8s.api.core.v1.PersistentVolumeClaimList',
  'io.k8s.api.storage.v1.StorageClass', 'io.k8s.api.storage.v1.StorageClassList',
  'io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentList',
  'io.k8s.api.apps.v1.ReplicaSet', 'io.k8s.api.apps.v1.ReplicaSetList',
  'io.k8s.api.apps.v1.StatefulSet', 'io.k8s.api.apps.v1.StatefulSetList',
  'io.k8s.api.apps.v1.DaemonSet', 'io.k8s.api.apps.v1.DaemonSetList',
  'io.k8s.api.apps.v1.ControllerRevision', 'io.k8s.api.apps.v1.ControllerRevisionList',
  'io.k8s.api.batch.v1.Job', 'io.k8s.api.batch.v1.JobList',
  'io.k8s.api.batch.v1.CronJob', 'io.k8s.api.batch.v1.CronJobList',
  'io.k8s.api.discovery.v1.EndpointSlice', 'io.k8s.api.discovery.v1.EndpointSliceList',
  'io.k8s.api.coordination.v1.Lease', 'io.k8s.api.coordination.v1.LeaseList',
  'io.k8s.api.networking.v1.ServiceCIDR', 'io.k8s.api.networking.v1.ServiceCIDRList',
  'io.k8s.api.networking.v1.IPAddress', 'io.k8s.api.networking.v1.IPAddressList',
  'io.k8s.api.networking.v1.Ingress', 'io.k8s.api.networking.v1.IngressList',
  'io.k8s.api.networking.v1.IngressClass', 'io.k8s.api.networking.v1.IngressClassList',
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.api.certificates.v1.CertificateSigningRequest', 'io.k8s.api.certificates.v1.CertificateSigningRequestList',
  'io.k8s.api.rbac.v1.Role', 'io.k8s.api.rbac.v1.RoleList',
  'io.k8s.api.rbac.v1.ClusterRole', 'io.k8s.api.rbac.v1.ClusterRoleList',
  'io.k8s.api.rbac.v1.RoleBinding', 'io.k8s.api.rbac.v1.RoleBindingList',
  'io.k8s.api.rbac.v1.ClusterRoleBinding', 'io.k8s.api.rbac.v1.ClusterRoleBindingList',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview', 'io.k8s.api.authorization.v1.SubjectAccessReview',
  'io.k8s.api.authorization.v1.LocalSubjectAccessReview',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview', 'io.k8s.api.authentication.v1.SelfSubjectReview',
  'io.k8s.api.authentication.v1.TokenRequest', 'io.k8s.api.authentication.v1.TokenReview',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
];
const SERVED_GROUPS = new Set(['', 'apps', 'batch', 'discovery.k8s.io', 'coordination.k8s.io', 'networking.k8s.io', 'autoscaling', 'rbac.authorization.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io', 'apiextensions.k8s.io', 'storage.k8s.io', 'certificates.k8s.io']);
// Keys kept on a schema node; everything else (description, example, externalDocs...) is dropped.
const KEEP = new Set([
  'type', 'format', 'items', 'properties', 'additionalProperties', 'required', '$ref', 'allOf', 'oneOf',
  'anyOf', 'enum', 'default', 'nullable', 'x-kubernetes-group-version-kind', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy', 'x-kubernetes-unions', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
]);

function args() {
  const out = { smd: undefined, files: [] };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--smd') out.smd = a[++i];
    else out.files.push(a[i]);
  }
  if (out.files.length === 0) {
    console.error('usage: gen-schema.mjs [--smd internal.go] <openapi-v3.json>...');
    process.exit(2);
  }
  return out;
}

// A `$ref` with siblings is written by upstream as allOf:[{$ref}]; one plain $ref is simpler for
// every consumer here (unknown-field walk, patch schema, v2 conversion).
function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (!KEEP.has(k)) continue;
    if (k === 'properties') {
      out.properties = {};
      for (const [pk, pv] of Object.entries(v)) out.properties[pk] = clean(pv);
    } else if (k === 'x-kubernetes-group-version-kind') {
      const gvks = v.filter((g) => SERVED_GROUPS.has(g.group) && g.version === 'v1');
      if (gvks.length) out[k] = gvks;
    } else out[k] = clean(v);
  }
  if (Array.isArray(out.allOf) && out.allOf.length === 1 && out.allOf[0].$ref) {
    out.$ref = out.allOf[0].$ref;
    delete out.allOf;
  }
  if (out.$ref) delete out.default;
  return out;
}

// Converts one structured-merge-diff type reference into an OpenAPI schema node.
function fromSmd(t) {
  if (t.namedType) return { $ref: REF + t.namedType };
  if (t.scalar) {
    if (t.scalar === 'string') return { type: 'string' };
    if (t.scalar === 'boolean') return { type: 'boolean' };
    if (t.scalar === 'numeric') return { type: 'integer' };
    return {};
  }
  if (t.list) {
    const s = { type: 'array', items: fromSmd(t.list.elementType) };
    if (t.list.elementRelationship === 'associative') {
      if (t.list.keys?.length) {
        s['x-kubernetes-list-type'] = 'map';
        s['x-kubernetes-list-map-keys'] = t.list.keys;
      } else s['x-kubernetes-list-type'] = 'set';
    } else if (t.list.elementRelationship === 'atomic') s['x-kubernetes-list-type'] = 'atomic';
    return s;
  }
  if (t.map) {
    const s = { type: 'object' };
    if (t.map.elementType) s.additionalProperties = fromSmd(t.map.elementType);
    if (t.map.fields) {
      s.properties = {};
      for (const f of t.map.fields) s.properties[f.name] = fromSmd(f.type);
    }
    if (t.map.elementRelationship === 'atomic') s['x-kubernetes-map-type'] = 'atomic';
    return s;
  }
  return {};
}

function loadSmd(path) {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('typed.YAMLObject(`');
  const end = text.indexOf('`)', start);
  if (start < 0 || end < 0) throw new Error(`${path}: no embedded schema YAML`);
  const doc = parseYaml(text.slice(start + 'typed.YAMLObject(`'.length, end));
  const types = new Map();
  for (const t of doc.types) types.set(t.name, t);
  return types;
}

// Brings a definition's field set in line with the newer release: adds fields it lacks and drops
// fields the release no longer has; fields both know keep the richer OpenAPI form.
function overlay(defs, smd, name) {
  const t = smd.get(name);
  if (!t || !t.map || !t.map.fields) return;
  const d = defs[name] ?? (defs[name] = { type: 'object', properties: {} });
  d.properties ??= {};
  const want = new Set(t.map.fields.map((f) => f.name));
  for (const f of t.map.fields) if (!d.properties[f.name]) d.properties[f.name] = fromSmd(f.type);
  for (const k of Object.keys(d.properties)) if (!want.has(k)) delete d.properties[k];
  if (d.required) d.required = d.required.filter((r) => want.has(r));
}

function refsOf(node, out) {
  if (Array.isArray(node)) for (const n of node) refsOf(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.slice(REF.length));
      else refsOf(v, out);
    }
  }
  return out;
}

/** The schemas of an OpenAPI v3 document, or of a generated.ts written by this script. */
function readSchemas(path) {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.ts')) return JSON.parse(text).components?.schemas ?? {};
  const m = /JSON\.parse\((".*")\);\s*$/s.exec(text);
  if (!m) throw new Error(`${path}: no generated definitions`);
  return JSON.parse(JSON.parse(m[1]));
}

// meta/v1 kinds every group version serves under its own group-version-kind.
const PER_GROUP_KINDS = ['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent'];

function addServedGroupKinds(def, kind) {
  const gvks = def['x-kubernetes-group-version-kind'] ?? [];
  for (const group of SERVED_GROUPS) {
    if (!gvks.some((g) => g.group === group && g.version === 'v1')) gvks.push({ group, kind, version: 'v1' });
  }
  gvks.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  def['x-kubernetes-group-version-kind'] = gvks;
}

function main() {
  const { smd, files } = args();
  const all = {};
  for (const f of files) {
    for (const [name, s] of Object.entries(readSchemas(f))) all[name] ??= clean(s);
  }
  for (const name of PER_GROUP_KINDS) if (all[name]) addServedGroupKinds(all[name], name.slice(name.lastIndexOf('.') + 1));
  const smdTypes = smd ? loadSmd(smd) : undefined;
  const kept = {};
  const queue = [...ROOTS];
  while (queue.length) {
    const name = queue.shift();
    if (kept[name]) continue;
    if (!all[name] && !smdTypes?.has(name)) throw new Error(`definition ${name} not found in inputs`);
    if (!all[name]) all[name] = smdTypes.get(name).map ? { type: 'object', properties: {} } : fromSmd(smdTypes.get(name));
    if (smdTypes) overlay(all, smdTypes, name);
    kept[name] = all[name];
    for (const r of refsOf(kept[name], new Set())) if (!kept[r]) queue.push(r);
  }
  const sorted = {};
  for (const k of Object.keys(kept).sort()) sorted[k] = kept[k];
  const json = JSON.stringify(sorted);
  process.stdout.write(
    '// Generated by scripts/gen-schema.mjs from upstream OpenAPI documents; do not edit.\n' +
      '// Structural schemas only: descriptions are deliberately left out.\n' +
      'import type { SchemaNode } from \'./types.js\';\n\n' +
      `export const definitions: Record<string, SchemaNode> = JSON.parse(${JSON.stringify(json)});\n`,
  );
  console.error(`gen-schema: ${Object.keys(sorted).length} definitions, ${json.length} bytes`);
}

main();
