// FieldsV1 encoding (upstream's fieldpath serialize: f:/k:/v:/i: tokens, "." for a member with
// children, elements in PathElement order), managedFields entries, manager identities, the cap on
// Update managers, the manager name taken from a user agent, and the conflict 409's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  capUpdateManagers,
  conflictStatus,
  decodeManagedFields,
  encodeManagedFields,
  FieldSet,
  fromFieldsV1,
  identifier,
  managerFromUserAgent,
  parseToken,
  printManager,
  toFieldsV1,
  token,
  type Managers,
} from '../../../../src/machinery/fieldmanager/index.js';

// A Service's kubectl Apply entry as upstream writes it.
const serviceApply =
  '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:name":{},"f:port":{},"f:targetPort":{}},' +
  '"k:{\\"port\\":9090,\\"protocol\\":\\"TCP\\"}":{".":{},"f:name":{},"f:port":{}}},"f:selector":{}}}';

test('FieldsV1 round-trips byte for byte', () => {
  const cases = [
    serviceApply,
    '{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}',
    '{"f:metadata":{"f:finalizers":{".":{},"v:\\"a.example.com/x\\"":{},"v:\\"b\\"":{}}}}',
    '{"f:list":{"i:0":{},"i:2":{},"i:10":{}}}',
    '{"f:a":{},"f:b":{".":{},"f:c":{}}}',
    // Go's encoder escapes <, > and & inside a key's JSON, and the key's backslashes once more as a member name.
    '{"f:spec":{"f:x":{"k:{\\"name\\":\\"\\\\u003cb\\\\u003e\\\\u0026\\"}":{}}}}',
  ];
  for (const c of cases) assert.equal(JSON.stringify(toFieldsV1(fromFieldsV1(JSON.parse(c)))), c);
});

test('FieldsV1 is written in upstream order whatever order it was read in', () => {
  // Fields before keys before values before indexes; fields by name; keys by their values (numbers numerically).
  const messy = { 'i:1': {}, 'v:"z"': {}, 'k:{"port":8080}': {}, 'k:{"port":80}': {}, 'f:b': {}, 'f:a': {} };
  assert.deepEqual(Object.keys(toFieldsV1(fromFieldsV1(messy))), ['f:a', 'f:b', 'k:{"port":80}', 'k:{"port":8080}', 'v:"z"', 'i:1']);
  // Key fields are written sorted by name.
  assert.equal(token(parseToken('k:{"protocol":"TCP","port":80}')), 'k:{"port":80,"protocol":"TCP"}');
});

test('malformed FieldsV1 is an error, not a crash', () => {
  for (const bad of [[], 'x', { 'x:y': {} }, { 'k:{': {} }, { 'f:a': 1 }, { 'i:x': {} }, { 'k:[1]': {} }]) {
    assert.throws(() => fromFieldsV1(bad), Error);
  }
});

test('managedFields entries decode, and encode sorted: Apply first, then by time and manager', () => {
  const entries = [
    { manager: 'z', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } },
    { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: JSON.parse(serviceApply) },
    { manager: 'k', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
  ];
  const out = encodeManagedFields(decodeManagedFields(entries));
  assert.deepEqual(out.map((e) => e.manager), ['kubectl', 'b', 'k', 'z']);
  assert.equal(JSON.stringify(out[0]!.fieldsV1), serviceApply);
  // Key order of an entry is the Go struct's.
  assert.deepEqual(Object.keys(out[2]!), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
  assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Update', fieldsType: 'FieldsV2', fieldsV1: {} }]), /only FieldsV1 is supported/);
  assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Patch', fieldsType: 'FieldsV1', fieldsV1: {} }]), /unknown operation/);
});

test('manager identities: Apply without apiVersion, Update with it, subresource when set', () => {
  assert.equal(identifier({ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1' }), '{"manager":"kubectl","operation":"Apply"}');
  assert.equal(identifier({ manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1' }), '{"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1"}');
  assert.equal(printManager(identifier({ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1' })), '"kubectl-client-side-apply" using v1');
  assert.equal(printManager(identifier({ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', subresource: 'status' })), '"kubelet" with subresource "status" using v1');
  assert.equal(printManager(identifier({ manager: 'helm', operation: 'Apply' })), '"helm"');
});

test('more than 10 Update managers: the oldest fold into "ancient-changes"', () => {
  const managers: Managers = new Map();
  for (let i = 0; i < 12; i++) {
    const m = { manager: `m${String(i).padStart(2, '0')}`, operation: 'Update' as const, apiVersion: 'v1', time: `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`, set: FieldSet.of([{ field: `f${i}` }]) };
    managers.set(identifier(m), m);
  }
  const applier = { manager: 'kubectl', operation: 'Apply' as const, apiVersion: 'v1', set: FieldSet.of([{ field: 'x' }]) };
  managers.set(identifier(applier), applier);
  capUpdateManagers(managers);
  const updates = [...managers.values()].filter((m) => m.operation === 'Update');
  assert.equal(updates.length, 10);
  const ancient = updates.find((m) => m.manager === 'ancient-changes')!;
  // m00, m01 and m02 are folded (three entries become one), keeping every field they owned and the newest time.
  assert.deepEqual(ancient.set.paths().map((p) => (p[0] as { field: string }).field).sort(), ['f0', 'f1', 'f2']);
  assert.equal(ancient.time, '2024-01-01T00:00:02Z');
  assert.ok(managers.has(identifier(applier)), 'Apply managers are never folded');
});

test('manager name from the user agent: up to the first "/", printable, at most 128 bytes', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07'), 'kubectl');
  assert.equal(managerFromUserAgent('kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:x'), 'kube-controller-manager');
  assert.equal(managerFromUserAgent('a\tb\u0000c d'), 'abc d');
  assert.equal(managerFromUserAgent('x'.repeat(300)), 'x'.repeat(128));
  assert.equal(managerFromUserAgent(undefined), '');
});

test('a conflict is a 409 with upstream\'s message and one FieldManagerConflict cause per field', () => {
  const csa = identifier({ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1' });
  const one = conflictStatus([{ manager: csa, path: [{ field: 'spec' }, { field: 'replicas' }] }]);
  assert.equal(one.code, 409);
  assert.equal(one.reason, 'Conflict');
  assert.equal(one.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.replicas');
  assert.deepEqual(one.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.replicas' }]);
  const helm = identifier({ manager: 'helm', operation: 'Apply' });
  const two = conflictStatus([
    { manager: helm, path: [{ field: 'spec' }, { field: 'ports' }, { key: [['port', 80], ['protocol', 'TCP']] }, { field: 'targetPort' }] },
    { manager: csa, path: [{ field: 'spec' }, { field: 'type' }] },
  ]);
  assert.equal(
    two.message,
    'Apply failed with 2 conflicts: conflicts with "helm":\n- .spec.ports[port=80,protocol="TCP"].targetPort\nconflicts with "kubectl-client-side-apply" using v1:\n- .spec.type',
  );
});

test('the watch cache shares one frozen copy of equal FieldsV1 values', async () => {
  const { shareFieldsV1 } = await import('../../../../src/machinery/fieldmanager/intern.js');
  const mk = () => ({ metadata: { managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } } }] } });
  const a = mk();
  const b = mk();
  shareFieldsV1(a);
  shareFieldsV1(b);
  assert.equal(a.metadata.managedFields[0]!.fieldsV1, b.metadata.managedFields[0]!.fieldsV1);
  assert.ok(Object.isFrozen((a.metadata.managedFields[0]!.fieldsV1 as any)['f:spec']));
  assert.deepEqual(b.metadata.managedFields[0]!.fieldsV1, { 'f:spec': { 'f:x': {} } });
});

test('the shared FieldsV1 table forgets values no object uses any more', async () => {
  const { shareFieldsV1, sharedFieldsV1Count } = await import('../../../../src/machinery/fieldmanager/intern.js');
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const unique = (i: number) => ({ metadata: { managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:ownerReferences': { [`k:{"uid":"churn-${i}"}`]: {} } } } }] } });
  const before = sharedFieldsV1Count();
  let objs: ReturnType<typeof unique>[] = Array.from({ length: 1_000 }, (_, i) => unique(i));
  for (const o of objs) shareFieldsV1(o);
  assert.equal(sharedFieldsV1Count(), before + 1_000);
  const kept = unique(0);
  shareFieldsV1(kept);
  assert.equal(kept.metadata.managedFields[0]!.fieldsV1, objs[0]!.metadata.managedFields[0]!.fieldsV1, 'still shared while used');
  objs = [];
  // Finalizers run after a collection, on a later turn of the event loop.
  for (let i = 0; i < 20 && sharedFieldsV1Count() > before + 1; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(sharedFieldsV1Count(), before + 1, 'only the value the kept object uses remains');
  const again = unique(0);
  shareFieldsV1(again);
  assert.equal(again.metadata.managedFields[0]!.fieldsV1, kept.metadata.managedFields[0]!.fieldsV1);
});
