#!/usr/bin/env node
// Builds src/apiserver/protobuf/generated.ts: the protobuf wire contract of every message reachable
// from the kinds kubesvc serves, read from the Go struct tags of upstream's API types.
//
// Usage:
//   node scripts/gen-proto-table.mjs --api <k8s.io/api> --apimachinery <k8s.io/apimachinery> \
//     [--ref v0.32.0] > src/apiserver/protobuf/generated.ts
//
// Each source is a git directory (a bare mirror is fine; files are read at --ref) or a checkout.
// How the committed table was made (Kubernetes 1.32):
//   node scripts/gen-proto-table.mjs --api /work/.mirror/kubernetes+api/repo \
//     --apimachinery /work/.mirror/kubernetes+apimachinery/repo --ref v0.32.0 \
//     > src/apiserver/protobuf/generated.ts
//
// Every `protobuf:"wire,num,label,name=..."` tag gives the field number, wire type and
// repeatedness; the `json:"name,omitempty"` tag gives the JSON key and omitempty; the Go type gives
// pointer-ness (a present zero must survive), map-ness and the message type. go-to-protobuf turns
// the same tags into generated.proto, so the numbers here are the ones on the wire. Types whose Go
// code hand-writes both their JSON and their protobuf form (Time, MicroTime, Duration, IntOrString,
// Quantity, FieldsV1, RawExtension) are listed below by hand, with the fields of their messages
// as generated.proto declares them; the codec special-cases them by `special`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs() {
  const o = { api: '', apimachinery: '', ref: 'HEAD' };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const k = a[i].replace(/^--/, '');
    if (!(k in o)) usage();
    o[k] = a[++i];
  }
  if (!o.api || !o.apimachinery) usage();
  return o;
}
function usage() {
  console.error('usage: gen-proto-table.mjs --api <dir> --apimachinery <dir> [--ref <git ref>]');
  process.exit(2);
}

// A source tree read either from a checkout or from a git directory at a ref.
function source(dir, ref) {
  const isCheckout = existsSync(join(dir, 'go.mod'));
  const git = (...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return {
    list(sub) {
      if (isCheckout) return readdirSync(join(dir, sub)).filter((f) => statSync(join(dir, sub, f)).isFile()).map((f) => `${sub}/${f}`);
      return git('ls-tree', '--name-only', `${ref}:${sub}`).split('\n').filter(Boolean).map((f) => `${sub}/${f}`);
    },
    read(path) {
      return isCheckout ? readFileSync(join(dir, path), 'utf8') : git('show', `${ref}:${path}`);
    },
  };
}

const opts = parseArgs();
const api = source(opts.api, opts.ref);
const am = source(opts.apimachinery, opts.ref);

// Go packages read, as [source, dir, import path]; every non-test Go file of each is parsed.
const PACKAGES = [
  [api, 'core/v1', 'k8s.io/api/core/v1'],
  [api, 'apps/v1', 'k8s.io/api/apps/v1'],
  [api, 'batch/v1', 'k8s.io/api/batch/v1'],
  [api, 'discovery/v1', 'k8s.io/api/discovery/v1'],
  [api, 'coordination/v1', 'k8s.io/api/coordination/v1'],
  [api, 'autoscaling/v1', 'k8s.io/api/autoscaling/v1'],
  [api, 'policy/v1', 'k8s.io/api/policy/v1'],
  [api, 'rbac/v1', 'k8s.io/api/rbac/v1'],
  [api, 'authorization/v1', 'k8s.io/api/authorization/v1'],
  [api, 'authentication/v1', 'k8s.io/api/authentication/v1'],
  [api, 'storage/v1', 'k8s.io/api/storage/v1'],
  [api, 'certificates/v1', 'k8s.io/api/certificates/v1'],
  [api, 'networking/v1', 'k8s.io/api/networking/v1'],
  [am, 'pkg/apis/meta/v1', 'k8s.io/apimachinery/pkg/apis/meta/v1'],
  [am, 'pkg/runtime', 'k8s.io/apimachinery/pkg/runtime'],
  [am, 'pkg/types', 'k8s.io/apimachinery/pkg/types'],
  [am, 'pkg/util/intstr', 'k8s.io/apimachinery/pkg/util/intstr'],
  [am, 'pkg/api/resource', 'k8s.io/apimachinery/pkg/api/resource'],
];

const protoPkg = (importPath) => importPath.replace(/\//g, '.');
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

// Hand-coded types: their messages as generated.proto declares them.
const SPECIAL = {
  [`${META}.Time`]: { special: 'time', fields: [['seconds', 1, 'int64'], ['nanos', 2, 'int32']] },
  [`${META}.MicroTime`]: { special: 'microtime', fields: [['seconds', 1, 'int64'], ['nanos', 2, 'int32']] },
  [`${META}.Duration`]: { special: 'duration', fields: [['duration', 1, 'int64']] },
  [`${META}.FieldsV1`]: { special: 'rawjson', fields: [['Raw', 1, 'bytes']] },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': { special: 'rawjson', fields: [['raw', 1, 'bytes']] },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    special: 'intstr',
    fields: [['type', 1, 'int64'], ['intVal', 2, 'int32'], ['strVal', 3, 'string']],
  },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': { special: 'quantity', fields: [['string', 1, 'string']] },
};

// Roots: [message, apiVersion, kind]. Meta kinds are accepted under any apiVersion (upstream adds
// them to every group version), so they are listed separately.
const ROOTS = [
  ...['Namespace', 'Service', 'Endpoints', 'Pod', 'Node', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolume', 'PersistentVolumeClaim'].flatMap((k) => [
    [`k8s.io.api.core.v1.${k}`, 'v1', k],
    [`k8s.io.api.core.v1.${k}List`, 'v1', `${k}List`],
  ]),
  ['k8s.io.api.core.v1.Binding', 'v1', 'Binding'],
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].flatMap((k) => [
    [`k8s.io.api.apps.v1.${k}`, 'apps/v1', k],
    [`k8s.io.api.apps.v1.${k}List`, 'apps/v1', `${k}List`],
  ]),
  ...['Job', 'CronJob'].flatMap((k) => [
    [`k8s.io.api.batch.v1.${k}`, 'batch/v1', k],
    [`k8s.io.api.batch.v1.${k}List`, 'batch/v1', `${k}List`],
  ]),
  ['k8s.io.api.discovery.v1.EndpointSlice', 'discovery.k8s.io/v1', 'EndpointSlice'],
  ['k8s.io.api.discovery.v1.EndpointSliceList', 'discovery.k8s.io/v1', 'EndpointSliceList'],
  ['k8s.io.api.coordination.v1.Lease', 'coordination.k8s.io/v1', 'Lease'],
  ['k8s.io.api.coordination.v1.LeaseList', 'coordination.k8s.io/v1', 'LeaseList'],
  ['k8s.io.api.autoscaling.v1.Scale', 'autoscaling/v1', 'Scale'],
  ['k8s.io.api.storage.v1.StorageClass', 'storage.k8s.io/v1', 'StorageClass'],
  ['k8s.io.api.storage.v1.StorageClassList', 'storage.k8s.io/v1', 'StorageClassList'],
  // kubectl create ingress posts through the typed client.
  ...['Ingress', 'IngressClass'].flatMap((k) => [
    [`k8s.io.api.networking.v1.${k}`, 'networking.k8s.io/v1', k],
    [`k8s.io.api.networking.v1.${k}List`, 'networking.k8s.io/v1', `${k}List`],
  ]),
  // kubectl drain posts pods/eviction through the typed client, hence in protobuf.
  ['k8s.io.api.policy.v1.Eviction', 'policy/v1', 'Eviction'],
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].flatMap((k) => [
    [`k8s.io.api.rbac.v1.${k}`, 'rbac.authorization.k8s.io/v1', k],
    [`k8s.io.api.rbac.v1.${k}List`, 'rbac.authorization.k8s.io/v1', `${k}List`],
  ]),
  // Create-only access reviews (kubectl auth can-i, kubectl auth whoami post them through the typed client).
  ...['SelfSubjectAccessReview', 'SubjectAccessReview', 'SelfSubjectRulesReview'].map((k) => [`k8s.io.api.authorization.v1.${k}`, 'authorization.k8s.io/v1', k]),
  ['k8s.io.api.authentication.v1.SelfSubjectReview', 'authentication.k8s.io/v1', 'SelfSubjectReview'],
  ['k8s.io.api.authentication.v1.TokenRequest', 'authentication.k8s.io/v1', 'TokenRequest'],
  ['k8s.io.api.authentication.v1.TokenReview', 'authentication.k8s.io/v1', 'TokenReview'],
  // kubectl certificate approve|deny read and write CSRs through the typed client.
  ['k8s.io.api.certificates.v1.CertificateSigningRequest', 'certificates.k8s.io/v1', 'CertificateSigningRequest'],
  ['k8s.io.api.certificates.v1.CertificateSigningRequestList', 'certificates.k8s.io/v1', 'CertificateSigningRequestList'],
];
const META_ROOTS = [
  'Status', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions',
  'WatchEvent', 'List', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList',
  // client-go metadata informers (garbage collector, namespace controller) ask for these.
  'PartialObjectMetadata', 'PartialObjectMetadataList',
];

// ---- Go parsing -------------------------------------------------------------------------------

const structs = new Map(); // full name -> { fields: [{name, type, tags}], ctx }
const named = new Map(); // full name -> { type, ctx }  (type X Y / type X = Y)

function parseTags(s) {
  const tags = {};
  for (const m of s.matchAll(/(\w+):"((?:[^"\\]|\\.)*)"/g)) tags[m[1]] = m[2];
  return tags;
}

function parseFile(text, importPath) {
  const imports = {};
  const importBlock = text.match(/^import \(([\s\S]*?)^\)/m)?.[1] ?? text.match(/^import (.*)$/m)?.[1] ?? '';
  for (const m of importBlock.matchAll(/^\s*(\w+\s+)?"([^"]+)"/gm)) {
    const alias = m[1]?.trim() ?? m[2].split('/').pop();
    imports[alias] = m[2];
  }
  const ctx = { importPath, imports };
  const pkg = protoPkg(importPath);
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = [];
    for (const raw of m[2].replace(/\/\*[\s\S]*?\*\//g, '').split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      const f = line.match(/^(?:(\w+)\s+)?([^\s`]+)\s*(?:`([^`]*)`)?$/);
      // Unparseable lines (func-typed fields of non-API structs) only matter if the struct is reached.
      if (!f) { fields.push({ bad: line }); continue; }
      const type = f[2];
      const name = f[1] ?? type.replace(/^\*/, '').split('.').pop();
      fields.push({ name, type, embedded: !f[1], tags: parseTags(f[3] ?? '') });
    }
    structs.set(`${pkg}.${m[1]}`, { fields, ctx });
  }
  for (const m of text.matchAll(/^type (\w+) (=\s*)?([\w.*[\]]+)\s*$/gm)) {
    named.set(`${pkg}.${m[1]}`, { type: m[3], ctx });
  }
}

for (const [src, dir, importPath] of PACKAGES) {
  for (const path of src.list(dir)) {
    if (!path.endsWith('.go') || path.endsWith('_test.go') || path.endsWith('generated.pb.go')) continue;
    if (/zz_generated|_fuzz\.go$/.test(path)) continue;
    parseFile(src.read(path), importPath);
  }
}

// ---- type resolution --------------------------------------------------------------------------

const BUILTIN = {
  string: 'string', bool: 'bool', int32: 'int32', int64: 'int64', int: 'int64', uint32: 'uint32', uint64: 'uint64',
  float64: 'double', float32: 'float',
};

function qualify(name, ctx) {
  const dot = name.indexOf('.');
  if (dot < 0) return `${protoPkg(ctx.importPath)}.${name}`;
  const imp = ctx.imports[name.slice(0, dot)];
  if (!imp) throw new Error(`unknown package in ${name} (${ctx.importPath})`);
  return `${protoPkg(imp)}.${name.slice(dot + 1)}`;
}

// Resolves a Go type expression to { ptr, rep, map, type, msg, wrap }.
function resolve(expr, ctx) {
  const out = { ptr: false, rep: false, map: false };
  if (expr.startsWith('*')) { out.ptr = true; expr = expr.slice(1); }
  if (expr === '[]byte') return { ...out, type: 'bytes' };
  if (expr.startsWith('[]')) {
    const el = resolveBase(expr.slice(2), ctx);
    if (el.map) throw new Error(`nested collection ${expr}`);
    return { ...out, rep: true, type: el.type, msg: el.msg };
  }
  const mm = expr.match(/^map\[([^\]]+)\](.+)$/);
  if (mm) {
    const key = resolve(mm[1], ctx);
    if (key.type !== 'string') throw new Error(`non-string map key ${expr}`);
    const val = resolve(mm[2], ctx);
    if (val.ptr || val.map || val.rep) throw new Error(`unsupported map value ${expr}`);
    return { ...out, map: true, type: val.type, msg: val.msg };
  }
  const base = resolveBase(expr, ctx);
  return { ...out, type: base.type, msg: base.msg, map: !!base.map };
}

function resolveBase(name, ctx) {
  if (name === '[]byte') return { type: 'bytes' };
  if (BUILTIN[name]) return { type: BUILTIN[name] };
  const full = qualify(name, ctx);
  if (SPECIAL[full] || structs.has(full)) return { type: 'message', msg: full };
  const n = named.get(full);
  if (!n) throw new Error(`unresolved type ${name} -> ${full}`);
  const r = resolve(n.type, n.ctx);
  // go-to-protobuf wraps a named slice type in a message {repeated items = 1} (e.g. metav1.Verbs);
  // a named map type (ResourceList) stays a plain map.
  if (r.rep) return { type: 'message', msg: full };
  return r.map ? { type: r.type, msg: r.msg, map: true } : { type: r.type, msg: r.msg };
}

const WIRE = { bool: 0, int32: 0, int64: 0, uint32: 0, uint64: 0, double: 1, float: 5, string: 2, bytes: 2, message: 2 };
const TAG_WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 };

// ---- reachability walk ------------------------------------------------------------------------

const out = {};
const queue = [];
const notes = []; // tags that disagree with their Go type (the Go type, and generated.proto, win)
const want = (msg) => { if (!(msg in out)) { out[msg] = null; queue.push(msg); } };

for (const [m] of ROOTS) want(m);
for (const k of META_ROOTS) want(`${META}.${k}`);
want('k8s.io.apimachinery.pkg.runtime.Unknown');
// No served kind embeds metav1.Duration in 1.32, but its codec is part of the contract.
want(`${META}.Duration`);

while (queue.length) {
  const name = queue.shift();
  if (SPECIAL[name]) {
    const s = SPECIAL[name];
    out[name] = {
      special: s.special,
      fields: s.fields.map(([json, num, type]) => ({ go: json, json, num, wire: WIRE[type], type })),
    };
    continue;
  }
  const named0 = named.get(name);
  if (named0) {
    // A wrapped named slice: JSON is the bare array.
    const r = resolve(named0.type, named0.ctx);
    if (r.msg) want(r.msg);
    out[name] = {
      wrap: true,
      fields: [{ go: 'Items', json: 'items', num: 1, wire: WIRE[r.type], type: r.type, ...(r.msg ? { msg: r.msg } : {}), rep: true }],
    };
    continue;
  }
  const st = structs.get(name);
  if (!st) throw new Error(`no struct ${name}`);
  const fields = [];
  for (const f of st.fields) {
    if (f.bad) throw new Error(`cannot parse field of ${name}: ${f.bad}`);
    const pb = f.tags.protobuf;
    if (!pb || pb === '-') continue; // TypeMeta and other JSON-only fields travel outside the message
    const parts = pb.split(',');
    const num = Number(parts[1]);
    const wire = TAG_WIRE[parts[0]];
    if (!Number.isInteger(num) || wire === undefined) throw new Error(`bad protobuf tag on ${name}.${f.name}: ${pb}`);
    const [jsonName, ...jsonOpts] = (f.tags.json ?? f.name).split(',');
    const r = resolve(f.type, st.ctx);
    const elemWire = r.map ? 2 : WIRE[r.type];
    // Again the Go type decides (generated.pb.go is built from it): DeleteOptions.propagationPolicy
    // is tagged varint but is a string on the wire.
    if (elemWire !== wire) notes.push(`${name}.${f.name} tagged ${parts[0]}, is ${r.type}`);
    // The Go type decides: EndpointSlice.addressType is tagged `rep` but is one string (generated.proto
    // says optional), and a single length-delimited value looks the same on the wire either way.
    if (r.rep !== (parts[2] === 'rep') && !r.map) notes.push(`${name}.${f.name} tagged ${parts[2]}`);
    if (r.msg) want(r.msg);
    const field = { go: f.name, json: jsonName === '-' ? '' : jsonName, num, wire: elemWire, type: r.type };
    if (r.msg) field.msg = r.msg;
    if (r.rep) field.rep = true;
    if (r.map) field.map = true;
    if (r.ptr) field.ptr = true;
    if (jsonOpts.includes('omitempty')) field.omitempty = true;
    // An embedded struct with `json:",inline"` is a nested message on the wire but flattened in JSON.
    if (jsonName === '' && jsonOpts.includes('inline')) field.inline = true;
    // JSON-hidden fields (runtime.Unknown.Raw) still travel in protobuf.
    if (jsonName === '-') field.hidden = true;
    fields.push(field);
  }
  out[name] = { fields };
}

// ---- cross-check against generated.proto ----------------------------------------------------
// go-to-protobuf derives generated.proto (and generated.pb.go) from the same Go types; every
// field of the table must agree with it on number, cardinality and type, or the script fails.

const PROTO_SCALAR = { string: 'string', bytes: 'bytes', bool: 'bool', int32: 'int32', int64: 'int64', uint32: 'uint32', uint64: 'uint64', double: 'double', float: 'float' };
const protoFields = new Map(); // message full name -> Map<num, {label, type}>
for (const [src, dir, importPath] of PACKAGES) {
  if (!src.list(dir).includes(`${dir}/generated.proto`)) continue;
  const text = src.read(`${dir}/generated.proto`).replace(/\/\/.*$/gm, '');
  const pkg = text.match(/^package ([\w.]+);/m)?.[1];
  if (pkg !== protoPkg(importPath)) throw new Error(`unexpected proto package ${pkg} in ${dir}`);
  for (const m of text.matchAll(/^message (\w+) \{([^}]*)\}/gm)) {
    const fields = new Map();
    for (const f of m[2].matchAll(/(optional|repeated|map<\s*string\s*,\s*([\w.]+)\s*>)\s*(?:([\w.]+)\s+)?(\w+)\s*=\s*(\d+)/g)) {
      const label = f[1].startsWith('map') ? 'map' : f[1];
      const type = (label === 'map' ? f[2] : f[3]).replace(/^\./, '');
      fields.set(Number(f[5]), { label, type, name: f[4] });
    }
    protoFields.set(`${pkg}.${m[1]}`, fields);
  }
}

let checked = 0;
for (const [name, def] of Object.entries(out)) {
  const pf = protoFields.get(name);
  if (!pf) throw new Error(`generated.proto has no message ${name}`);
  for (const f of def.fields) {
    const p = pf.get(f.num);
    const where = `${name}.${f.go} (= ${f.num})`;
    if (!p) throw new Error(`generated.proto lacks ${where}`);
    const label = f.map ? 'map' : f.rep ? 'repeated' : 'optional';
    if (p.label !== label) throw new Error(`${where}: table says ${label}, generated.proto ${p.label}`);
    const want = f.type === 'message' ? f.msg : PROTO_SCALAR[f.type];
    // generated.proto names same-package messages without their package.
    const got = p.type.includes('.') || PROTO_SCALAR[p.type] ? p.type : `${name.slice(0, name.lastIndexOf('.'))}.${p.type}`;
    if (got !== want) throw new Error(`${where}: table says ${want}, generated.proto ${got}`);
    checked++;
  }
  if (pf.size !== def.fields.length) throw new Error(`${name}: table has ${def.fields.length} fields, generated.proto ${pf.size}`);
}
console.error(`checked ${checked} fields against generated.proto; ${notes.length} struct tags disagree with their Go type:`);
for (const n of notes) console.error(`  ${n}`);

// ---- output -----------------------------------------------------------------------------------

const kinds = Object.fromEntries(ROOTS.map(([m, av, k]) => [`${av}/${k}`, m]));
const metaKinds = Object.fromEntries(META_ROOTS.map((k) => [k, `${META}.${k}`]));
const servedGV = [...new Set(ROOTS.map(([, av]) => av))];

const lines = [];
lines.push('// Code generated by scripts/gen-proto-table.mjs from the Go struct tags of k8s.io/api and');
lines.push(`// k8s.io/apimachinery ${opts.ref}. DO NOT EDIT; re-run the script (its header says how).`);
lines.push("import type { MessageDef } from './types.js';");
lines.push('');
lines.push('/** Every message reachable from the served kinds, by protobuf full name. */');
lines.push('export const MESSAGES: Readonly<Record<string, MessageDef>> = {');
for (const name of Object.keys(out).sort()) {
  const d = out[name];
  const head = [d.special ? `special: '${d.special}'` : '', d.wrap ? 'wrap: true' : ''].filter(Boolean).join(', ');
  lines.push(`  '${name}': {${head ? ` ${head},` : ''} fields: [`);
  for (const f of d.fields) lines.push(`    ${JSON.stringify(f).replace(/"(\w+)":/g, '$1: ').replace(/"/g, "'").replace(/,(?=\w+: )/g, ', ')},`);
  lines.push('  ] },');
}
lines.push('};');
lines.push('');
lines.push('/** `apiVersion/kind` of each served kind → its message. */');
lines.push('export const KINDS: Readonly<Record<string, string>> = {');
for (const [k, m] of Object.entries(kinds)) lines.push(`  '${k}': '${m}',`);
lines.push('};');
lines.push('');
lines.push('/** meta/v1 kinds, accepted under any apiVersion as upstream registers them in every group version. */');
lines.push('export const META_KINDS: Readonly<Record<string, string>> = {');
for (const [k, m] of Object.entries(metaKinds)) lines.push(`  ${k}: '${m}',`);
lines.push('};');
lines.push('');
lines.push('/** Group versions whose kinds the table covers. */');
lines.push(`export const SERVED_GROUP_VERSIONS: readonly string[] = ${JSON.stringify(servedGV).replace(/"/g, "'").replace(/,/g, ', ')};`);
process.stdout.write(lines.join('\n') + '\n');
console.error(`${Object.keys(out).length} messages`);
