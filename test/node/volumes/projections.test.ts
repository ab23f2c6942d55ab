import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from '../../../src/api/core.js';
import type { PodObjects } from '../../../src/node/pod-objects.js';
import { configMapPayload, downwardAPIPayload, projectedPayload, secretPayload } from '../../../src/node/volumes/projections.js';
import type { Payload } from '../../../src/node/volumes/atomic-writer.js';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { b: '2', a: 'say "hi"' }, annotations: { note: 'x' } },
  spec: { serviceAccountName: 'sa', containers: [{ name: 'c', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
};

const objects = (cms: ConfigMap[] = [], secrets: Secret[] = []): PodObjects => ({
  configMap: (ns, name) => cms.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
  secret: (ns, name) => secrets.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
  allocatable: () => ({ cpu: '2', memory: '1Gi' }),
});

const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'ns' }, data: { a: 'x', b: 'y' }, binaryData: { bin: Buffer.from([0, 1]).toString('base64') } };
const sec: Secret = { metadata: { name: 's', namespace: 'ns' }, data: { pw: Buffer.from('s3cret').toString('base64') } };

const show = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString('latin1'), v.mode.toString(8)]]));

test('configMap: every key (data and binaryData) with the default mode 0644, or the items with their modes', () => {
  assert.deepEqual(show(configMapPayload(pod, { name: 'cfg' }, objects([cm]))), { a: ['x', '644'], b: ['y', '644'], bin: ['\x00\x01', '644'] });
  assert.deepEqual(show(configMapPayload(pod, { name: 'cfg', defaultMode: 0o600, items: [{ key: 'a', path: 'dir/a.txt', mode: 0o400 }, { key: 'b', path: 'b' }] }, objects([cm]))), {
    'dir/a.txt': ['x', '400'],
    b: ['y', '600'],
  });
});

test('missing objects and keys fail with the plugins’ messages unless optional', () => {
  assert.throws(() => configMapPayload(pod, { name: 'nope' }, objects()), { message: 'configmap "nope" not found' });
  assert.deepEqual(show(configMapPayload(pod, { name: 'nope', optional: true }, objects())), {});
  assert.throws(() => configMapPayload(pod, { name: 'cfg', items: [{ key: 'zz', path: 'z' }] }, objects([cm])), { message: 'configmap references non-existent config key: zz' });
  assert.deepEqual(show(configMapPayload(pod, { name: 'cfg', optional: true, items: [{ key: 'zz', path: 'z' }] }, objects([cm]))), {});
  assert.throws(() => secretPayload(pod, { name: 's', items: [{ key: 'zz', path: 'z' }] }, objects([], [sec])), { message: 'references non-existent secret key: zz' });
  assert.throws(() => secretPayload(pod, { name: 'gone' }, objects()), { message: 'secret "gone" not found' });
  // Objects of another namespace are not the pod's.
  assert.throws(() => configMapPayload({ ...pod, metadata: { ...pod.metadata, namespace: 'other' } }, { name: 'cfg' }, objects([cm])), /not found/);
});

test('secret: values decoded from base64, mode 0644 by default', () => {
  assert.deepEqual(show(secretPayload(pod, { name: 's' }, objects([], [sec]))), { pw: ['s3cret', '644'] });
});

test('downwardAPI: labels and annotations as sorted key="value" lines, single fields, resources', () => {
  const p = downwardAPIPayload(
    pod,
    [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'a', fieldRef: { fieldPath: "metadata.labels['b']" } },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
      { path: 'mode', fieldRef: { fieldPath: 'metadata.uid' }, mode: 0o400 },
    ],
    objects(),
    0o644,
  );
  assert.deepEqual(show(p), {
    labels: ['a="say \\"hi\\""\nb="2"', '644'],
    name: ['p', '644'],
    a: ['2', '644'],
    mem: ['64', '644'],
    // No cpu limit: the node's allocatable stands in.
    cpu: ['2000', '644'],
    mode: ['u1', '400'],
  });
});

test('projected: sources merged under one defaultMode, the token from the TokenRequest source', async () => {
  const asked: unknown[] = [];
  const p = await projectedPayload(
    pod,
    {
      defaultMode: 0o440,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'cfg', items: [{ key: 'a', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        { secret: { name: 'missing', optional: true } },
      ],
    },
    objects([cm]),
    async (_pod, proj) => {
      asked.push(proj);
      return 'jwt';
    },
  );
  assert.deepEqual(show(p), { token: ['jwt', '440'], 'ca.crt': ['x', '440'], namespace: ['ns', '440'] });
  assert.deepEqual(asked, [{ path: 'token', expirationSeconds: 3607 }]);
});
