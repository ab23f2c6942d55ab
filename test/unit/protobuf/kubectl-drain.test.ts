// kubectl drain lists pods and waits for their deletion through the typed client, which asks for
// protobuf: Go must read our PodList and our NotFound Status.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { encodeK8sProtobuf, PROTOBUF_MEDIA_TYPE } from '../../../src/apiserver/protobuf/index.js';
import { kubectl, kubectlBin } from './capture-server.js';
import * as fx from './fixtures.js';

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0' },
  '/api': { kind: 'APIVersions', versions: ['v1'] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs },
      { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    ],
  },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'policy', versions: [{ groupVersion: 'policy/v1', version: 'v1' }], preferredVersion: { groupVersion: 'policy/v1', version: 'v1' } }] },
  '/apis/policy/v1': { kind: 'APIResourceList', groupVersion: 'policy/v1', resources: [] },
  '/api/v1/nodes/node-1': fx.node,
};

describe('kubectl drain over protobuf', { skip: !existsSync(kubectlBin) && 'no kubectl' }, () => {
  it('reads our PodList and NotFound Status', async () => {
    let evicted = false;
    const protobufAnswers: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const proto = (req.headers.accept ?? '').startsWith(PROTOBUF_MEDIA_TYPE);
        const send = (code: number, obj: Record<string, unknown>) => {
          res.statusCode = code;
          if (proto) protobufAnswers.push(`${req.method} ${path} ${code}`);
          res.setHeader('Content-Type', proto ? PROTOBUF_MEDIA_TYPE : 'application/json');
          res.end(proto ? encodeK8sProtobuf(obj) : JSON.stringify(obj));
        };
        if (req.method === 'GET' && DISCOVERY[path]) return send(200, DISCOVERY[path] as Record<string, unknown>);
        if (req.method === 'PATCH' && path === '/api/v1/nodes/node-1') return send(200, fx.node);
        if (req.method === 'GET' && path === '/api/v1/pods') {
          const { kind: _k, apiVersion: _a, ...pod } = fx.pod;
          return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: evicted ? [] : [pod] });
        }
        if (req.method === 'POST' && path === '/api/v1/namespaces/default/pods/web-0/eviction') {
          evicted = true;
          return send(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        }
        send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: 'pods "web-0" not found', details: { name: 'web-0', kind: 'pods' }, code: 404 });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await kubectl(url, ['drain', 'node-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /evicting pod default\/web-0/);
      assert.match(run.stdout, /pod\/web-0 evicted/);
      assert.ok(evicted);
      assert.ok(protobufAnswers.some((a) => a.startsWith('GET /api/v1/pods 200')), protobufAnswers.join('\n'));
      assert.ok(protobufAnswers.some((a) => a.endsWith(' 404')), protobufAnswers.join('\n'));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
