// End to end: the real kubectl 1.32 (through the /usr/bin/kubectl dispatcher, which picks the
// binary matching /version) against a small server that serves our OpenAPI documents.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer, type Seen } from './fixture.js';
import * as seeds from './seeds.js';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const skip = existsSync(KUBECTL) ? false : `${KUBECTL} not installed`;

interface Run { code: number; stdout: string; stderr: string }

describe('kubectl 1.32 against the OpenAPI documents', { skip }, () => {
  let srv: FakeServer;
  let dir: string;
  // Objects the fake server holds, keyed by URL path; enough for apply's GET/POST/PATCH.
  const objects = new Map<string, object>();

  const handler = (req: Seen): { code: number; body: object } | undefined => {
    const path = req.path.split('?')[0]!;
    if (!/^\/api\/v1\/namespaces\/[^/]+\/services/.test(path)) return undefined;
    if (req.method === 'GET') {
      const o = objects.get(path);
      return o ? { code: 200, body: o } : { code: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'services "x" not found' } };
    }
    if (req.method === 'POST') return { code: 201, body: JSON.parse(req.body) };
    if (req.method === 'PATCH') return { code: 200, body: objects.get(path) ?? {} };
    return undefined;
  };

  const kubectl = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--server', srv.url, ...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') },
        timeout: 60_000,
      }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubesvc-kubectl-'));
    writeFileSync(join(dir, 'kubeconfig'), '');
    srv = await startFakeServer(undefined, handler);
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explain service.spec.ports prints the ServicePort fields', async () => {
    const r = await kubectl(['explain', 'service.spec.ports']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Service/);
    assert.match(r.stdout, /FIELD: ports <\[\]ServicePort>/);
    for (const f of ['appProtocol\t<string>', 'name\t<string>', 'nodePort\t<integer>', 'port\t<integer> -required-', 'protocol\t<string>', 'targetPort\t<IntOrString>']) {
      assert.ok(r.stdout.includes(f), `missing ${f} in:\n${r.stdout}`);
    }
    assert.ok(srv.requests.some((q) => q.path.startsWith('/openapi/v3/api/v1?hash=')));
  });

  it('explain works for the apps group too', async () => {
    const r = await kubectl(['explain', 'deployments.spec.strategy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /rollingUpdate\t<RollingUpdateDeployment>/);
  });

  it('apply (validate=strict) trusts the server: POST with fieldValidation=Strict, no /openapi/v2', async () => {
    writeFileSync(join(dir, 'svc.yaml'), seeds.basic.replace('name: my-service', 'name: my-service\n  namespace: default'));
    srv.requests.length = 0;
    const r = await kubectl(['apply', '-f', join(dir, 'svc.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /service\/my-service created/);
    const post = srv.requests.find((q) => q.method === 'POST');
    assert.ok(post, 'no POST');
    assert.match(post.path, /fieldValidation=Strict/);
    assert.ok(!srv.requests.some((q) => q.path.startsWith('/openapi/v2')), 'kubectl fell back to /openapi/v2');
  });

  it('apply on an existing Service sends a strategic merge patch built from the v3 merge keys', async () => {
    const last = JSON.parse(JSON.stringify((await import('yaml')).parse(seeds.multiPort)));
    last.metadata.namespace = 'default';
    const live = JSON.parse(JSON.stringify(last));
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(last) };
    live.metadata.resourceVersion = '5';
    objects.set('/api/v1/namespaces/default/services/my-service', live);
    const next = seeds.multiPort.replace('name: my-service', 'name: my-service\n  namespace: default').replace(/    - name: https[\s\S]*$/, '');
    writeFileSync(join(dir, 'svc.yaml'), next.replace('targetPort: 9376', 'targetPort: 8080'));
    srv.requests.length = 0;
    const r = await kubectl(['apply', '-f', join(dir, 'svc.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /error calculating patch/);
    const patch = srv.requests.find((q) => q.method === 'PATCH');
    assert.ok(patch, 'no PATCH');
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
    const body = JSON.parse(patch.body);
    assert.deepEqual(body.spec['$setElementOrder/ports'], [{ port: 80 }]);
    assert.deepEqual(body.spec.ports, [{ port: 80, targetPort: 8080 }, { $patch: 'delete', port: 443 }]);
  });
});
