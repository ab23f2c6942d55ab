// The built-in ingress controller against nginx and HAProxy on the same backends (not part of
// `npm test`). A loopback `kubesvc up` (as root, so the controller serves on port 80) runs three
// backend pods — bench/proxy-backends.js, a fixed 200 answer — behind a Service and an Ingress;
// nginx (`proxy_pass` to an upstream of the three pod IPs with keep-alive connections) and HAProxy
// (`mode http`, connection reuse) are pointed at the same pod IPs on 127.0.0.1 ports of their own.
// Each is driven with wrk (-t1 -c32), keep-alive and a new connection per request, in interleaved
// rounds; the controller both at its pod address (what nginx is measured as) and through its
// LoadBalancer IP (what users reach: the userspace kube-proxy in front). Then change → served:
// an Ingress path added until the controller answers it (polled every 2 ms), 20 times.
// Run: npm run build && node dist/bench/ingress.js [seconds per wrk run, default 5]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlOk, request, root, startCluster, until } from '../test/e2e/harness.js';
import { runWrk, type LoadResult } from './wrk.js';

const seconds = Number(process.argv[2] ?? 5);
const rounds = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const wrk = (url: string, host: string, newConnection: boolean) => runWrk(url, { seconds, newConnection, headers: [`Host: ${host}`] });

function get(ip: string, port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: ip, port, path, headers: { host }, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
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
metadata: {name: bench}
spec:
  rules:
  - host: bench.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}
`;

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
    await until('3 backends ready', () => kubectl(c, ['get', 'deployment', 'bench', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '3', 60_000);
    await until('the controller ready', () => kubectl(c, ['get', 'deployment', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '1', 60_000);
    const podIPs = kubectlOk(c, ['get', 'pods', '-l', 'app=bench', '-o', 'jsonpath={.items[*].status.podIP}']).split(' ');
    const controllerIP = kubectlOk(c, ['get', 'pods', '-n', 'kube-system', '-l', 'app.kubernetes.io/name=kubesvc-ingress', '-o', 'jsonpath={.items[0].status.podIP}']);
    const lb = await until('the LB IP', () => kubectl(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout, (v) => v !== '');
    await until('routed', () => get(controllerIP, 80, '/', 'bench.example'), (s) => s === 200);

    // nginx and HAProxy on 127.0.0.1, each with the same three pods as upstreams.
    writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  upstream pods { ${podIPs.map((ip) => `server ${ip}:8080;`).join(' ')} keepalive 64; }
  server {
    listen 127.0.0.1:18080;
    location / { proxy_pass http://pods; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }
  }
}
`);
    const nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
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
      { name: 'HAProxy mode http', url: 'http://127.0.0.1:18081/' },
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
  } finally {
    for (const p of peers) p.stop();
    await c.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
