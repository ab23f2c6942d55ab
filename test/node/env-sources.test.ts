// The kubelet's env resolution (makeEnvironmentVariables): valueFrom of every kind, envFrom with
// prefixes, optional references, invalid names skipped with an event, and upstream's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Container, Pod, Secret } from '../../src/api/core.js';
import { buildContainerEnv, ContainerConfigError } from '../../src/node/env.js';
import type { PodObjects } from '../../src/node/pod-objects.js';

const cms: ConfigMap[] = [{ metadata: { name: 'cfg', namespace: 'ns' }, data: { a: 'A', b: 'B', '1x': 'bad' } }];
const secrets: Secret[] = [{ metadata: { name: 'sec', namespace: 'ns' }, data: { pw: Buffer.from('s3cret').toString('base64'), a: Buffer.from('fromsecret').toString('base64') } }];
const objects: PodObjects = {
  configMap: (ns, n) => cms.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
  secret: (ns, n) => secrets.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
  allocatable: () => ({ cpu: '2', memory: '4Gi', 'ephemeral-storage': '100Gi' }),
};

function envOf(container: Partial<Container>, warnings: string[] = []): Record<string, string> {
  const c: Container = { name: 'c', image: 'x', ...container };
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'web' }, annotations: { team: 'blue' } },
    spec: { nodeName: 'n1', serviceAccountName: 'robot', containers: [c, { name: 'side', resources: { limits: { cpu: '1500m' } } }] },
    status: { podIP: '127.244.0.9', podIPs: [{ ip: '127.244.0.9' }], hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }] },
  };
  return buildContainerEnv({ pod, container: c, nodeName: 'n1', services: [], objects, warn: (r, m) => warnings.push(`${r}: ${m}`) });
}

const ref = (kind: string, body: object) => ({ valueFrom: { [kind]: body } });

test('valueFrom table: each source and what it resolves to', () => {
  const cases: [string, object, string | undefined][] = [
    ['configMapKeyRef', ref('configMapKeyRef', { name: 'cfg', key: 'a' }), 'A'],
    ['secretKeyRef', ref('secretKeyRef', { name: 'sec', key: 'pw' }), 's3cret'],
    ['optional missing object', ref('configMapKeyRef', { name: 'none', key: 'a', optional: true }), undefined],
    ['optional missing key', ref('secretKeyRef', { name: 'sec', key: 'zz', optional: true }), undefined],
    ['fieldRef name', ref('fieldRef', { fieldPath: 'metadata.name' }), 'p'],
    ['fieldRef label', ref('fieldRef', { fieldPath: "metadata.labels['app']" }), 'web'],
    ['fieldRef annotation', ref('fieldRef', { fieldPath: "metadata.annotations['team']" }), 'blue'],
    ['fieldRef serviceAccountName', ref('fieldRef', { fieldPath: 'spec.serviceAccountName' }), 'robot'],
    ['fieldRef hostIPs', ref('fieldRef', { fieldPath: 'status.hostIPs' }), '127.0.0.1'],
    ['fieldRef podIPs', ref('fieldRef', { fieldPath: 'status.podIPs' }), '127.244.0.9'],
    ['limits.memory without a limit: node allocatable', ref('resourceFieldRef', { resource: 'limits.memory', divisor: '1Mi' }), '4096'],
    ['limits.cpu of another container, rounded up', ref('resourceFieldRef', { containerName: 'side', resource: 'limits.cpu' }), '2'],
    ['limits.cpu in millicores', ref('resourceFieldRef', { containerName: 'side', resource: 'limits.cpu', divisor: '1m' }), '1500'],
    ['requests.cpu unset', ref('resourceFieldRef', { resource: 'requests.cpu' }), '0'],
  ];
  for (const [what, ev, want] of cases) {
    const env = envOf({ env: [{ name: 'V', ...ev }] });
    assert.equal(env.V, want, what);
  }
});

test("missing objects and keys: the kubelet's messages", () => {
  const fails = (ev: object, message: string) =>
    assert.throws(() => envOf({ env: [{ name: 'V', ...ev }] }), (e: unknown) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && e.message === message);
  fails(ref('configMapKeyRef', { name: 'none', key: 'a' }), 'configmap "none" not found');
  fails(ref('secretKeyRef', { name: 'none', key: 'a' }), 'secret "none" not found');
  fails(ref('configMapKeyRef', { name: 'cfg', key: 'zz' }), "couldn't find key zz in ConfigMap ns/cfg");
  fails(ref('secretKeyRef', { name: 'sec', key: 'zz' }), "couldn't find key zz in Secret ns/sec");
  assert.throws(() => envOf({ envFrom: [{ configMapRef: { name: 'none' } }] }), { message: 'configmap "none" not found' });
  assert.doesNotThrow(() => envOf({ envFrom: [{ secretRef: { name: 'none', optional: true } }] }));
});

test('envFrom: prefixes, later sources win, env overrides, invalid names skipped with an event', () => {
  const warnings: string[] = [];
  const env = envOf(
    {
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' } }, { prefix: 'P_', configMapRef: { name: 'cfg' } }],
      env: [
        { name: 'b', value: 'override' },
        { name: 'REF', value: '$(a)-$(P_b)' },
      ],
    },
    warnings,
  );
  assert.equal(env.a, 'fromsecret');
  assert.equal(env.pw, 's3cret');
  assert.equal(env.P_a, 'A');
  assert.equal(env.P_1x, 'bad');
  assert.equal(env.b, 'override');
  assert.equal(env.REF, 'fromsecret-B');
  assert.equal(env['1x'], undefined);
  assert.deepEqual(warnings, [
    'InvalidEnvironmentVariableNames: Keys [1x] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
  ]);
});
