// The built-in ingress controller against nginx and HAProxy on the same backends (not part of
// `npm test`). A loopback `kubesvc up` (as root, so the controller serves on port 80) runs three
// backend pods — bench/proxy-backends.js, a fixed 200 answer — behind a Service and an Ingress;
// nginx (`proxy_pass` to an upstream of the three pod IPs with keep-alive connections) and HAProxy
// (`mode http`, connection reuse) are pointed at the same pod IPs on 127.0.0.1 ports of their own.
// Each is driven with wrk (-t1 -c32), keep-alive and a new connection per request, over HTTP and
// HTTPS (one EC P-256 certificate for all), in interleaved
// rounds; nginx also with an access log written as ingress-nginx writes it (the controller logs
// every request by default, as ingress-nginx does); the controller both at its pod address (what nginx is measured as) and through its
// LoadBalancer IP (what users reach: the userspace kube-proxy in front). Then change → served:
// an Ingress path added until the controller answers it (polled every 2 ms), 20 times.
// Run: npm run build && node dist/bench/ingress.js [seconds per wrk run, default 5] [--rounds N, default 3]
import { reportComparison } from './report.js';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlOk, request, root, startCluster, until } from '../test/e2e/harness.js';
import { app } from '../test/e2e/ingress-fixtures.js';
import { numberArg } from './args.js';
import { startNginxProxy } from './nginx-proxy.js';
import { runWrk, type LoadResult } from './wrk.js';

const seconds = process.argv[2] && !process.argv[2].startsWith('--') ? Number(process.argv[2]) : 5;
// More rounds tell a smaller change apart on a machine whose neighbours move every figure.
const rounds = numberArg('rounds', 3, 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const wrk = (url: string, host: string, newConnection: boolean) => runWrk(url, { seconds, newConnection, headers: [`Host: ${host}`] });

// Polls go over one kept-alive connection, as a client of the ingress would: after wrk's
// connection-per-request runs, new connections from this machine can wait on ports in TIME_WAIT.
const pollAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(ip: string, port: number, path: string, host: string): Promise<number> {
  return getBody(ip, port, path, host).then((r) => r.status);
}

function getBody(ip: string, port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: ip, port, path, headers: { host }, agent: pollAgent, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const backends = (n: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: bench}
spec:
  replicas: ${n}
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec:
      containers:
      - name: responder
        image: kubesvc.io/host
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(root, 'dist', 'bench', 'proxy-backends.js'))}, "8080", "$(POD_IP)"]
        env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: bench}
spec:
  selector: {app: bench}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}}
spec:
  tls: [{hosts: [bench.example], secretName: bench-tls}]
  rules:
  - host: bench.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}
  - host: who.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: who, port: {number: 80}}}}]}
---
${app('who', 3)}`;

async function main(): Promise<void> {
  for (const tool of ['wrk', 'nginx', 'haproxy']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.log(`${tool} is not installed (Debian: wrk, nginx-light, haproxy): skipped`);
      return;
    }
  }
  if (process.getuid?.() !== 0) {
    console.log('needs root (the controller serves on port 80): skipped');
    return;
  }
  const c = await startCluster({ ingress: true });
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-ingress-'));
  const peers: { name: string; stop(): void }[] = [];
  try {
    kubectlOk(c, ['apply', '-f', '-'], backends(3));
    await until('3 who pods ready', () => kubectl(c, ['get', 'deployment', 'who', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '3', 60_000);
    await until('3 backends ready', () => kubectl(c, ['get', 'deployment', 'bench', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '3', 60_000);
    await until('the controller ready', () => kubectl(c, ['get', 'deployment', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '1', 60_000);
    const podIPs = kubectlOk(c, ['get', 'pods', '-l', 'app=bench', '-o', 'jsonpath={.items[*].status.podIP}']).split(' ');
    const controllerIP = kubectlOk(c, ['get', 'pods', '-n', 'kube-system', '-l', 'app.kubernetes.io/name=kubesvc-ingress', '-o', 'jsonpath={.items[0].status.podIP}']);
    const lb = await until('the LB IP', () => kubectl(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout, (v) => v !== '');
    await until('routed', () => get(controllerIP, 80, '/', 'bench.example'), (s) => s === 200);

    // One certificate (EC P-256) for every HTTPS target: the Ingress's Secret, nginx's, HAProxy's.
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=bench.example', '-addext', 'subjectAltName=DNS:bench.example', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`openssl: ${gen.stderr}`);
    writeFileSync(join(dir, 'bundle.pem'), readFileSync(join(dir, 'tls.crt'), 'utf8') + readFileSync(join(dir, 'tls.key'), 'utf8'));
    kubectlOk(c, ['create', 'secret', 'tls', 'bench-tls', '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key')]);
    // nginx and HAProxy on 127.0.0.1, each with the same three pods as upstreams.
    const nginx = startNginxProxy(dir, '127.0.0.1:18080', podIPs.map((ip) => `${ip}:8080`), { listen: '127.0.0.1:18443', cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') }, '127.0.0.1:18082');
    peers.push({ name: 'nginx', stop: () => nginx.kill('SIGTERM') });
    writeFileSync(join(dir, 'haproxy.cfg'), `global
  maxconn 4096
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
  option forwardfor
frontend f
  bind 127.0.0.1:18081
  bind 127.0.0.1:18444 ssl crt ${join(dir, 'bundle.pem')}
  default_backend pods
backend pods
  balance roundrobin
${podIPs.map((ip, i) => `  server p${i} ${ip}:8080`).join('\n')}
`);
    const haproxy = spawn('haproxy', ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' });
    peers.push({ name: 'haproxy', stop: () => haproxy.kill('SIGTERM') });
    await until('nginx', () => get('127.0.0.1', 18080, '/', 'bench.example'), (s) => s === 200);
    await until('haproxy', () => get('127.0.0.1', 18081, '/', 'bench.example'), (s) => s === 200);

    const targets = [
      { name: 'kubesvc ingress (pod address)', url: `http://${controllerIP}:80/` },
      { name: 'kubesvc ingress (LoadBalancer IP, through kube-proxy)', url: `http://${lb}:80/` },
      { name: 'nginx', url: 'http://127.0.0.1:18080/' },
      // The controller logs every request by default, as ingress-nginx does; this nginx too.
      { name: 'nginx with an access log', url: 'http://127.0.0.1:18082/' },
      { name: 'HAProxy mode http', url: 'http://127.0.0.1:18081/' },
      // HTTPS: wrk sends no SNI to an IP; the certificate does not change the work.
      { name: 'kubesvc ingress HTTPS (pod address)', url: `https://${controllerIP}:443/` },
      { name: 'nginx HTTPS', url: 'https://127.0.0.1:18443/' },
      { name: 'HAProxy HTTPS', url: 'https://127.0.0.1:18444/' },
    ];
    console.log(`wrk -t1 -c32, ${seconds} s runs, ${rounds} interleaved rounds, medians; load average ${loadavg()[0]!.toFixed(1)}`);
    for (const newConnection of [false, true]) {
      const results = new Map<string, LoadResult[]>();
      for (let r = 0; r < rounds; r++) {
        for (const t of targets) {
          const res = await wrk(t.url, 'bench.example', newConnection);
          results.set(t.name, [...(results.get(t.name) ?? []), res]);
        }
      }
      for (const t of targets) {
        const rs = results.get(t.name)!;
        console.log(
          `${newConnection ? 'new connection per request' : 'keep-alive'}: ${t.name}: ${median(rs.map((x) => x.rps)).toFixed(0)} req/s, ` +
            `p50 ${median(rs.map((x) => x.p50ms)).toFixed(2)} ms, p99 ${median(rs.map((x) => x.p99ms)).toFixed(2)} ms, errors ${rs.reduce((n, x) => n + x.errors, 0)}`,
        );
      }
      // Every round's ratio to nginx, for how much the medians above can be trusted.
      for (const [ours, peer] of [['kubesvc ingress (pod address)', 'nginx'], ['kubesvc ingress HTTPS (pod address)', 'nginx HTTPS']] as const) {
        const each = results.get(ours)!.map((x, i) => (x.rps / results.get(peer)![i]!.rps).toFixed(2));
        console.log(`${newConnection ? 'new connection per request' : 'keep-alive'}: ${ours} ÷ ${peer}, each round: ${each.join(', ')}`);
      }
      // The issue's figures: the controller at its pod address next to nginx and HAProxy, HTTP and HTTPS.
      const med = (name: string, f: (x: LoadResult) => number) => median(results.get(name)!.map(f));
      const mode = newConnection ? 'new connection per request' : 'keep-alive';
      for (const [ours, peers] of [['kubesvc ingress (pod address)', ['nginx', 'nginx with an access log', 'HAProxy mode http']], ['kubesvc ingress HTTPS (pod address)', ['nginx HTTPS', 'HAProxy HTTPS']]] as const) {
        for (const peer of peers) {
          reportComparison({ figure: `${mode}, requests/s${ours.includes('HTTPS') ? ' (HTTPS)' : ''}`, unit: 'req/s', kubesvc: med(ours, (x) => x.rps), peer, peerValue: med(peer, (x) => x.rps), higherIsBetter: true, ...(peer === 'nginx' && !newConnection ? { goal: '≥ 0.8×' } : {}) });
          reportComparison({ figure: `${mode}, p99${ours.includes('HTTPS') ? ' (HTTPS)' : ''}`, unit: 'ms', kubesvc: med(ours, (x) => x.p99ms), peer, peerValue: med(peer, (x) => x.p99ms), higherIsBetter: false, ...(peer === 'nginx' && !newConnection ? { goal: '≤ 1.5×' } : {}) });
        }
      }
    }

    // Change → served: a new path, polled at the controller until it answers 200.
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const host = `change${i}.example`;
      const r = await request(c, 'POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `change-${i}` },
        spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'bench', port: { number: 80 } } } }] } }] },
      }));
      if (r.status !== 201) throw new Error(`${r.status} ${r.body}`);
      // From the API's answer: the create is stored and its watch event on its way.
      const t0 = performance.now();
      while ((await get(controllerIP, 80, '/', host)) !== 200 && performance.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 2));
      took.push(performance.now() - t0);
    }
    console.log(`Ingress created (API answered 201) → served by the controller, 20 times: p50 ${pct(took, 50).toFixed(0)} ms, p99 ${pct(took, 99).toFixed(0)} ms, max ${Math.max(...took).toFixed(0)} ms`);

    // Change → served: a backend pod deleted, until the controller sends it nothing more. Requests
    // go one after another (round robin over 3 pods) over a kept-alive connection; the figure is
    // the last answer from the deleted pod after its DELETE was answered.
    const gone: number[] = [];
    for (let i = 0; i < 10; i++) {
      await until('3 who pods ready', () => kubectl(c, ['get', 'deployment', 'who', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '3', 60_000);
      const pod = kubectlOk(c, ['get', 'pods', '-l', 'app=who', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[0].metadata.name}']);
      await until(`answers from ${pod}`, () => getBody(controllerIP, 80, '/', 'who.example'), (r) => r.body.trim() === pod, 10_000);
      const del = await request(c, 'DELETE', `/api/v1/namespaces/default/pods/${pod}`);
      if (del.status !== 200 && del.status !== 202) throw new Error(`${del.status} ${del.body.slice(0, 200)}`);
      const t0 = performance.now();
      let last = 0;
      while (performance.now() - t0 < 2000) {
        const r = await getBody(controllerIP, 80, '/', 'who.example');
        if (r.body.trim() === pod) last = performance.now() - t0;
      }
      gone.push(last);
    }
    console.log(`backend pod deleted (API answered) → its last request through the controller, 10 times: p50 ${pct(gone, 50).toFixed(0)} ms, p99 ${pct(gone, 99).toFixed(0)} ms, max ${Math.max(...gone).toFixed(0)} ms`);
  } finally {
    pollAgent.destroy();
    for (const p of peers) p.stop();
    await c.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
