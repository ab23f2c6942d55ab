// The real proof: what kubectl 1.32 actually puts on the wire for typed create commands, decoded,
// must be exactly the object kubectl prints for the same command with --dry-run=client -o json.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeK8sProtobuf, encodeK8sProtobuf } from '../../../src/apiserver/protobuf/index.js';
import { kubectl, kubectlBin, sortKeys, startCaptureServer, type CaptureServer } from './capture-server.js';
import * as fx from './fixtures.js';

const COMMANDS: { name: string; args: string[]; path: string; json?: true }[] = [
  { name: 'create namespace', args: ['create', 'namespace', 'prod'], path: '/api/v1/namespaces' },
  {
    name: 'create service nodeport',
    args: ['create', 'service', 'nodeport', 'web', '--tcp=3000:443', '--node-port=30080'],
    path: '/api/v1/namespaces/default/services',
  },
  {
    name: 'create service clusterip',
    args: ['create', 'service', 'clusterip', 'api', '--tcp=80:8080', '--tcp=443'],
    path: '/api/v1/namespaces/default/services',
  },
  {
    name: 'create service loadbalancer',
    args: ['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'],
    path: '/api/v1/namespaces/default/services',
  },
  {
    name: 'create service externalname',
    args: ['create', 'service', 'externalname', 'ext', '--external-name=example.com'],
    path: '/api/v1/namespaces/default/services',
  },
  {
    name: 'create deployment',
    args: ['create', 'deployment', 'd', '--image=registry.k8s.io/pause:3.10', '--replicas=2'],
    path: '/apis/apps/v1/namespaces/default/deployments',
  },
  {
    name: 'run',
    args: ['run', 'p', '--image=registry.k8s.io/pause:3.10', '--port=8080', '--labels=app=p,tier=x', '--env=A=1'],
    path: '/api/v1/namespaces/default/pods',
    json: true,
  },
];

describe('kubectl 1.32 protobuf request bodies', { skip: !existsSync(kubectlBin) && 'no kubectl' }, () => {
  let srv: CaptureServer;
  before(async () => {
    srv = await startCaptureServer();
  });
  after(async () => {
    await srv.close();
  });

  for (const c of COMMANDS) {
    it(`${c.name}: decoded body equals kubectl's own --dry-run=client -o json`, async () => {
      const dry = await kubectl(srv.url, [...c.args, '--dry-run=client', '-o', 'json']);
      assert.equal(dry.code, 0, dry.stderr);
      const expected = JSON.parse(dry.stdout) as unknown;

      const before = srv.requests.length;
      // -o json prints the server's answer, which the capture server writes with our encoder
      // whenever kubectl asks for protobuf: Go must read it back to the same object.
      const run = await kubectl(srv.url, [...c.args, '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const posts = srv.requests.slice(before);
      assert.equal(posts.length, 1);
      const req = posts[0]!;
      assert.equal(req.url.split('?')[0], c.path);
      if (c.json) {
        // kubectl run builds its Pod through the unstructured path and posts JSON; the Pod still
        // has to survive our protobuf round trip unchanged.
        assert.match(req.contentType, /^application\/json/);
        const sent = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
        assert.deepEqual(sortKeys(sent), sortKeys(expected));
        assert.deepEqual(sortKeys(decodeK8sProtobuf(encodeK8sProtobuf(sent as never)).object), sortKeys(expected));
        return;
      }
      assert.match(req.contentType, /^application\/vnd\.kubernetes\.protobuf/);

      assert.match(req.accept, /^application\/vnd\.kubernetes\.protobuf/);
      assert.deepEqual(sortKeys(JSON.parse(run.stdout)), sortKeys(expected));

      const decoded = decodeK8sProtobuf(req.body);
      assert.deepEqual(sortKeys(decoded.object), sortKeys(expected));
      // And back: our encoder writes the very bytes Go's generated Marshal wrote.
      assert.deepEqual(encodeK8sProtobuf(decoded.object as never).toString('hex'), req.body.toString('hex'));
    });
  }
});

describe('kubectl 1.32 reads our protobuf', { skip: !existsSync(kubectlBin) && 'no kubectl' }, () => {
  let srv: CaptureServer;
  before(async () => {
    srv = await startCaptureServer();
  });
  after(async () => {
    await srv.close();
  });

  // The server answers the create with a rich stored object in our protobuf; kubectl's Go
  // decodes it and -o json prints it: every field must come back as our fixture has it.
  const cases: [string, string[], Record<string, unknown>][] = [
    ['Namespace', ['create', 'namespace', 'prod'], fx.terminatingNamespace],
    ['Service', ['create', 'service', 'clusterip', 'web', '--tcp=80'], fx.service],
    ['Deployment', ['create', 'deployment', 'web', '--image=registry.k8s.io/pause:3.10'], fx.deployment],
  ];
  for (const [kind, args, reply] of cases) {
    it(kind, async () => {
      srv.reply = reply;
      const run = await kubectl(srv.url, [...args, '-o', 'json', '--show-managed-fields']);
      srv.reply = undefined;
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(sortKeys(JSON.parse(run.stdout)), sortKeys(reply));
    });
  }
});
