// kubectl 1.32 against `kubesvc up` with aggregated discovery: its discovery is two requests
// (/api and /apis) instead of one per group version, and `kubectl api-resources` lists exactly the
// rows it lists from the unaggregated documents (a second cluster started without aggregated
// discovery). @kubernetes/client-node, which reads the per-group-version lists, keeps working.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startCluster, kubectl, type Cluster } from './harness.js';

/** The discovery paths a kubectl run fetched, from its -v=6 request log, in order. */
function discoveryRequests(stderr: string): string[] {
  const out: string[] = [];
  for (const m of stderr.matchAll(/GET https:\/\/[^/\s]+(\/apis?(?:\/[^?\s]*)?)\?timeout=\S+ (\d{3})/g)) {
    const path = m[1]!;
    // /api, /apis, /api/v1, /apis/<group>/<version>: not a list of objects.
    if (/^\/api(\/v1)?$|^\/apis(\/[^/]+\/[^/]+)?$/.test(path)) out.push(`${path} ${m[2]}`);
  }
  return out;
}

let cacheCounter = 0;
/** kubectl with its own fresh discovery cache, so each run discovers from the server. */
function freshKubectl(c: Cluster, args: string[]): { stdout: string; requests: string[] } {
  const r = kubectl(c, [...args, '--cache-dir', join(c.dataDir, `kubectl-cache-${cacheCounter++}`), '-v=6']);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, requests: discoveryRequests(r.stderr) };
}

describe('kubectl discovery', () => {
  let aggregated: Cluster;
  let unaggregated: Cluster;
  before(async () => {
    aggregated = await startCluster();
    unaggregated = await startCluster({ env: { KUBESVC_AGGREGATED_DISCOVERY: 'false' } });
  });
  after(async () => {
    await aggregated?.destroy();
    await unaggregated?.destroy();
  });

  it('costs kubectl two requests, and api-resources lists the same rows as without aggregation', () => {
    const a = freshKubectl(aggregated, ['api-resources', '-o', 'wide']);
    assert.deepEqual(a.requests, ['/api 200', '/apis 200']);
    const u = freshKubectl(unaggregated, ['api-resources', '-o', 'wide']);
    // Without it, one more request per group version.
    assert.deepEqual(u.requests.slice(0, 2), ['/api 200', '/apis 200']);
    assert.deepEqual(
      u.requests.slice(2).sort(),
      ['/api/v1 200', '/apis/apiextensions.k8s.io/v1 200', '/apis/apps/v1 200', '/apis/authentication.k8s.io/v1 200', '/apis/authorization.k8s.io/v1 200', '/apis/batch/v1 200', '/apis/certificates.k8s.io/v1 200', '/apis/coordination.k8s.io/v1 200', '/apis/discovery.k8s.io/v1 200', '/apis/metrics.k8s.io/v1beta1 200', '/apis/networking.k8s.io/v1 200', '/apis/rbac.authorization.k8s.io/v1 200', '/apis/storage.k8s.io/v1 200'],
    );
    assert.equal(a.stdout, u.stdout);
    assert.match(a.stdout, /^services\s+svc\s+v1\s+true\s+Service\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/m);
    assert.match(a.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s/m);
    assert.match(a.stdout, /^ingressclasses\s+networking\.k8s\.io\/v1\s+false\s+IngressClass\s/m);
    assert.match(a.stdout, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress\s/m);
    assert.equal(a.stdout.trim().split('\n').length, u.stdout.trim().split('\n').length);
  });

  it('resolves short names, categories and subresources from the aggregated document', () => {
    kubectl(aggregated, ['create', 'deployment', 'disc-web', '--image=registry.k8s.io/pause:3.10']);
    const all = freshKubectl(aggregated, ['get', 'all', '-o', 'name']);
    assert.deepEqual(all.requests, ['/api 200', '/apis 200']);
    assert.match(all.stdout, /^service\/kubernetes$/m);
    assert.match(all.stdout, /^deployment.apps\/disc-web$/m);
    const short = freshKubectl(aggregated, ['get', 'deploy,svc', '-o', 'name']);
    assert.match(short.stdout, /deployment.apps\/disc-web/);
    const scaled = freshKubectl(aggregated, ['scale', 'deploy/disc-web', '--replicas=2']);
    assert.match(scaled.stdout, /scaled/);
    const explain = freshKubectl(aggregated, ['explain', 'svc.spec.clusterIP']);
    assert.match(explain.stdout, /FIELD: clusterIP/);
  });

  it('keeps @kubernetes/client-node working, including its resource lookups by kind', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(aggregated.kubeconfig);
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    // KubernetesObjectApi finds the resource for a kind in the group version's APIResourceList.
    const service: k8s.V1Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'disc-cn', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
    const created = await objects.create(service);
    assert.ok(created.spec?.clusterIP?.startsWith(aggregated.plan.servicePrefix), created.spec?.clusterIP);
    const read = await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'disc-web', namespace: 'default' } });
    assert.equal(read.kind, 'Deployment');
    const versions = await kc.makeApiClient(k8s.CoreApi).getAPIVersions();
    assert.deepEqual(versions.versions, ['v1']);
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    assert.ok(groups.groups.some((g) => g.name === 'apps'));
  });
});
