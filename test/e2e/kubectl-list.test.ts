// `kubectl apply -f` of a v1 List. For kind List kubectl skips the server-side field validation
// check and validates every item on the client against /openapi/v2, fetched as gnostic protobuf:
// this exercises that document end to end with the real kubectl 1.32.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectl, kubectlOk, request, type Cluster } from './harness.js';

const svc = (name: string, port: number, spec: Record<string, unknown> = {}): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port, targetPort: 'http' }], ...spec },
});
const list = (...items: object[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('kubectl apply of a v1 List', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('creates every item of a valid List', () => {
    const out = kubectlOk(c, ['apply', '-f', '-'], list(svc('list-a', 80), svc('list-b', 81)));
    assert.match(out, /service\/list-a created/);
    assert.match(out, /service\/list-b created/);
    const names = kubectlOk(c, ['get', 'svc', 'list-a', 'list-b', '-o', 'name']).trim().split('\n');
    assert.deepEqual(names, ['service/list-a', 'service/list-b']);
  });

  it('rejects an unknown field in an item with kubectl\'s client-side validation error', () => {
    const bad = svc('list-bad', 82);
    const { spec } = bad as { spec: Record<string, unknown> };
    spec.portz = spec.ports;
    delete spec.ports;
    const r = kubectl(c, ['apply', '-f', '-'], list(svc('list-c', 83), bad));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error validating data: ValidationError\(Service\.spec\): unknown field "portz" in io\.k8s\.api\.core\.v1\.ServiceSpec/);
    // Validation happens before anything is sent: the valid item is not created either.
    assert.notEqual(kubectl(c, ['get', 'svc', 'list-c']).code, 0);
  });

  it('reports a wrongly typed field the same way', () => {
    const r = kubectl(c, ['apply', '-f', '-'], list(svc('list-d', 84, { publishNotReadyAddresses: 'yes' })));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidationError\(Service\.spec\.publishNotReadyAddresses\): invalid type for io\.k8s\.api\.core\.v1\.ServiceSpec\.publishNotReadyAddresses: got "string", expected "boolean"/);
  });

  it('round-trips `kubectl get svc -o yaml | kubectl apply -f -`', () => {
    for (let i = 0; i < 2; i++) {
      const yaml = kubectlOk(c, ['get', 'svc', '-o', 'yaml']);
      assert.match(yaml, /^kind: List$/m);
      const r = kubectl(c, ['apply', '-f', '-'], yaml);
      assert.equal(r.code, 0, r.stderr);
      for (const name of ['kubernetes', 'list-a', 'list-b']) assert.match(r.stdout, new RegExp(`service/${name} (unchanged|configured)`));
    }
  });

  it('serves /openapi/v2 as protobuf or JSON by Accept, each with its own ETag and Vary: Accept', async () => {
    const pb = await request(c, 'GET', '/openapi/v2', undefined, { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const json = await request(c, 'GET', '/openapi/v2', undefined, { accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    assert.equal(JSON.parse(json.body).swagger, '2.0');
    assert.ok(pb.headers.etag && json.headers.etag && pb.headers.etag !== json.headers.etag);
    assert.match(String(pb.headers.vary), /Accept/);
  });

  it('lets clients cache a v3 document fetched by its hash, and revalidate one fetched without', async () => {
    const root = JSON.parse((await request(c, 'GET', '/openapi/v3')).body);
    const url = root.paths['api/v1'].serverRelativeURL as string;
    assert.match(url, /\?hash=/);
    assert.equal((await request(c, 'GET', url)).headers['cache-control'], 'public, immutable');
    assert.equal((await request(c, 'GET', '/openapi/v3/api/v1')).headers['cache-control'], 'no-cache, private');
  });
});
