// The seed's Service examples, driven through kubectl 1.32 against `kubesvc up`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, kubectlOk, root, until, type Cluster } from './harness.js';

const fixture = (name: string) => readFileSync(join(root, 'test', 'e2e', 'fixtures', name), 'utf8');

function getJSON(c: Cluster, args: string[]): any {
  return JSON.parse(kubectlOk(c, [...args, '-o', 'json']));
}

describe('Services through kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('answers kubectl version with Kubernetes 1.32', () => {
    const v = JSON.parse(kubectlOk(c, ['version', '-o', 'json']));
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
  });

  it('has the system namespaces and the kubernetes Service', () => {
    const ns = kubectlOk(c, ['get', 'ns', '-o', 'name']).trim().split('\n').sort();
    assert.deepEqual(ns, ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    const svc = getJSON(c, ['get', 'svc', 'kubernetes']);
    assert.equal(svc.spec.clusterIP, `${c.plan.servicePrefix}0.1`);
    assert.equal(svc.spec.ports[0].port, 443);
  });

  it('creates the seed my-service, defaults targetPort and protocol, allocates a ClusterIP', () => {
    const out = kubectlOk(c, ['apply', '-f', '-'], fixture('my-service.yaml'));
    assert.match(out, /service\/my-service created/);
    const svc = getJSON(c, ['get', 'svc', 'my-service']);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.ports[0].targetPort, 9376);
    assert.equal(svc.spec.ports[0].protocol, 'TCP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.ok(svc.spec.clusterIP.startsWith(c.plan.servicePrefix), svc.spec.clusterIP);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.ok(svc.metadata.uid);
    assert.ok(svc.metadata.creationTimestamp);
  });

  it('re-applies unchanged, then configured after a change', () => {
    assert.match(kubectlOk(c, ['apply', '-f', '-'], fixture('my-service.yaml')), /service\/my-service unchanged/);
    const changed = fixture('my-service.yaml').replace('targetPort: 9376', 'targetPort: 9377');
    assert.match(kubectlOk(c, ['apply', '-f', '-'], changed), /service\/my-service configured/);
    const svc = getJSON(c, ['get', 'svc', 'my-service']);
    assert.equal(svc.spec.ports[0].targetPort, 9377);
    kubectlOk(c, ['apply', '-f', '-'], fixture('my-service.yaml'));
  });

  it('prints upstream columns in kubectl get svc', () => {
    const out = kubectlOk(c, ['get', 'svc', 'my-service']);
    const [header, row] = out.trim().split('\n');
    assert.match(header!, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    assert.match(row!, /^my-service\s+ClusterIP\s+127\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/);
    const wide = kubectlOk(c, ['get', 'svc', 'my-service', '-o', 'wide']);
    assert.match(wide, /SELECTOR/);
    assert.match(wide, /app=MyApp/);
  });

  it('creates the multi-port Service and requires port names', () => {
    assert.match(kubectlOk(c, ['apply', '-f', '-'], fixture('multi-port.yaml')), /created/);
    const out = kubectlOk(c, ['get', 'svc', 'my-multi-service']);
    assert.match(out, /80\/TCP,443\/TCP/);
    const unnamed = fixture('multi-port.yaml').replace('my-multi-service', 'unnamed').replace(/ {6}- name: https\n/, '      -\n').replace(/- name: http\n/, '-\n');
    const r = kubectl(c, ['apply', '-f', '-'], unnamed);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.ports\[0\]\.name: Required value/);
  });

  it('accepts the port names 123-abc and web, rejects 123_abc and -web', () => {
    const svc = (name: string, port: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name },
        spec: { selector: { app: 'x' }, ports: [{ name: port, port: 80 }, { name: 'other', port: 81 }] },
      });
    assert.equal(kubectl(c, ['create', '-f', '-'], svc('names-a', '123-abc')).code, 0);
    assert.equal(kubectl(c, ['create', '-f', '-'], svc('names-b', 'web')).code, 0);
    const bad1 = kubectl(c, ['create', '-f', '-'], svc('names-c', '123_abc'));
    assert.notEqual(bad1.code, 0);
    assert.match(bad1.stderr, /spec\.ports\[0\]\.name: Invalid value: "123_abc"/);
    const bad2 = kubectl(c, ['create', '-f', '-'], svc('names-d', '-web'));
    assert.notEqual(bad2.code, 0);
    assert.match(bad2.stderr, /spec\.ports\[0\]\.name: Invalid value: "-web"/);
    assert.equal(kubectl(c, ['get', 'svc', 'names-c']).code, 1, 'an invalid Service is not stored');
  });

  it('creates the seed NodePort 30080 and refuses a second one on the same port', () => {
    kubectlOk(c, ['apply', '-f', '-'], fixture('nodeport.yaml'));
    const svc = getJSON(c, ['get', 'svc', 'service-web']);
    assert.equal(svc.spec.ports[0].nodePort, 30080);
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
    assert.match(kubectlOk(c, ['get', 'svc', 'service-web']), /3000:30080\/TCP/);
    const dup = kubectl(c, ['apply', '-f', '-'], fixture('nodeport.yaml').replace('name: service-web', 'name: service-web-2'));
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const out = kubectl(c, ['apply', '-f', '-'], fixture('nodeport.yaml').replace('name: service-web', 'name: service-web-3').replace('30080', '80'));
    assert.notEqual(out.code, 0);
    assert.match(
      out.stderr,
      /spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range\. The range of valid ports is 30000-32767/,
    );
  });

  it('creates a LoadBalancer Service with a nodePort and an external IP from the pool', async () => {
    kubectlOk(c, ['apply', '-f', '-'], fixture('loadbalancer.yaml'));
    const svc = getJSON(c, ['get', 'svc', 'my-lb-service']);
    assert.equal(svc.spec.type, 'LoadBalancer');
    assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767);
    assert.equal(svc.spec.allocateLoadBalancerNodePorts, true);
    const deadline = Date.now() + 10_000;
    let ingress: any[] = [];
    while (Date.now() < deadline) {
      ingress = getJSON(c, ['get', 'svc', 'my-lb-service']).status.loadBalancer.ingress ?? [];
      if (ingress.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ingress.length, 1);
    assert.ok(ingress[0].ip.startsWith(c.plan.lbPrefix), ingress[0].ip);
    assert.equal(ingress[0].ipMode, 'VIP');
    assert.match(kubectlOk(c, ['get', 'svc', 'my-lb-service']), new RegExp(`LoadBalancer\\s+\\S+\\s+${ingress[0].ip.replace(/\./g, '\\.')}\\s+80:\\d+/TCP`));
  });

  it('creates the seed ExternalName Service in namespace prod, without a ClusterIP', () => {
    kubectlOk(c, ['create', 'namespace', 'prod']);
    kubectlOk(c, ['apply', '-f', '-'], fixture('externalname.yaml'));
    const svc = getJSON(c, ['get', 'svc', 'my-service', '-n', 'prod']);
    assert.equal(svc.spec.externalName, 'my.database.example.com');
    assert.equal(svc.spec.clusterIP, undefined);
    assert.match(kubectlOk(c, ['get', 'svc', '-n', 'prod']), /my-service\s+ExternalName\s+<none>\s+my\.database\.example\.com/);
  });

  it('patches three ways: strategic, merge and JSON patch', () => {
    kubectlOk(c, ['patch', 'svc', 'my-service', '-p', '{"metadata":{"labels":{"tier":"backend"}}}']);
    kubectlOk(c, ['patch', 'svc', 'my-service', '--type=merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    kubectlOk(c, ['patch', 'svc', 'my-service', '--type=json', '-p', '[{"op":"add","path":"/metadata/annotations","value":{"owner":"team-a"}}]']);
    // A strategic patch merges Service ports by port number rather than replacing the list.
    kubectlOk(c, ['patch', 'svc', 'my-multi-service', '-p', '{"spec":{"ports":[{"port":443,"targetPort":8443}]}}']);
    const svc = getJSON(c, ['get', 'svc', 'my-service']);
    assert.equal(svc.metadata.labels.tier, 'backend');
    assert.equal(svc.spec.sessionAffinity, 'ClientIP');
    assert.equal(svc.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
    assert.equal(svc.metadata.annotations.owner, 'team-a');
    const multi = getJSON(c, ['get', 'svc', 'my-multi-service']);
    assert.equal(multi.spec.ports.length, 2);
    assert.equal(multi.spec.ports.find((p: any) => p.port === 443).targetPort, 8443);
    assert.equal(multi.spec.ports.find((p: any) => p.port === 80).targetPort, 9376);
  });

  it('keeps the ClusterIP immutable', () => {
    const ip = `${c.plan.servicePrefix}0.77`;
    const r = kubectl(c, ['patch', 'svc', 'my-service', '--type=merge', '-p', JSON.stringify({ spec: { clusterIP: ip, clusterIPs: [ip] } })]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`spec\\.clusterIPs?\\[0\\]: Invalid value: .*${ip.replace(/\./g, '\\.')}.*(immutable|may not change)`));
  });

  it('describes a Service', () => {
    const out = kubectlOk(c, ['describe', 'svc', 'my-service']);
    assert.match(out, /Name:\s+my-service/);
    assert.match(out, /Selector:\s+app=MyApp/);
    assert.match(out, /Type:\s+ClusterIP/);
    assert.match(out, /TargetPort:\s+9376\/TCP/);
  });

  it('lists across namespaces with label and field selectors', () => {
    const all = kubectlOk(c, ['get', 'svc', '-A', '-o', 'name']);
    assert.match(all, /service\/my-service/);
    assert.equal(kubectlOk(c, ['get', 'svc', '-l', 'tier=backend', '-o', 'name']).trim(), 'service/my-service');
    const byField = kubectlOk(c, ['get', 'svc', '-A', '--field-selector', 'spec.type=ExternalName', '-o', 'name']).trim();
    assert.equal(byField, 'service/my-service');
    const r = kubectl(c, ['get', 'svc', '-l', 'tier in (']);
    assert.notEqual(r.code, 0);
  });

  it('labels a headless Service\'s EndpointSlices and Endpoints service.kubernetes.io/headless (what kube-proxy filters on), and no other Service\'s', async () => {
    const manifest = (name: string, clusterIP: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  clusterIP: ${clusterIP}\n  selector:\n    app: ${name}\n  ports:\n  - port: 80\n`;
    kubectlOk(c, ['apply', '-f', '-'], manifest('hl-svc', 'None'));
    kubectlOk(c, ['apply', '-f', '-'], manifest('cip-svc', '""'));
    const headlessSlices = () => getJSON(c, ['get', 'endpointslices', '-l', 'service.kubernetes.io/headless']).items.map((s: any) => s.metadata.labels['kubernetes.io/service-name']);
    const deadline = Date.now() + 10_000;
    while (!headlessSlices().includes('hl-svc') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const names = headlessSlices();
    assert.ok(names.includes('hl-svc'), `headless slices: ${names.join(', ')}`);
    assert.ok(!names.includes('cip-svc'), 'a ClusterIP Service\'s slice is not labelled headless');
    const cipSlices = getJSON(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=cip-svc']).items;
    assert.ok(cipSlices.length >= 1, 'the ClusterIP Service has its slice');
    let ep: any;
    while (Date.now() < deadline) {
      const r = kubectl(c, ['get', 'endpoints', 'hl-svc', '-o', 'json']);
      if (r.code === 0) {
        ep = JSON.parse(r.stdout);
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(ep?.metadata?.labels?.['service.kubernetes.io/headless'], '', 'the Endpoints controller labels it too');
    kubectlOk(c, ['delete', 'svc', 'hl-svc', 'cip-svc']);
  });

  it('deletes a Service and frees its NodePort', () => {
    assert.match(kubectlOk(c, ['delete', 'svc', 'service-web']), /service "service-web" deleted/);
    assert.equal(kubectl(c, ['get', 'svc', 'service-web']).code, 1);
    kubectlOk(c, ['apply', '-f', '-'], fixture('nodeport.yaml').replace('name: service-web', 'name: service-web-again'));
    assert.equal(getJSON(c, ['get', 'svc', 'service-web-again']).spec.ports[0].nodePort, 30080);
  });

  it('deletes a namespace with what it holds', async () => {
    kubectlOk(c, ['create', 'namespace', 'doomed']);
    kubectlOk(c, ['create', 'service', 'clusterip', 'inside', '--tcp=80:8080', '-n', 'doomed']);
    kubectlOk(c, ['delete', 'namespace', 'doomed', '--wait=true', '--timeout=20s']);
    assert.equal(kubectl(c, ['get', 'namespace', 'doomed']).code, 1);
    assert.equal(kubectl(c, ['get', 'svc', 'inside', '-n', 'doomed']).code, 1);
  });
});

describe('kubectl get -w', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('prints a row for each change as it happens', async () => {
    const { spawn } = await import('node:child_process');
    const { kubectlBin } = await import('./harness.js');
    const w = spawn(kubectlBin, ['get', 'svc', '-w'], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    w.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const waitFor = async (re: RegExp) => {
        const deadline = Date.now() + 10_000;
        while (!re.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.match(out, re);
      };
      await waitFor(/kubernetes\s+ClusterIP/);
      kubectlOk(c, ['apply', '-f', '-'], fixture('my-service.yaml'));
      await waitFor(/my-service\s+ClusterIP\s+127\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP/);
      kubectlOk(c, ['patch', 'svc', 'my-service', '--type=merge', '-p', '{"spec":{"ports":[{"port":8080,"targetPort":9376}]}}']);
      await waitFor(/my-service\s+ClusterIP\s+\S+\s+<none>\s+8080\/TCP/);
      assert.match(out.split('\n')[0]!, /^NAME\s+TYPE\s+CLUSTER-IP/);
    } finally {
      w.kill();
    }
  });
});

describe('kube-proxy reports a Service port it cannot serve', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('two Services on one external IP and port: the second gets a PortConflict Warning event naming the first', async () => {
    // Selectorless, with an EndpointSlice each: a Service port without endpoints gets no listener at all.
    const svc = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  externalIPs: [127.233.9.9]
  ports: [{name: web, port: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: web, port: 8080, protocol: TCP}]
endpoints: [{addresses: [127.233.9.10]}]
`;
    kubectlOk(c, ['apply', '-f', '-'], svc('alpha'));
    kubectlOk(c, ['apply', '-f', '-'], svc('beta'));
    const events = await until(
      'the PortConflict event',
      () => JSON.parse(kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=beta', '-o', 'json'])).items as any[],
      (items) => items.some((e) => e.reason === 'PortConflict'),
      10_000,
    );
    const e = events.find((x) => x.reason === 'PortConflict');
    assert.equal(e.type, 'Warning');
    assert.equal(e.involvedObject.kind, 'Service');
    assert.equal(e.source.component, 'kube-proxy');
    assert.match(e.message, /^TCP 127\.233\.9\.9:8080 is already served for default\/alpha:web; port web of this Service gets no listener there on node /);
    assert.equal(JSON.parse(kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=alpha', '-o', 'json'])).items.filter((x: any) => x.reason === 'PortConflict').length, 0);
  });
});
