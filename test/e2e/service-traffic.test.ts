// Services carrying real traffic through the userspace kube-proxy: multi-port, named targetPort,
// the API server's services and pods proxy, kubectl top, UDP, NodePort, LoadBalancer (IP from the pool, and a requested IP outside it left pending with an
// event), ClientIP session affinity.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startCluster, kubectl, kubectlOk, httpGet, until, type Cluster } from './harness.js';

function udpAsk(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve('error:timeout');
    }, 2000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString().trim());
    });
    s.send('hostname', port, host);
  });
}

// Two containers per pod, as the seed's multi-port Service expects: 9376 (http) and 9377 (https),
// plus a UDP serve-hostname on 9378. Ports are named so Services can target them by name.
const backends = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: multi
spec:
  replicas: 2
  selector:
    matchLabels:
      app: MyApp
  template:
    metadata:
      labels:
        app: MyApp
    spec:
      containers:
      - name: http
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname", "--port", "9376"]
        ports:
        - name: web
          containerPort: 9376
      - name: https
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname", "--port", "9377"]
        ports:
        - containerPort: 9377
      - name: udp
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname", "--udp", "--http=false", "--port", "9378"]
        ports:
        - containerPort: 9378
          protocol: UDP
`;

describe('Service traffic through the userspace proxy', () => {
  let c: Cluster;
  let names: string[] = [];
  const svcIP = (name: string) => JSON.parse(kubectlOk(c, ['get', 'svc', name, '-o', 'json'])).spec.clusterIP as string;
  before(async () => {
    c = await startCluster();
    kubectlOk(c, ['apply', '-f', '-'], backends);
    const pods = await until(
      '2 running pods',
      () => JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=MyApp', '-o', 'json'])).items as any[],
      (p) => p.length === 2 && p.every((x) => (x.status?.containerStatuses ?? []).filter((s: any) => s.ready).length === 3),
      30_000,
    );
    names = pods.map((p) => p.metadata.name).sort();
  });
  after(async () => {
    await c?.destroy();
  });

  it('answers the seed multi-port Service on both ports', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: my-multi-service
spec:
  selector:
    app: MyApp
  ports:
    - name: http
      protocol: TCP
      port: 80
      targetPort: 9376
    - name: https
      protocol: TCP
      port: 443
      targetPort: 9377
`);
    const ip = svcIP('my-multi-service');
    assert.ok(names.includes(await until('port 80', () => httpGet(ip, 80), (a) => names.includes(a))));
    assert.ok(names.includes(await until('port 443', () => httpGet(ip, 443), (a) => names.includes(a))));
  });

  it('resolves a named targetPort per pod', async () => {
    kubectlOk(c, ['expose', 'deployment', 'multi', '--name=named', '--port=8080', '--target-port=web']);
    const ip = svcIP('named');
    const eps = await until(
      'endpoints',
      () => kubectl(c, ['get', 'endpoints', 'named', '-o', 'jsonpath={.subsets[*].ports[*].port}']).stdout,
      (v) => v === '9376',
    );
    assert.equal(eps, '9376');
    assert.ok(names.includes(await until('traffic', () => httpGet(ip, 8080), (a) => names.includes(a))));
  });

  it('answers through the API server: services/<name>:<port>/proxy and pods/<name>/proxy', () => {
    // As `kubectl proxy` users reach a Service: the API server sends the request to one endpoint.
    const byNumber = kubectlOk(c, ['get', '--raw', '/api/v1/namespaces/default/services/my-multi-service:80/proxy/']).trim();
    assert.ok(names.includes(byNumber), byNumber);
    const byName = kubectlOk(c, ['get', '--raw', '/api/v1/namespaces/default/services/http:my-multi-service:https/proxy/any/path?x=1']).trim();
    assert.ok(names.includes(byName), byName);
    // A pod named without a port: its first declared one (9376).
    assert.equal(kubectlOk(c, ['get', '--raw', `/api/v1/namespaces/default/pods/${names[0]}/proxy/`]).trim(), names[0]);
    const none = kubectl(c, ['get', '--raw', '/api/v1/namespaces/default/services/my-multi-service:8443/proxy/']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no service port 8443 found for service "my-multi-service"/);
  });

  it('kubectl top shows each pod\'s containers and the node (metrics.k8s.io), and refuses what metrics-server refuses', () => {
    const pods = kubectlOk(c, ['top', 'pod', '-l', 'app=MyApp', '--containers', '--no-headers']).trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.equal(pods.length, 6, pods.join('\n'));
    for (const [pod, container, cpu, memory] of pods) {
      assert.ok(names.includes(pod!), pod);
      assert.ok(['http', 'https', 'udp'].includes(container!), container);
      assert.match(cpu!, /^\d+m$/);
      // An agnhost container is a Node process: tens of MiB, not bytes and not GiB.
      assert.match(memory!, /^\d+Mi$/);
      assert.ok(Number(memory!.slice(0, -2)) >= 5 && Number(memory!.slice(0, -2)) < 1024, memory);
    }
    const node = kubectlOk(c, ['top', 'node', '--no-headers']).trim().split(/\s+/);
    const [name, cores, cpuPct, , memPct] = node;
    assert.equal(name, kubectlOk(c, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']));
    // The whole machine's CPU, in millicores: never more than its cores.
    assert.ok(Number(cores!.slice(0, -1)) <= Number(kubectlOk(c, ['get', 'node', name!, '-o', 'jsonpath={.status.capacity.cpu}'])) * 1100, `${cores}`);
    assert.match(cpuPct!, /^\d+%$/);
    assert.match(memPct!, /^\d+%$/);
    const one = JSON.parse(kubectlOk(c, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${names[0]}`]));
    assert.equal(one.kind, 'PodMetrics');
    assert.match(one.window, /^\d+(\.\d+)?m?s$/);
    assert.deepEqual(one.containers.map((x: any) => x.name).sort(), ['http', 'https', 'udp']);
    const errors: [string[], RegExp][] = [
      [['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope'], /podmetrics.metrics.k8s.io "default\/nope" not found/],
      [['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/nope'], /nodemetrics.metrics.k8s.io "nope" not found/],
      [['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%20in%20(b'], /BadRequest|unable to parse requirement|found/],
      [['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?watch=1'], /MethodNotAllowed|not supported/],
      [['delete', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/x'], /MethodNotAllowed|not supported/],
      [['create', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', '-f', '-'], /MethodNotAllowed|not supported/],
    ];
    for (const [args, want] of errors) {
      const r = kubectl(c, args, '{"apiVersion":"metrics.k8s.io/v1beta1","kind":"PodMetrics","metadata":{"name":"x"}}');
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, want, args.join(' '));
    }
    // A label selector picks pods by their own labels.
    assert.equal(kubectl(c, ['top', 'pod', '-l', 'app=nothing']).stderr.trim(), 'No resources found in default namespace.');
  });

  it('lets the view role run kubectl top (metrics-server\'s aggregated reader role), and nobody else', async () => {
    kubectlOk(c, ['create', 'serviceaccount', 'viewer']);
    kubectlOk(c, ['create', 'rolebinding', 'viewer', '--clusterrole=view', '--serviceaccount=default:viewer']);
    const as = ['--as=system:serviceaccount:default:viewer'];
    const out = await until('kubectl top as a viewer', () => kubectl(c, ['top', 'pod', '-l', 'app=MyApp', '--no-headers', ...as]), (r) => r.code === 0, 10_000);
    assert.equal(out.stdout.trim().split('\n').length, 2, out.stdout);
    const denied = kubectl(c, ['top', 'pod', '--as=system:serviceaccount:default:nobody']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /forbidden: User "system:serviceaccount:default:nobody" cannot list resource "pods" in API group "metrics.k8s.io"/);
  });

  it('carries UDP', async () => {
    kubectlOk(c, ['expose', 'deployment', 'multi', '--name=udp', '--port=9999', '--target-port=9378', '--protocol=UDP']);
    const ip = svcIP('udp');
    const answer = await until('a UDP answer', () => udpAsk(ip, 9999), (a) => names.includes(a));
    assert.ok(names.includes(answer));
  });

  it('answers a NodePort on the node IP', async () => {
    // A node port of this cluster's own, so clusters of other test files running now do not collide.
    const nodePort = 30100 + (Number(c.plan.servicePrefix.split('.')[1]) % 1000);
    kubectlOk(c, ['expose', 'deployment', 'multi', '--name=np', '--type=NodePort', '--port=3000', '--target-port=9376']);
    kubectlOk(c, ['patch', 'svc', 'np', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/ports/0/nodePort', value: nodePort }])]);
    assert.ok(names.includes(await until('the node port', () => httpGet('127.0.0.1', nodePort), (a) => names.includes(a))));
  });

  it('gives a LoadBalancer an IP from the pool that answers, as does its nodePort', async () => {
    kubectlOk(c, ['expose', 'deployment', 'multi', '--name=lb', '--type=LoadBalancer', '--port=80', '--target-port=9376']);
    const svc = await until(
      'an ingress IP',
      () => JSON.parse(kubectlOk(c, ['get', 'svc', 'lb', '-o', 'json'])),
      (s) => !!s.status?.loadBalancer?.ingress?.[0]?.ip,
    );
    const lbIP = svc.status.loadBalancer.ingress[0].ip as string;
    assert.ok(lbIP.startsWith(c.plan.lbPrefix), lbIP);
    assert.ok(names.includes(await until('the LB IP', () => httpGet(lbIP, 80), (a) => names.includes(a))));
    assert.ok(names.includes(await until('its node port', () => httpGet('127.0.0.1', svc.spec.ports[0].nodePort), (a) => names.includes(a))));
  });

  it('leaves a LoadBalancer asking for an IP outside the pool pending, with a Warning event', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: outside
spec:
  type: LoadBalancer
  loadBalancerIP: 10.9.9.9
  selector:
    app: MyApp
  ports:
  - port: 80
    targetPort: 9376
`);
    const events = await until(
      'a Warning event',
      () => JSON.parse(kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=outside', '-o', 'json'])).items as any[],
      (e) => e.some((x) => x.type === 'Warning'),
    );
    const warning = events.find((e) => e.type === 'Warning');
    assert.match(warning.message, /10\.9\.9\.9/);
    assert.equal(JSON.parse(kubectlOk(c, ['get', 'svc', 'outside', '-o', 'json'])).status.loadBalancer.ingress, undefined);
    assert.match(kubectlOk(c, ['get', 'svc', 'outside']), /<pending>/);
    assert.match(kubectlOk(c, ['describe', 'svc', 'outside']), /Warning/);
  });

  it('keeps a client on one pod with ClientIP session affinity', async () => {
    kubectlOk(c, ['expose', 'deployment', 'multi', '--name=sticky', '--port=80', '--target-port=9376', '--session-affinity=ClientIP']);
    const ip = svcIP('sticky');
    const first = await until('traffic', () => httpGet(ip, 80), (a) => names.includes(a));
    for (let i = 0; i < 15; i++) assert.equal(await httpGet(ip, 80), first);
  });
});
