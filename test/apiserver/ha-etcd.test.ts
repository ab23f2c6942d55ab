// Two API servers on one real etcd (Debian's etcd on free ports, its own data dir, stopped by PID),
// as `kubesvc server` runs them on two machines: Services created concurrently through both get
// distinct ClusterIPs (IPAddress objects: the first create wins in etcd) and NodePorts (one
// RangeAllocation updated by compare-and-swap); a watch on one sees a write through the other; the
// `kubernetes` EndpointSlice lists both servers, and a stopped one leaves it once its Lease expires.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import type { Backend } from '../../src/storage/backend.js';
import { ensurePki, type Pki } from '../../src/apiserver/pki.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { allowLoopbackAddresses } from '../../src/api/validation/ip.js';
import { setQuiet } from '../../src/util/log.js';
import { EtcdServer, findEtcd } from '../storage/etcd-server.js';
import { apiServerOptions } from '../support/apiserver.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kubectlBin, request, until } from '../e2e/harness.js';

const etcdBinary = findEtcd();
let dir: string;
let etcd: EtcdServer;
let pki: Pki;
const backends: Backend[] = [];
const servers: ApiServer[] = [];
const kubeconfigs: string[] = [];

async function startServer(advertiseAddress: string): Promise<{ api: ApiServer; kubeconfig: string }> {
  const backend = openBackend(`etcd://${etcd.endpoint}`, { dataDir: dir });
  await backend.start();
  backends.push(backend);
  // Short flags: a Lease lasts 2 s and is renewed every 300 ms.
  const api = new ApiServer(apiServerOptions(backend, pki, { advertiseAddress, endpointReconciler: { leaseDurationSeconds: 2, renewIntervalMs: 300 } }));
  await api.start();
  const kubeconfig = join(dir, `kubeconfig-${advertiseAddress}.yaml`);
  writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
  return { api, kubeconfig };
}

/** kubectl run without blocking this process, which serves its requests. */
async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(kubectlBin, args, {
    timeout: 30_000,
    env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kubectl-cache'), HOME: dir },
  });
  return stdout;
}

const target = (i: number) => ({ url: servers[i]!.url, kubeconfig: kubeconfigs[i]!, dataDir: dir });

before(async () => {
  if (!etcdBinary) return;
  setQuiet(true);
  allowLoopbackAddresses(true);
  dir = mkdtempSync(join(tmpdir(), 'kubesvc-ha-'));
  etcd = await EtcdServer.start(etcdBinary, join(dir, 'etcd'));
  pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  // Both start at once, as two machines would: one creates the cluster's first objects, the other finds them.
  for (const { api, kubeconfig } of await Promise.all([startServer('127.0.0.1'), startServer('127.0.0.2')])) {
    servers.push(api);
    kubeconfigs.push(kubeconfig);
  }
});

after(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const b of backends) await b.close().catch(() => undefined);
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const skip = etcdBinary ? false : 'etcd is not installed (Debian: etcd-server)';

test('200 NodePort Services created concurrently through both servers get 200 distinct ClusterIPs and NodePorts', { skip }, async () => {
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      request(target(i % 2), 'POST', '/api/v1/namespaces/default/services', JSON.stringify({
        apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` },
        spec: { type: 'NodePort', selector: { app: `a${i}` }, ports: [{ port: 80 }] },
      })),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  for (const r of results) assert.equal(r.status, 201, r.body);
  const created = results.map((r) => r.json());
  const ips = new Set(created.map((s) => s.spec.clusterIP));
  const ports = new Set(created.map((s) => s.spec.ports[0].nodePort));
  assert.equal(ips.size, 200, 'distinct ClusterIPs');
  assert.equal(ports.size, 200, 'distinct NodePorts');
  console.log(`# 200 Services through two API servers on etcd: ${(200 / seconds).toFixed(0)} creates/s`);
  // Every ClusterIP is an IPAddress naming its Service, readable through either server.
  const list = (await request(target(1), 'GET', '/apis/networking.k8s.io/v1/ipaddresses')).json();
  const byIP = new Map<string, any>(list.items.map((ip: any) => [ip.metadata.name, ip]));
  for (const s of created) {
    const ip = byIP.get(s.spec.clusterIP);
    assert.ok(ip, `IPAddress ${s.spec.clusterIP}`);
    assert.deepEqual(ip.spec.parentRef, { group: '', resource: 'services', namespace: 'default', name: s.metadata.name });
    assert.equal(ip.metadata.labels['ipaddress.kubernetes.io/managed-by'], 'ipallocator.k8s.io');
  }
  // kubectl shows them with upstream's columns, and the default ServiceCIDR from --service-cidr.
  const out = await kubectl(kubeconfigs[0]!, ['get', 'servicecidrs,ipaddresses']);
  assert.match(out, /^NAME\s+CIDRS\s+AGE\nservicecidr\.networking\.k8s\.io\/kubernetes\s+127\.96\.0\.0\/16\s+\S+\n/);
  assert.match(out, /\nNAME\s+PARENTREF\n/);
  assert.match(out, new RegExp(`ipaddress\\.networking\\.k8s\\.io/${created[0].spec.clusterIP.replace(/\./g, '\\.')}\\s+services/default/svc-0\\n`));
  // Deleting through one server frees the address and port for the other.
  const gone = created[7];
  assert.equal((await request(target(0), 'DELETE', '/api/v1/namespaces/default/services/svc-7')).status, 200);
  const again = await request(target(1), 'POST', '/api/v1/namespaces/default/services', JSON.stringify({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-7b' },
    spec: { type: 'NodePort', clusterIP: gone.spec.clusterIP, selector: { app: 'x' }, ports: [{ port: 80, nodePort: gone.spec.ports[0].nodePort }] },
  }));
  assert.equal(again.status, 201, again.body);
  // And a taken one is refused by the other server in upstream's words.
  const taken = await request(target(0), 'POST', '/api/v1/namespaces/default/services', JSON.stringify({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-dup' },
    spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: created[3].spec.ports[0].nodePort }] },
  }));
  assert.equal(taken.status, 422);
  assert.match(taken.json().message, /spec\.ports\[0\]\.nodePort: Invalid value: \d+: provided port is already allocated/);
});

test('a watch on one server sees a create through the other', { skip }, async () => {
  const t = target(0);
  const cred = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  const u = new URL('/api/v1/namespaces/default/configmaps?watch=1', t.url);
  const seen = new Promise<any>((resolve, reject) => {
    const req = https.request(u, { ...cred, method: 'GET' }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (const line of buf.split('\n').slice(0, -1)) {
          const ev = JSON.parse(line);
          if (ev.object?.metadata?.name === 'through-b') {
            req.destroy();
            resolve(ev);
          }
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
    });
    req.on('error', (e) => (e.message.includes('aborted') ? undefined : reject(e)));
    req.end();
    setTimeout(() => reject(new Error('no event within 10 s')), 10_000).unref();
  });
  await new Promise((r) => setTimeout(r, 200)); // the watch is established
  const r = await request(target(1), 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'through-b' }, data: { a: '1' } }));
  assert.equal(r.status, 201, r.body);
  const ev = await seen;
  assert.equal(ev.type, 'ADDED');
  assert.equal(ev.object.metadata.resourceVersion, r.json().metadata.resourceVersion);
});

test('the kubernetes EndpointSlice lists both servers; a stopped one is removed once its Lease expires', { skip }, async () => {
  const slice = async () => (await request(target(0), 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).json();
  const addresses = (s: any) => (s.endpoints ?? []).flatMap((e: any) => e.addresses).sort();
  await until('both servers in the kubernetes EndpointSlice', slice, (s) => addresses(s).join() === '127.0.0.1,127.0.0.2', 5000);
  const leases = (await request(target(0), 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver')).json();
  assert.equal(leases.items.length, 2);
  for (const l of leases.items) assert.match(l.metadata.name, /^apiserver-[a-z2-7]{26}$/);
  // A server that dies does not clean up after itself: its Lease simply stops being renewed.
  const second = servers[1]!;
  const stopped = Date.now();
  (second as any).endpoints.stop = async () => undefined;
  await second.stop();
  const s = await until('the stopped server leaves the EndpointSlice', slice, (x) => addresses(x).join() === '127.0.0.1', 6000);
  const took = Date.now() - stopped;
  assert.ok(took >= 1500, `removed after ${took} ms, before its 2 s Lease could expire`);
  assert.equal(s.ports[0].port, servers[0]!.port);
  const ep = (await request(target(0), 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json();
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: servers[0]!.port, protocol: 'TCP' }] }]);
  const left = (await request(target(0), 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver')).json();
  assert.equal(left.items.length, 1, 'the expired Lease is deleted');
});
