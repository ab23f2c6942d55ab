// Cluster DNS through `dig` against `bin/kubesvc up`, at the kube-dns ClusterIP: the seed's
// ExternalName, a headless Service over a 3-replica Deployment, SRV for the multi-port Service,
// TCP, and a burst of garbage the server must shrug off.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectlOk, root, until, type Cluster } from './harness.js';

const fixture = (name: string) => readFileSync(join(root, 'test', 'e2e', 'fixtures', name), 'utf8');
const haveDig = spawnSync('dig', ['-v'], { encoding: 'utf8' }).status === 0;

function dig(server: string, args: string[]): string {
  const r = spawnSync('dig', [`@${server}`, '+time=2', '+tries=2', ...args], { encoding: 'utf8', timeout: 15_000 });
  return r.stdout ?? '';
}

const headless = `apiVersion: v1
kind: Service
metadata:
  name: backend-headless
spec:
  clusterIP: None
  selector:
    app: dns-backend
  ports:
  - name: http
    port: 9376
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dns-backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: dns-backend
  template:
    metadata:
      labels:
        app: dns-backend
    spec:
      containers:
      - name: serve-hostname
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        ports:
        - containerPort: 9376
`;

describe('cluster DNS with dig', { skip: haveDig ? false : 'dig is not installed (apt-get install dnsutils)' }, () => {
  let c: Cluster;
  let dns = '';
  before(async () => {
    c = await startCluster();
    dns = JSON.parse(kubectlOk(c, ['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP;
  });
  after(async () => {
    await c?.destroy();
  });

  it('puts kube-dns at the 10th address of the service CIDR', () => {
    assert.equal(dns, `${c.plan.servicePrefix}0.10`);
  });

  it('answers on the kube-dns ClusterIP itself, which kube-proxy leaves to it; the Service still looks as upstream', () => {
    const svc = JSON.parse(kubectlOk(c, ['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json']));
    // upstream's "another proxy serves this Service"
    assert.equal(svc.metadata.labels['service.kubernetes.io/service-proxy-name'], 'kubesvc-node-local-dns');
    assert.equal(svc.metadata.labels['k8s-app'], 'kube-dns');
    assert.deepEqual(svc.spec.ports.map((p: { name: string; port: number; protocol: string }) => `${p.name}:${p.port}/${p.protocol}`), ['dns:53/UDP', 'dns-tcp:53/TCP']);
    const ep = JSON.parse(kubectlOk(c, ['get', 'endpoints', 'kube-dns', '-n', 'kube-system', '-o', 'json']));
    assert.equal(ep.subsets[0].addresses.length, 1);
    // Over TCP too: the server holds both transports on the ClusterIP.
    assert.match(dig(dns, ['+tcp', '+short', 'kube-dns.kube-system.svc.cluster.local']), new RegExp(`^${dns.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('resolves a new Service through the ClusterIP within a couple of seconds (A, SRV of its named port, PTR), even after it was asked for and missed', async () => {
    const name = 'fresh-svc.default.svc.cluster.local';
    // kubectl names the port 80-8080. The miss is asked first, so a cached NXDOMAIN would have to be dropped when the Service comes.
    assert.match(dig(dns, [name]), /status: NXDOMAIN/);
    const created = Date.now();
    kubectlOk(c, ['create', 'service', 'clusterip', 'fresh-svc', '--tcp=80:8080']);
    const ip = JSON.parse(kubectlOk(c, ['get', 'svc', 'fresh-svc', '-o', 'json'])).spec.clusterIP as string;
    await until('the new Service by name', () => dig(dns, ['+short', name]), (v) => v.trim() === ip, 5_000);
    assert.ok(Date.now() - created < 3_000, `took ${Date.now() - created} ms`);
    assert.match(dig(dns, ['+short', 'SRV', `_80-8080._tcp.${name}`]), /^0 100 80 fresh-svc\.default\.svc\.cluster\.local\.$/m);
    assert.match(dig(dns, ['+short', '-x', ip]), /^fresh-svc\.default\.svc\.cluster\.local\.$/m);
  });

  it('answers the kubernetes Service and the dns-version record', async () => {
    await until('kubernetes.default', () => dig(dns, ['+short', 'kubernetes.default.svc.cluster.local']), (v) => v.trim() === `${c.plan.servicePrefix}0.1`);
    assert.match(dig(dns, ['+short', 'TXT', 'dns-version.cluster.local']), /"1\.1\.0"/);
  });

  it('answers the seed ExternalName in prod with a CNAME to my.database.example.com', async () => {
    kubectlOk(c, ['create', 'namespace', 'prod']);
    kubectlOk(c, ['apply', '-f', '-'], fixture('externalname.yaml'));
    const out = await until('the CNAME', () => dig(dns, ['my-service.prod.svc.cluster.local', 'CNAME']), (v) => /CNAME/.test(v));
    assert.match(out, /my-service\.prod\.svc\.cluster\.local\.\s+5\s+IN\s+CNAME\s+my\.database\.example\.com\./);
  });

  it('gives SRV records for the named ports of the multi-port Service, over UDP and TCP', async () => {
    kubectlOk(c, ['apply', '-f', '-'], fixture('multi-port.yaml'));
    const svcName = 'my-multi-service.default.svc.cluster.local.';
    const udp = await until('SRV', () => dig(dns, ['+short', 'SRV', '_https._tcp.my-multi-service.default.svc.cluster.local']), (v) => v.includes(svcName));
    assert.match(udp, /^0 100 443 my-multi-service\.default\.svc\.cluster\.local\.$/m);
    const tcp = dig(dns, ['+tcp', '+short', 'SRV', '_http._tcp.my-multi-service.default.svc.cluster.local']);
    assert.match(tcp, /^0 100 80 my-multi-service\.default\.svc\.cluster\.local\.$/m);
  });

  it('answers a headless Service with one A record per ready pod', async () => {
    kubectlOk(c, ['apply', '-f', '-'], headless);
    const out = await until(
      '3 A records',
      () => dig(dns, ['+short', 'backend-headless.default.svc.cluster.local']),
      (v) => v.trim().split('\n').filter(Boolean).length === 3,
      30_000,
    );
    const ips = out.trim().split('\n').sort();
    const podIPs = (JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=dns-backend', '-o', 'json'])).items as any[])
      .map((p) => p.status.podIP)
      .sort();
    assert.deepEqual(ips, podIPs);
  });

  it('lets a pod reach a Service by its short name through cluster DNS', async () => {
    kubectlOk(c, ['expose', 'deployment', 'dns-backend', '--name=by-name', '--port=80', '--target-port=9376']);
    kubectlOk(c, ['run', 'client', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--', 'netexec', '--http-port=8080']);
    const pod = await until(
      'the client pod',
      () => kubectlOk(c, ['get', 'pod', 'client', '-o', 'jsonpath={.status.phase} {.status.podIP}']),
      (v) => v.startsWith('Running ') && v.length > 9,
      30_000,
    );
    const podIP = pod.split(' ')[1]!;
    const http = await import('node:http');
    const ask = () =>
      new Promise<string>((resolve) => {
        const url = `http://${podIP}:8080/dial?request=hostname&host=by-name&port=80&protocol=http&tries=1`;
        http
          .get(url, { timeout: 8000 }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve(body));
          })
          .on('error', (e) => resolve(`error:${e.message}`));
      });
    const backends = (JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=dns-backend', '-o', 'json'])).items as any[]).map((p) => p.metadata.name);
    let last = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      last = await ask();
      if (/"responses":\["[^"]+"\]/.test(last)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const answered = JSON.parse(last).responses as string[];
    assert.ok(backends.includes(answered[0]!), `dialled ${last}`);
  });

  it('says NXDOMAIN with an SOA for a name that does not exist', () => {
    const out = dig(dns, ['nothing-here.default.svc.cluster.local']);
    assert.match(out, /status: NXDOMAIN/);
    assert.match(out, /AUTHORITY SECTION:\s*\ncluster\.local\.\s+\d+\s+IN\s+SOA/);
  });

  it('keeps answering after a burst of random bytes', async () => {
    const sock = dgram.createSocket('udp4');
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.alloc(1 + Math.floor(Math.random() * 200));
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(Math.random() * 256);
      await new Promise<void>((r) => sock.send(junk, 53, dns, () => r()));
    }
    sock.close();
    assert.equal(dig(dns, ['+short', 'kubernetes.default.svc.cluster.local']).trim(), `${c.plan.servicePrefix}0.1`);
  });
});
