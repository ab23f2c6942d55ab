// Strategic merge patch: upstream's patch_test.go cases (as data, with the MergeItem schema),
// the patches kubectl apply sends for a Service and a Deployment, and the apiserver's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { applyStrategicMergePatch, type PatchSchema } from '../../../src/machinery/patch/index.js';
import { StatusError } from '../../../src/machinery/status.js';
import { deployment, mergeItem, service } from './smp-schemas.js';
import {
  createStrategicMergePatchTestCaseData,
  customStrategicMergePatchRawTestCases,
  customStrategicMergePatchTestCaseData,
  replaceRawExtensionPatchTestCases,
  strategicMergePatchRawTestCases,
  type UpstreamRawCase,
} from './smp-upstream-cases.js';

const y = (s: string | undefined): unknown => (s === undefined ? undefined : (YAML.parse(s) ?? {}));

function failure(doc: unknown, patch: unknown, schema: PatchSchema | undefined): StatusError {
  try {
    applyStrategicMergePatch(doc, patch, schema);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('expected the patch to fail');
}

function runRawCase(c: UpstreamRawCase) {
  if (c.twoWay !== undefined) {
    const original = y(c.original);
    const patch = y(c.twoWay);
    if (c.expectedError) {
      const e = failure(original, patch, mergeItem);
      assert.ok(e.message.includes(c.expectedError), `${e.message} should mention ${c.expectedError}`);
      return;
    }
    assert.deepEqual(applyStrategicMergePatch(original, patch, mergeItem), y(c.twoWayResult ?? c.modified), 'two-way');
  }
  if (c.threeWay !== undefined && c.result !== undefined) {
    assert.deepEqual(applyStrategicMergePatch(y(c.current), y(c.threeWay), mergeItem), y(c.result), 'three-way');
  }
}

for (const [group, cases] of [
  ['strategicMergePatchRawTestCases', strategicMergePatchRawTestCases],
  ['customStrategicMergePatchRawTestCases', customStrategicMergePatchRawTestCases],
  ['replaceRawExtensionPatchTestCases', replaceRawExtensionPatchTestCases],
] as const) {
  test(`upstream ${group}`, async (t) => {
    const seen = new Map<string, number>();
    for (const c of cases) {
      const n = (seen.get(c.description) ?? 0) + 1;
      seen.set(c.description, n);
      await t.test(n > 1 ? `${c.description} (${n})` : c.description, () => runRawCase(c));
    }
  });
}

// Upstream compares these after sorting merge lists by merge key (and lists of scalars as
// de-duplicated sorted sets), applying the sorted patch to the sorted original.
function goString(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
const byGoString = (a: unknown, b: unknown) => (goString(a) < goString(b) ? -1 : goString(a) > goString(b) ? 1 : 0);

function sortMergeLists(v: unknown, schema: PatchSchema | undefined): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === '$retainKeys' || k.startsWith('$deleteFromPrimitiveList')) {
      out[k] = [...(x as unknown[])].sort(byGoString);
      continue;
    }
    const f = schema?.kind === 'object' ? schema.fields?.[k] : schema?.kind === 'map' ? schema.elem : undefined;
    const merge = f?.patchStrategy?.split(',').includes('merge') ?? false;
    if (Array.isArray(x) && merge && x.length > 0) {
      if (typeof x[0] === 'object' && x[0] !== null) {
        const key = f!.patchMergeKey!;
        out[k] = x
          .map((e) => sortMergeLists(e, f!.elem))
          .sort((a, b) => byGoString((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
      } else {
        out[k] = [...new Set(x)].sort(byGoString);
      }
    } else if (!Array.isArray(x) && !k.startsWith('$')) {
      out[k] = sortMergeLists(x, f);
    } else {
      out[k] = x;
    }
  }
  return out;
}

interface YamlCase {
  description: string;
  original?: unknown;
  twoWay?: unknown;
  modified?: unknown;
  twoWayResult?: unknown;
  current?: unknown;
  threeWay?: unknown;
  result?: unknown;
}

for (const [group, text] of [
  ['customStrategicMergePatchTestCaseData', customStrategicMergePatchTestCaseData],
  ['createStrategicMergePatchTestCaseData', createStrategicMergePatchTestCaseData],
] as const) {
  test(`upstream ${group}`, async (t) => {
    const cases = (YAML.parse(text) as { testCases: YamlCase[] }).testCases;
    for (const [i, c] of cases.entries()) {
      await t.test(`${i}: ${c.description}`, () => {
        const apply = (o: unknown, p: unknown) =>
          applyStrategicMergePatch(sortMergeLists(o ?? {}, mergeItem), sortMergeLists(p, mergeItem), mergeItem);
        if (c.twoWay !== undefined) {
          assert.deepEqual(apply(c.original, c.twoWay), sortMergeLists(c.twoWayResult ?? c.modified ?? {}, mergeItem));
        }
        if (c.threeWay !== undefined && c.result !== undefined) {
          assert.deepEqual(apply(c.current, c.threeWay), sortMergeLists(c.result, mergeItem));
        }
      });
    }
  });
}

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

test('kubectl apply on a Service: ports merged by port, ordered by $setElementOrder/ports', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { [lastApplied]: 'old' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      selector: { app: 'web' },
      sessionAffinity: 'None',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    },
  };
  // Config change: targetPort 8080 → 9090, new port 443.
  const patch = {
    metadata: { annotations: { [lastApplied]: 'new' } },
    spec: {
      '$setElementOrder/ports': [{ port: 80 }, { port: 443 }],
      ports: [
        { port: 80, targetPort: 9090 },
        { name: 'https', port: 443, targetPort: 8443 },
      ],
    },
  };
  const out = applyStrategicMergePatch(live, patch, service);
  assert.deepEqual(out, {
    ...live,
    metadata: { ...live.metadata, annotations: { [lastApplied]: 'new' } },
    spec: {
      ...live.spec,
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 9090 },
        { name: 'https', port: 443, targetPort: 8443 },
      ],
    },
  });
  assert.equal(live.spec.ports[0]!.targetPort, 8080, 'the live object is not modified');

  // Removing port 443 from the config again.
  const removal = {
    spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ $patch: 'delete', port: 443 }] },
  };
  const out2 = applyStrategicMergePatch(out, removal, service) as typeof live;
  assert.deepEqual(out2.spec.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9090 }]);

  // A port added by someone else (not in the last applied config) stays, after the applied ones.
  const withForeign = { ...live, spec: { ...live.spec, ports: [...live.spec.ports, { name: 'debug', port: 9000, protocol: 'TCP', targetPort: 9000 }] } };
  const out3 = applyStrategicMergePatch(withForeign, patch, service) as typeof live;
  assert.deepEqual(
    out3.spec.ports.map((p) => p.port),
    [80, 443, 9000],
  );
});

test('kubectl apply on a Service: selector map merged, null deletes, labels set-like finalizers', () => {
  const live = {
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a.example/x', 'b.example/y'] },
    spec: { selector: { app: 'web', tier: 'front' }, ports: [{ port: 80, protocol: 'TCP' }] },
  };
  const patch = {
    metadata: {
      labels: { tier: null, env: 'prod' },
      finalizers: ['c.example/z', 'a.example/x'],
      '$deleteFromPrimitiveList/finalizers': ['b.example/y'],
    },
    spec: { selector: { tier: null } },
  };
  assert.deepEqual(applyStrategicMergePatch(live, patch, service), {
    metadata: { name: 'web', labels: { app: 'web', env: 'prod' }, finalizers: ['c.example/z', 'a.example/x'] },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] },
  });
});

test('kubectl apply on a Deployment: containers and env by name, strategy retainKeys, volumes retainKeys', () => {
  const live = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', annotations: { [lastApplied]: 'old' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '1' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          restartPolicy: 'Always',
        },
      },
    },
  };
  // Config change: image bump, A=2, B removed, C added, a sidecar, Recreate strategy, and the
  // volume switched from emptyDir to a ConfigMap.
  const patch = {
    metadata: { annotations: { [lastApplied]: 'new' } },
    spec: {
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
              env: [
                { name: 'A', value: '2' },
                { name: 'C', value: '3' },
                { $patch: 'delete', name: 'B' },
              ],
              image: 'nginx:1.26',
              name: 'web',
            },
            { args: ['sleep', 'infinity'], image: 'busybox', name: 'sidecar' },
          ],
          '$setElementOrder/volumes': [{ name: 'data' }],
          volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(live, patch, deployment) as typeof live;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  assert.deepEqual(out.spec.template.spec.containers, [
    {
      name: 'web',
      image: 'nginx:1.26',
      imagePullPolicy: 'IfNotPresent',
      env: [
        { name: 'A', value: '2' },
        { name: 'C', value: '3' },
      ],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    },
    { name: 'sidecar', image: 'busybox', args: ['sleep', 'infinity'] },
  ]);
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cfg' } }]);
  assert.equal(out.spec.replicas, 2);
  assert.equal(out.spec.template.spec.restartPolicy, 'Always');
  assert.equal(out.metadata.annotations[lastApplied], 'new');

  // Back to RollingUpdate with explicit parameters; args is not a merge list, so it is replaced.
  const patch2 = {
    spec: {
      strategy: { $retainKeys: ['rollingUpdate', 'type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: { spec: { containers: [{ name: 'sidecar', args: ['sleep', '60'] }] } },
    },
  };
  const out2 = applyStrategicMergePatch(out, patch2, deployment) as typeof live;
  assert.deepEqual(out2.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } });
  assert.deepEqual((out2.spec.template.spec.containers[1] as unknown as { args: string[] }).args, ['sleep', '60']);
});

test('directives: $patch replace and delete on maps and lists', () => {
  const live = { spec: { selector: { a: '1', b: '2' }, ports: [{ port: 80 }, { port: 81 }] } };
  assert.deepEqual(applyStrategicMergePatch(live, { spec: { selector: { $patch: 'replace', c: '3' } } }, service), {
    spec: { selector: { c: '3' }, ports: [{ port: 80 }, { port: 81 }] },
  });
  assert.deepEqual(applyStrategicMergePatch(live, { spec: { selector: { $patch: 'delete' } } }, service), {
    spec: { selector: {}, ports: [{ port: 80 }, { port: 81 }] },
  });
  assert.deepEqual(applyStrategicMergePatch(live, { spec: { ports: [{ $patch: 'replace' }, { port: 90 }] } }, service), {
    spec: { selector: { a: '1', b: '2' }, ports: [{ port: 90 }] },
  });
  assert.deepEqual(applyStrategicMergePatch(live, { spec: { $patch: 'replace', type: 'NodePort' } }, service), {
    spec: { type: 'NodePort' },
  });
  // A directive-carrying map for a field the live object lacks is dropped, as upstream does.
  assert.deepEqual(applyStrategicMergePatch({}, { spec: { selector: { $patch: 'delete' } } }, service), { spec: {} });
});

test('without a schema (or for unknown fields) maps merge and lists are replaced', () => {
  const doc = { a: { b: 1, c: [1, 2] }, list: [{ name: 'x', v: 1 }] };
  const patch = { a: { c: [3], d: null }, list: [{ name: 'x', w: 2 }] };
  const want = { a: { b: 1, c: [3] }, list: [{ name: 'x', w: 2 }] };
  assert.deepEqual(applyStrategicMergePatch(doc, patch, undefined), want);
  assert.deepEqual(applyStrategicMergePatch(doc, patch, service), want);
});

test('errors are reported with the status the apiserver uses', () => {
  // Malformed directives: 400 BadRequest.
  const rolling = { spec: { strategy: { type: 'RollingUpdate' } } };
  let e = failure(rolling, { spec: { strategy: { $retainKeys: 'type' } } }, deployment);
  assert.deepEqual([e.code, e.reason, e.message], [400, 'BadRequest', 'invalid patch format of retainKeys']);
  e = failure(rolling, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, deployment);
  assert.deepEqual([e.code, e.message], [400, 'invalid patch format of retainKeys']);
  e = failure({ metadata: { finalizers: ['a'] } }, { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, service);
  assert.deepEqual([e.code, e.message], [400, 'invalid patch format of primitive list']);
  e = failure({}, ['not', 'a', 'map'], service);
  assert.deepEqual([e.code, e.message], [400, 'json: cannot unmarshal array into Go value of type map[string]interface {}']);
  // Lists of lists: 422 with the generic message.
  e = failure({ spec: { ports: [[1]] } }, { spec: { ports: [[2]] } }, service);
  assert.deepEqual([e.code, e.reason, e.message], [422, 'Invalid', 'the server rejected our request due to an error in our request']);
  // Anything else: upstream's text; upstream answers 500, kubesvc 400 (a client's patch is never a 5xx).
  e = failure({ spec: { ports: [{ port: 80 }] } }, { spec: { ports: [{ targetPort: 8080 }] } }, service);
  assert.deepEqual([e.code, e.reason, e.message], [400, 'BadRequest', 'map: map[targetPort:8080] does not contain declared merge key: port']);
  e = failure({ spec: { ports: [{ port: 80 }] } }, { spec: { ports: [{ port: 80, $patch: 'merge' }] } }, service);
  assert.equal(e.message, 'merging lists cannot yet be specified in the patch');
  e = failure({ spec: { selector: { a: '1' } } }, { spec: { selector: { $patch: 'bogus' } } }, service);
  assert.equal(e.message, 'unknown patch type: bogus in map: map[$patch:bogus]');
  e = failure({ spec: { ports: [{ port: 80 }] } }, { spec: { ports: ['x'] } }, service);
  assert.equal(e.message, 'list element types are not identical: [[map[port:80]] [x]]');
});

test('inputs are never mutated and a null patch is a no-op', () => {
  const live = { spec: { ports: [{ port: 80, protocol: 'TCP' }], selector: { a: '1' } } };
  const patch = { spec: { '$setElementOrder/ports': [{ port: 81 }], ports: [{ port: 81 }, { $patch: 'delete', port: 80 }], selector: { a: null } } };
  const liveCopy = structuredClone(live);
  const patchCopy = structuredClone(patch);
  assert.deepEqual(applyStrategicMergePatch(live, patch, service), { spec: { ports: [{ port: 81 }], selector: {} } });
  assert.deepEqual(live, liveCopy);
  assert.deepEqual(patch, patchCopy);
  assert.deepEqual(applyStrategicMergePatch(live, null, service), live);
});
