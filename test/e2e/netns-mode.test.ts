// `kubesvc up --network netns --nodes 2` as root, once with the iptables proxy and once with
// nftables: pods are processes in network namespaces on two nodes, and every Service path is
// carried by the kernel rules kube-proxy writes in each node. kubesvc itself runs inside a
// namespace this test creates (its "host"), so the kubesvc0 bridge, the host routes and
// everything else land there and never on the machine's own interfaces; the test checks the
// machine's links, routes, rules and namespaces are the same afterwards.
import { app, gatewayAndRoute, hostPathCases, ingress, makeTLSSecret, tlsIngress } from './ingress-fixtures.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { kubectl, kubectlOk, kubesvcBin, startCluster, until, type Cluster } from './harness.js';
import { curl, inNs, lines, netnsSkipReason, run } from './netns-tools.js';
import { manifest, netexecDeployment, netexecPod, netexecService } from './netexec.js';

const skip = netnsSkipReason();

/** One UDP datagram from inside ns (from srcPort when given): the reply, or `error:<reason>`. */
const udpScript = `
const dgram = require('node:dgram');
const [host, port, srcPort, msg] = process.argv.slice(1);
const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const done = (t) => { process.stdout.write(t); s.close(); };
const timer = setTimeout(() => done('error:timeout'), 1500);
s.on('error', (e) => { clearTimeout(timer); done('error:' + e.code); });
s.on('message', (m) => { clearTimeout(timer); done(m.toString()); });
s.bind(Number(srcPort) || 0, () => s.send(msg, Number(port), host));
`;
function udp(ns: string, host: string, port: number, message: string, srcPort = 0): string {
  return inNs(ns, [process.execPath, '-e', udpScript, host, String(port), String(srcPort), message]).stdout;
}

/**
 * What must be the same on the machine before and after: its rules, and any link, route or
 * namespace that netns mode could have made there (other tests add links of their own meanwhile).
 */
function machineSnapshot(prefix: string): Record<string, string[]> {
  const mine = /kubesvc0|\bks[n0-9]|10\.244\.|10\.96\.|172\.30\.[01]\./;
  return {
    links: lines(run(['ip', '-o', 'link', 'show']).stdout).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]!).filter((l) => mine.test(l)),
    routes: lines(run(['ip', 'route', 'show']).stdout).filter((l) => mine.test(l)),
    iptables: lines(run(['iptables-save']).stdout).filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')),
    nft: lines(run(['nft', 'list', 'ruleset']).stdout),
    // The test's own "host" namespace lives until after(); kubesvc's are `<prefix>-node-*` and `<prefix>-pod-*`.
    ours: lines(run(['ip', 'netns', 'list']).stdout).filter((l) => l.startsWith(`${prefix}-node-`) || l.startsWith(`${prefix}-pod-`)),
  };
}

const workloads = manifest(
  netexecDeployment('web', 4),
  netexecService('web', { udp: true, spec: { type: 'LoadBalancer' } }),
  netexecService('sticky', { selects: 'web', spec: { sessionAffinity: 'ClientIP' } }),
  netexecService('nothing', { selects: 'nobody' }),
);

/** A netexec pod on a node, and a Service (http 80, udp 81) for it alone. */
const single = (name: string, node: string) => manifest(netexecPod(name, node), netexecService(name, { udp: true }));

for (const mode of ['iptables', 'nftables'] as const) {
  describe(`netns mode, ${mode} proxy, 2 nodes`, { skip, timeout: 240_000 }, () => {
    const id = `kst${(process.pid % 900) + 100}${mode === 'iptables' ? 'i' : 'n'}`;
    const hostNs = `${id}-host`;
    const node1 = `${id}-node-1`;
    const node2 = `${id}-node-2`;
    let c: Cluster;
    let before0: Record<string, string[]>;
    const get = (args: string[]) => JSON.parse(kubectlOk(c, ['get', ...args, '-o', 'json']));
    const svc = (name: string) => get(['service', name]);
    const readyPods = (app: string) =>
      get(['pods', '-l', `app=${app}`]).items.filter(
        (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'),
      );

    before(async () => {
      before0 = machineSnapshot(id);
      run(['ip', 'netns', 'del', hostNs]);
      assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
      assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
      c = await startCluster({
        netns: hostNs,
        timeoutMs: 30_000,
        args: ['--network', 'netns', '--nodes', '2', '--proxy-mode', mode, '--netns-prefix', id],
      });
      kubectlOk(c, ['apply', '-f', '-'], workloads);
      await until('4 ready web pods', () => readyPods('web').length, (n) => n === 4, 60_000);
    });

    after(async () => {
      await c?.destroy();
      // Whatever a failed run left: by exact name only.
      for (const ns of lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!)) {
        if (ns === hostNs || ns.startsWith(`${id}-node-`) || ns.startsWith(`${id}-pod-`)) run(['ip', 'netns', 'del', ns]);
      }
    });

    it('runs two Ready nodes with pods on both, each pod in its own namespace with its node\'s pod CIDR', () => {
      const nodes = get(['nodes']).items;
      assert.deepEqual(nodes.map((n: any) => n.metadata.name).sort(), [node1, node2]);
      for (const n of nodes) assert.ok(n.status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'));
      const pods = readyPods('web');
      const ips: string[] = pods.map((p: any) => p.status.podIP as string);
      assert.ok(ips.some((ip) => ip.startsWith('10.244.1.')) && ips.some((ip) => ip.startsWith('10.244.2.')), `pod IPs ${ips}`);
      for (const p of pods) {
        const want = p.spec.nodeName === node1 ? '10.244.1.' : '10.244.2.';
        assert.ok(p.status.podIP.startsWith(want), `${p.metadata.name} on ${p.spec.nodeName} has ${p.status.podIP}`);
      }
      const namespaces = lines(run(['ip', 'netns', 'list']).stdout).filter((l) => l.startsWith(`${id}-pod-`));
      assert.ok(namespaces.length >= 4, `pod namespaces: ${namespaces}`);
      // Pods bind the wildcard inside their own namespace, as in real Kubernetes.
      // A web pod's namespace (the ingress controller's pod has one too): named after its UID.
      const podNs = `${id}-pod-${String(pods[0].metadata.uid).replace(/-/g, '')}`;
      assert.ok(namespaces.some((n) => n.split(/\s+/)[0] === podNs), `${podNs} in ${namespaces}`);
      assert.match(inNs(podNs, ['cat', '/proc/net/tcp']).stdout, /00000000:1F90 00000000:0000 0A/);
    });

    it(`programs ${mode} rules inside each node and nothing on the host namespace`, () => {
      const clusterIP = svc('web').spec.clusterIP;
      for (const n of [node1, node2]) {
        const rules = mode === 'iptables' ? inNs(n, ['iptables-save', '-t', 'nat']).stdout : inNs(n, ['nft', 'list', 'table', 'ip', 'kube-proxy']).stdout;
        assert.ok(rules.includes(clusterIP), `${n} has no rule for ${clusterIP}`);
        if (mode === 'iptables') assert.match(rules, /-A KUBE-SERVICES -d [\d.]+\/32 -p tcp -m comment --comment "default\/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-/);
        else assert.match(rules, /chain service-[A-Z0-9]{8}-default\/web\/tcp\/http \{/);
      }
      assert.doesNotMatch(inNs(hostNs, ['iptables-save']).stdout, /KUBE-SERVICES/);
    });

    it('carries ClusterIP traffic from both nodes to pods on both nodes', async () => {
      const ip = svc('web').spec.clusterIP;
      const names = new Set(readyPods('web').map((p: any) => p.metadata.name));
      const sent = new Map<string, number>();
      for (const n of [node1, node2]) {
        const seen = new Set<string>();
        for (let i = 0; i < 40 && seen.size < names.size; i++) {
          seen.add(curl(n, `http://${ip}/hostname`));
          sent.set(n, (sent.get(n) ?? 0) + 1);
        }
        assert.deepEqual([...seen].sort(), [...names].sort(), `from ${n}`);
      }
      // The live view's traffic figures: each node's proxy counted, from its conntrack table, the
      // connections it sent to the Service's pods (through kubelet → API server, as the page reads them).
      const podIPs = new Set(readyPods('web').map((p: any) => `${p.status.podIP}:8080`));
      await until('each node counted its connections', () => JSON.parse(kubectlOk(c, ['get', '--raw', '/ui/api/traffic'])), (t: any) => {
        if (t.nodes.some((x: any) => x.error)) return false;
        const web = t.endpoints.filter((e: any) => e.service === 'web' && e.port === 'http');
        return web.every((e: any) => podIPs.has(e.endpoint)) && [node1, node2].every((n) => web.filter((e: any) => e.node === n).reduce((a: number, e: any) => a + e.connections, 0) >= sent.get(n)!);
      }, 10_000);
    });

    it('reaches pods on both nodes from the API server: services/web:http/proxy, pods/<name>:8080/proxy and kubectl top', () => {
      const pods = readyPods('web');
      const names = new Set(pods.map((p: any) => p.metadata.name as string));
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < names.size; i++) seen.add(kubectlOk(c, ['get', '--raw', '/api/v1/namespaces/default/services/web:http/proxy/hostname']).trim());
      assert.deepEqual([...seen].sort(), [...names].sort());
      for (const p of pods) {
        assert.equal(kubectlOk(c, ['get', '--raw', `/api/v1/namespaces/default/pods/${p.metadata.name}:8080/proxy/hostname`]).trim(), p.metadata.name, `on ${p.spec.nodeName}`);
      }
      // kubectl top: every node's kubelet read, each pod in its own namespace counted.
      assert.deepEqual(kubectlOk(c, ['top', 'node', '--no-headers']).trim().split('\n').map((l) => l.split(/\s+/)[0]).sort(), [node1, node2]);
      assert.deepEqual(kubectlOk(c, ['top', 'pod', '-l', 'app=web', '--no-headers']).trim().split('\n').map((l) => l.split(/\s+/)[0]).sort(), [...names].sort());
    });

    it('answers on a NodePort of each node and on the LoadBalancer IP, from the host side of the bridge', async () => {
      const s = await until('an LB IP', () => svc('web'), (x) => !!x.status?.loadBalancer?.ingress?.[0]?.ip);
      const nodePort = s.spec.ports.find((p: any) => p.name === 'http').nodePort;
      const names = new Set(readyPods('web').map((p: any) => p.metadata.name as string));
      for (const nodeIP of ['172.30.0.11', '172.30.0.12']) assert.ok(names.has(curl(hostNs, `http://${nodeIP}:${nodePort}/hostname`)), nodeIP);
      const lb = s.status.loadBalancer.ingress[0].ip;
      assert.match(lb, /^172\.30\.1\./);
      assert.ok(names.has(curl(hostNs, `http://${lb}/hostname`)));
      // The host reaches ClusterIPs too, through the first node (as `minikube tunnel` offers).
      assert.ok(names.has(curl(hostNs, `http://${s.spec.clusterIP}/hostname`)));
      // A NodePort on the node's own loopback (route_localnet / localhost NodePorts).
      if (mode === 'iptables') assert.ok(names.has(curl(node1, `http://127.0.0.1:${nodePort}/hostname`)));
    });

    it('routes an Ingress through the ingress controller pod (in its own namespace) to pods on both nodes', async () => {
      kubectlOk(c, ['create', 'ingress', 'web', '--rule=web.example/*=web:80']);
      const ingressSvc = await until('the ingress controller\'s LB IP', () => get(['service', '-n', 'kube-system', 'kubesvc-ingress']), (x) => !!x.status?.loadBalancer?.ingress?.[0]?.ip, 30_000);
      const lb = ingressSvc.status.loadBalancer.ingress[0].ip as string;
      const names = new Set(readyPods('web').map((p: any) => p.metadata.name as string));
      const viaIngress = (host: string) => {
        const r = inNs(hostNs, ['curl', '-sS', '--max-time', '2', '-H', `Host: ${host}`, `http://${lb}/hostname`]);
        return r.code === 0 ? r.stdout : `error:${r.code}`;
      };
      const seen = new Set<string>();
      await until('answers from pods on both nodes through the Ingress', () => {
        seen.add(viaIngress('web.example'));
        return [...seen].filter((n) => names.has(n)).length;
      }, (n) => n >= 2, 30_000);
      assert.equal(viaIngress('other.example'), '404 page not found');
      kubectlOk(c, ['delete', 'ingress', 'web']);
    });

    it('passes the conformance scenarios through the controller pod too: path and host rules, default backend, TLS by SNI', async () => {
      const lb = get(['service', '-n', 'kube-system', 'kubesvc-ingress']).status.loadBalancer.ingress[0].ip as string;
      kubectlOk(c, ['apply', '-f', '-'], app('a') + '---\n' + app('b'));
      kubectlOk(c, ['apply', '-f', '-'], ingress());
      await until('both apps Ready', () => kubectl(c, ['get', 'deployments', 'a', 'b', '-o', 'jsonpath={.items[*].status.readyReplicas}']).stdout, (v) => v === '2 2', 60_000);
      /** "<status> <body>" as the loopback test's client reports it, from curl in the host's namespace. */
      const ask = (path: string, host?: string, extra: string[] = []) => {
        const r = inNs(hostNs, ['curl', '-sS', '--max-time', '3', ...(host ? ['-H', `Host: ${host}`] : []), '-w', '\n%{http_code}', ...extra, `http://${lb}${path}`]);
        if (r.code !== 0) return `error:${r.code}`;
        const nl = r.stdout.lastIndexOf('\n');
        return `${r.stdout.slice(nl + 1)} ${r.stdout.slice(0, nl).trim()}`;
      };
      await until('a route to a', () => ask('/a', 'foo.example'), (r) => /^200 a-/.test(r), 20_000);
      for (const [path, host, want] of hostPathCases) assert.match(ask(path, host), want, `${host} ${path}`);
      // Requests spread over both of a's pods (the load-balancing scenario, on two nodes' pods).
      const seen = new Set<string>();
      for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(ask('/a', 'foo.example'));
      assert.equal(seen.size, 2, [...seen].join(' '));
      // A defaultBackend catches what no rule matches.
      kubectlOk(c, ['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback}
spec:
  defaultBackend: {service: {name: a, port: {number: 80}}}
`);
      await until('the default backend', () => ask('/nothing-matches', 'nowhere.example'), (r) => /^200 a-/.test(r), 10_000);
      // TLS by SNI from a kubernetes.io/tls Secret; the default certificate for other names.
      makeTLSSecret(c, 'secure-tls', 'secure.example');
      kubectlOk(c, ['apply', '-f', '-'], tlsIngress('secure', 'secure.example', 'secure-tls', 'b'));
      const overTLS = (name: string) => {
        const r = inNs(hostNs, ['curl', '-sSv', '-k', '--max-time', '3', '--resolve', `${name}:443:${lb}`, `https://${name}/`]);
        return { cn: /subject: CN=([^\r\n;]+)/.exec(r.stderr)?.[1]?.trim() ?? '', body: r.stdout.trim() };
      };
      const secure = await until("the Secret's certificate for secure.example", () => overTLS('secure.example'), (x) => x.cn === 'secure.example', 10_000);
      assert.match(secure.body, /^b-/);
      assert.equal(overTLS('other.example').cn, 'Kubernetes Ingress Controller Fake Certificate');
      kubectlOk(c, ['delete', 'ingress', 'web', 'fallback', 'secure']);
      kubectlOk(c, ['delete', 'deployment', 'a', 'b']);
    });

    it('routes an HTTPRoute of a Gateway of class kubesvc through the same pod to pods on both nodes', async () => {
      // The Gateway API goes in once `up` is ready: its CRDs may still be on their way.
      const gatewayClass = () => {
        try {
          return get(['gatewayclass', 'kubesvc']);
        } catch {
          return undefined;
        }
      };
      await until('GatewayClass kubesvc Accepted', gatewayClass, (g: any) => g?.status?.conditions?.some((x: any) => x.type === 'Accepted' && x.status === 'True') === true, 30_000);
      kubectlOk(c, ['apply', '-f', '-'], gatewayAndRoute('web', 80, '/hostname'));
      const lb = await until('the Gateway Programmed with an address', () => get(['gateway', 'gw']), (g) => g.status?.conditions?.some((x: any) => x.type === 'Programmed' && x.status === 'True') && !!g.status?.addresses?.[0]?.value, 30_000);
      const addr = lb.status.addresses[0].value as string;
      const names = new Set(readyPods('web').map((p: any) => p.metadata.name as string));
      const seen = new Set<string>();
      await until('answers from pods on both nodes through the HTTPRoute', () => {
        const r = inNs(hostNs, ['curl', '-sS', '--max-time', '2', '-H', 'Host: gw.example', `http://${addr}/hostname`]);
        if (r.code === 0) seen.add(r.stdout);
        return [...seen].filter((n) => names.has(n)).length;
      }, (n) => n >= 2, 30_000);
      const other = inNs(hostNs, ['curl', '-sS', '--max-time', '2', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: gw.example', `http://${addr}/elsewhere`]);
      assert.equal(other.stdout, '404');
      kubectlOk(c, ['delete', 'httproute', 'web']);
      kubectlOk(c, ['delete', 'gateway', 'gw']);
    });

    it('carries UDP to the Service port', () => {
      const ip = svc('web').spec.clusterIP;
      const names = new Set(readyPods('web').map((p: any) => p.metadata.name as string));
      const reply = udp(node1, ip, 81, 'hostname');
      assert.ok(names.has(reply), `UDP reply ${JSON.stringify(reply)}`);
    });

    it('keeps a client on one pod with ClientIP affinity', () => {
      const ip = svc('sticky').spec.clusterIP;
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(curl(node2, `http://${ip}/hostname`));
      assert.equal(seen.size, 1, `answers: ${[...seen]}`);
      assert.ok(!seen.has('') && ![...seen][0]!.startsWith('error'));
    });

    it('lets a pod reach itself through its own Service (hairpin), and resolves Services by name', async () => {
      kubectlOk(c, ['apply', '-f', '-'], single('solo', node1));
      await until('solo ready', () => readyPods('solo').length, (n) => n === 1, 30_000);
      const pod = readyPods('solo')[0];
      const ip = svc('solo').spec.clusterIP;
      // netexec's /dial from inside the pod to its own Service: the reply names the pod itself.
      // Ready a moment ago: its endpoint may still be on its way to the proxies.
      const dialOnce = () => curl(node1, `http://${pod.status.podIP}:8080/dial?request=hostname&host=${ip}&port=80&protocol=http&tries=1`);
      const dialed = await until('the pod through its own Service', dialOnce, (r) => r.includes('"solo"'), 5_000);
      assert.equal(JSON.parse(dialed).responses?.[0], 'solo', dialed);
      const byName = curl(node1, `http://${pod.status.podIP}:8080/dial?request=hostname&host=web.default.svc.cluster.local&port=80&protocol=http&tries=1`);
      assert.ok(JSON.parse(byName).responses?.length === 1, byName);
      // The pod's own resolv.conf points at kube-dns.
      const podNs = `${id}-pod-${pod.metadata.uid.replace(/-/g, '')}`;
      const dig = run(['ip', 'netns', 'exec', podNs, 'dig', '+short', '+time=2', '+tries=1', 'web.default.svc.cluster.local']);
      assert.equal(dig.stdout, svc('web').spec.clusterIP, dig.stderr);
    });

    it('externalTrafficPolicy Local: only the node with a local endpoint answers, the client address is kept, and each node\'s healthCheckNodePort says so', async () => {
      kubectlOk(c, ['apply', '-f', '-'], manifest(netexecService('solo-local', { selects: 'solo', spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' } })));
      const np = svc('solo-local').spec.ports[0].nodePort;
      // solo runs on node 1: its NodePort there reaches it without masquerade, so netexec sees the host's address.
      // Just created: give the endpoints and both proxies a moment.
      const seen = await until('the NodePort on node 1', () => curl(hostNs, `http://172.30.0.11:${np}/clientip`), (r) => /^172\.30\.0\.1:\d+$/.test(r), 5_000);
      assert.match(seen, /^172\.30\.0\.1:\d+$/);
      // Node 2 has no local endpoint: the packet is dropped, not sent across.
      // (Refused, not dropped, only until node 2 has seen the endpoint: then it has endpoints, none local.)
      assert.equal(await until('node 2 to drop', () => curl(hostNs, `http://172.30.0.12:${np}/clientip`), (r) => r === 'error:28', 10_000), 'error:28');
      // The load balancer's health check: each node answers for its own endpoints, on the node's address.
      const hc = svc('solo-local').spec.healthCheckNodePort;
      assert.ok(hc > 0);
      const health = (nodeIP: string) => inNs(hostNs, ['curl', '-s', '-m', '2', '-w', ' %{http_code}', `http://${nodeIP}:${hc}/`]).stdout;
      const h1 = health('172.30.0.11');
      assert.match(h1, /"localEndpoints": 1[\s\S]* 200$/);
      assert.match(h1, /"name": "solo-local"/);
      assert.match(health('172.30.0.12'), /"localEndpoints": 0[\s\S]* 503$/);
    });

    it('fails UDP over to a new pod without a stale conntrack entry, and rejects a Service with no endpoints', async () => {
      kubectlOk(c, ['apply', '-f', '-'], single('lonely', node2));
      await until('lonely ready', () => readyPods('lonely').length, (n) => n === 1, 30_000);
      const ip = svc('lonely').spec.clusterIP;
      const src = 40000 + (process.pid % 1000);
      assert.equal(await until('UDP to lonely', () => udp(node1, ip, 81, 'hostname', src), (r) => r === 'lonely', 5_000), 'lonely');
      kubectlOk(c, ['delete', 'pod', 'lonely', '--wait=true']);
      kubectlOk(c, ['apply', '-f', '-'], manifest(netexecPod('lonely', node1)));
      await until('the new lonely ready', () => readyPods('lonely').length, (n) => n === 1, 30_000);
      // Same source port: a conntrack entry for the old pod would send this to a dead address.
      const reply = await until('UDP from the same port reaches the new pod', () => udp(node1, ip, 81, 'hostname', src), (r) => r === 'lonely', 5_000);
      assert.equal(reply, 'lonely');

      const nothing = svc('nothing').spec.clusterIP;
      const t0 = Date.now();
      const r = curl(node1, `http://${nothing}/`);
      assert.equal(r, 'error:7', 'connection refused');
      assert.ok(Date.now() - t0 < 1500, 'refused at once, not a timeout');
    });

    it('a clean stop removes every namespace, link, route and rule it made', async () => {
      assert.equal(await c.stop(), 0);
      assert.deepEqual(lines(run(['ip', 'netns', 'list']).stdout).filter((l) => l.startsWith(`${id}-node`) || l.startsWith(`${id}-pod`)), []);
      const links = lines(inNs(hostNs, ['ip', '-o', 'link', 'show']).stdout).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]);
      assert.deepEqual(links, ['lo']);
      assert.equal(inNs(hostNs, ['ip', 'route', 'show']).stdout, '');
      assert.deepEqual(machineSnapshot(id), before0);
      assert.ok(!existsSync(`/run/kubesvc/prefix-${id}.layout.json`), 'nothing is left to adopt: the layout record goes too');
    });
  });
}

describe('netns mode after a crash: restart, then kubesvc down', { skip, timeout: 120_000 }, () => {
  const id = `kst${(process.pid % 900) + 100}c`;
  const hostNs = `${id}-host`;
  let c: Cluster | undefined;
  const ours = () => lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!).filter((n) => n.startsWith(`${id}-node-`) || n.startsWith(`${id}-pod-`));
  const start = (dataDir?: string) =>
    startCluster({ netns: hostNs, timeoutMs: 30_000, ...(dataDir ? { dataDir } : {}), args: ['--network', 'netns', '--nodes', '1', '--netns-prefix', id] });

  before(() => {
    run(['ip', 'netns', 'del', hostNs]);
    assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
    assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
  });
  after(async () => {
    await c?.destroy();
    for (const ns of [...ours(), hostNs]) run(['ip', 'netns', 'del', ns]);
  });

  it('resumes the same pods after a SIGKILL, and `down` then removes everything, running pods included', async () => {
    c = await start();
    // A second netns cluster in the same namespace would share kubesvc0 and tear this one down as leftovers.
    const second = inNs(hostNs, [process.execPath, kubesvcBin, 'up', '--network', 'netns', '--netns-prefix', `${id}x`, '--data-dir', `${c.dataDir}/second`, '--api-port', '0']);
    assert.equal(second.code, 2, `exit ${second.code}; stderr: ${second.stderr || '(empty)'}; stdout: ${second.stdout || '(empty)'}`);
    assert.match(second.stderr, new RegExp(`another kubesvc \\(pid \\d+\\) runs --network netns with this network namespace \\(namespaces ${id}-node-\\*\\): stop it first`));
    assert.equal(curl(`${id}-node-1`, 'http://172.30.0.11:1/'), 'error:7', 'the first cluster\'s node is still there');
    // `kubesvc down` will not pull the namespaces out from under a running cluster.
    const early = inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /kubesvc \(pid \d+\) is running with prefix .*or pass --force/);
    assert.ok(ours().length >= 1, 'nothing removed');
    kubectlOk(c, ['apply', '-f', '-'], single('survivor', `${id}-node-1`));
    const ready = () => JSON.parse(kubectlOk(c!, ['get', 'pod', 'survivor', '-o', 'json']));
    const isReady = (p: any) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
    await until('survivor ready', ready, isReady, 30_000);
    const clusterIP = JSON.parse(kubectlOk(c, ['get', 'svc', 'survivor', '-o', 'json'])).spec.clusterIP;
    assert.equal(curl(`${id}-node-1`, `http://${clusterIP}/hostname`), 'survivor');

    const ipBefore = ready().status.podIP;
    // A crash leaves the namespaces and the pod's process behind.
    c.proc.kill('SIGKILL');
    await c.stop();
    const podNs = ours().find((n) => n.includes('-pod-'));
    assert.ok(podNs, 'the pod namespace outlives a crash');
    assert.notEqual(run(['ip', 'netns', 'pids', podNs!]).stdout, '', 'and so does its process');

    // Starting again as the same cluster keeps the pod's namespace and takes the pod back (netns-adopt.test.ts has the details).
    const dataDir = c.dataDir;
    c = await start(dataDir);
    const back = await until('survivor ready again', ready, isReady, 30_000);
    assert.equal(back.status.podIP, ipBefore);
    await until('the ClusterIP answers again', () => curl(`${id}-node-1`, `http://${clusterIP}/hostname`), (r) => r === 'survivor', 10_000);

    c.proc.kill('SIGKILL');
    await c.stop();
    const left = ours();
    assert.ok(left.length >= 2, `namespaces left by the crash: ${left}`);
    const pids = left.flatMap((n) => run(['ip', 'netns', 'pids', n]).stdout.split(/\s+/).filter(Boolean));
    assert.ok(pids.length >= 1);

    const down = inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /killed process \d+ \(in .*-pod-/);
    assert.match(down.stdout, /kubesvc down: \d+ leftover processes killed, \d+ namespaces, \d+ links/);
    assert.deepEqual(ours(), []);
    // SIGKILL is asynchronous: give init a moment to reap them.
    await until('the pods\' processes gone', () => pids.filter((pid) => existsSync(`/proc/${pid}`)), (alive) => alive.length === 0, 3_000);
    const links = lines(inNs(hostNs, ['ip', '-o', 'link', 'show']).stdout).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]);
    assert.deepEqual(links, ['lo']);
    assert.match(down.stdout, new RegExp(`removed lock /run/kubesvc/prefix-${id}\\.lock`), 'the crashed run\'s lock goes too');
    // Nothing left: a second run says so.
    assert.match(inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id]).stdout, /nothing to remove/);
  });
});
