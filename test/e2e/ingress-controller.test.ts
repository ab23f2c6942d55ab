// The built-in ingress controller as `kubesvc up` runs it by default: a pod in kube-system under its
// own ServiceAccount behind the LoadBalancer Service kubesvc-ingress, routing by host and path per
// the Ingress specification into Services' ready endpoints, writing each Ingress's status, and
// taking changes in memory. Driven as a user would: kubectl, and HTTP requests to the pool IP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { kubectl, kubectlBin, kubectlOk, kubesvcBin, root, startCluster, until, type Cluster } from './harness.js';
import { WebSocket } from 'ws';
import { app, hostPathCases, ingress, makeTLSSecret, tlsIngress } from './ingress-fixtures.js';

/** GET http://ip:port/path with a Host header: "<status> <body>", or "error:<code>". */
function get(ip: string, port: number, path: string, host?: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: ip, port, path, headers: host ? { host } : {}, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
    req.end();
  });
}

describe('the built-in ingress controller', () => {
  let c: Cluster;
  let lb = '';
  let port = 0;
  before(async () => {
    c = await startCluster({ ingress: true });
  });
  after(async () => {
    await c?.destroy();
  });

  it('runs as a pod in kube-system under its ServiceAccount, behind a LoadBalancer Service with a pool IP', async () => {
    await until('the controller Ready', () => kubectl(c, ['get', 'deployment', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '1', 30_000);
    assert.equal(kubectlOk(c, ['get', 'pods', '-n', 'kube-system', '-l', 'app.kubernetes.io/name=kubesvc-ingress', '-o', 'jsonpath={.items[0].spec.serviceAccountName}']), 'kubesvc-ingress');
    lb = await until('its pool IP', () => kubectl(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout, (ip) => ip.startsWith(c.plan.lbPrefix));
    port = Number(kubectlOk(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.spec.ports[0].port}']));
    assert.ok(port === 80 || port === 8080, `port ${port}`);
    // The Service IngressClass the API defaults to is the controller's.
    assert.equal(kubectlOk(c, ['get', 'ingressclass', 'kubesvc', '-o', 'jsonpath={.spec.controller}']), 'kubesvc.io/ingress');
  });

  it('routes by host and path as the Ingress specification says, and 404s the rest', async () => {
    kubectlOk(c, ['apply', '-f', '-'], app('a') + '---\n' + app('b'));
    kubectlOk(c, ['apply', '-f', '-'], ingress());
    await until('both apps Ready', () => kubectl(c, ['get', 'deployments', 'a', 'b', '-o', 'jsonpath={.items[*].status.readyReplicas}']).stdout, (v) => v === '2 2', 30_000);
    await until('a route to a', () => get(lb, port, '/a', 'foo.example'), (r) => /^200 a-/.test(r), 10_000);
    for (const [path, host, want] of hostPathCases) assert.match(await get(lb, port, path, host), want, `${host} ${path}`);
    // HTTP/2 without TLS for a client that knows (curl --http2-prior-knowledge), routed the same way;
    // an offer to upgrade to it (curl --http2 on http://) is answered in HTTP/1.1.
    const curlVersion = (flag: string, path: string) =>
      spawnSync('curl', ['-sS', '--max-time', '3', flag, '-o', '/dev/null', '-w', '%{http_version} %{http_code}', '-H', 'Host: foo.example', `http://${lb}:${port}${path}`], { encoding: 'utf8' }).stdout;
    assert.equal(curlVersion('--http2-prior-knowledge', '/a'), '2 200');
    assert.equal(curlVersion('--http2-prior-knowledge', '/ab'), '2 404');
    assert.equal(curlVersion('--http2', '/a'), '1.1 200');
  });

  it('serves a defaultBackend when nothing else matches, and leaves Ingresses of another class alone', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: other}
spec: {controller: example.com/other}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: elsewhere}
spec:
  ingressClassName: other
  rules:
  - host: elsewhere.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback}
spec:
  defaultBackend: {service: {name: b, port: {number: 80}}}
`);
    await until('the default backend', () => get(lb, port, '/nowhere', 'unknown.example'), (r) => /^200 b-/.test(r), 10_000);
    // A host with rules keeps them: the default backend is for what matches nothing.
    assert.match(await get(lb, port, '/a', 'foo.example'), /^200 a-/);
    assert.match(await get(lb, port, '/', 'elsewhere.example'), /^200 b-/, 'the other class\'s host is not served here: the default backend answers');
    // Only this class's Ingresses get this controller's address.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(kubectl(c, ['get', 'ingress', 'elsewhere', '-o', 'jsonpath={.status.loadBalancer.ingress}']).stdout, '');
    kubectlOk(c, ['delete', 'ingress', 'fallback', 'elsewhere']);
    kubectlOk(c, ['delete', 'ingressclass', 'other']);
    await until('no default backend', () => get(lb, port, '/nowhere', 'unknown.example'), (r) => /^404 /.test(r), 10_000);
  });

  it('spreads requests over the ready endpoints (10 pods, as the conformance suite\'s load balancing feature) and writes the pool IP into the Ingress status', async () => {
    kubectlOk(c, ['scale', 'deployment', 'a', '--replicas=10']);
    await until('10 pods of a Ready', () => kubectl(c, ['get', 'deployment', 'a', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '10', 30_000);
    const seen = await until(
      'every pod answering',
      async () => {
        const names = new Set<string>();
        for (let i = 0; i < 20; i++) names.add((await get(lb, port, '/a', 'foo.example')).split(' ')[1]!);
        return names;
      },
      (names) => names.size === 10,
      10_000,
    );
    assert.ok([...seen].every((n) => n.startsWith('a-')), [...seen].join(' '));
    kubectlOk(c, ['scale', 'deployment', 'a', '--replicas=2']);
    await until('the Ingress status', () => kubectl(c, ['get', 'ingress', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout, (ip) => ip === lb);
  });

  it('takes a change in memory, and keeps answering while a backend pod goes', async () => {
    const t0 = Date.now();
    kubectlOk(c, ['apply', '-f', '-'], ingress('      - {path: /c, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}\n'));
    await until('the new path served', () => get(lb, port, '/c', 'foo.example'), (r) => /^200 b-/.test(r), 5_000);
    const took = Date.now() - t0;
    assert.ok(took < 5000, `${took} ms`);
    const victim = kubectlOk(c, ['get', 'pods', '-l', 'app=a', '-o', 'jsonpath={.items[0].metadata.name}']);
    kubectlOk(c, ['delete', 'pod', victim, '--wait=false']);
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await get(lb, port, '/a', 'foo.example');
      if (!/^200 a-/.test(r)) failures.push(r);
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(failures, []);
  });

  it('follows a Service that comes, goes and comes back behind a path: 503 without it, its pods with it', async () => {
    const late = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: late}
spec:
  rules:
  - host: late.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: late, port: {name: http}}}}
`;
    const service = `apiVersion: v1
kind: Service
metadata: {name: late}
spec:
  selector: {app: b}
  ports: [{name: http, port: 80, targetPort: 9376}]
`;
    kubectlOk(c, ['apply', '-f', '-'], late);
    await until('503 while the Service is missing', () => get(lb, port, '/', 'late.example'), (r) => r.startsWith('503 '), 5_000);
    kubectlOk(c, ['apply', '-f', '-'], service);
    await until("the Service's pods served", () => get(lb, port, '/', 'late.example'), (r) => /^200 b-/.test(r), 5_000);
    kubectlOk(c, ['delete', 'service', 'late']);
    await until('503 once the Service is gone', () => get(lb, port, '/', 'late.example'), (r) => r.startsWith('503 '), 5_000);
    kubectlOk(c, ['apply', '-f', '-'], service.replace('{name: http, port: 80, targetPort: 9376}', '{name: web, port: 80, targetPort: 9376}'));
    // The path names port "http", which the new Service does not have: no backend, as before.
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await get(lb, port, '/', 'late.example'), /^503 /);
    kubectlOk(c, ['apply', '-f', '-'], service);
    await until("the Service's pods served again", () => get(lb, port, '/', 'late.example'), (r) => /^200 b-/.test(r), 5_000);
    kubectlOk(c, ['delete', 'ingress', 'late']);
    kubectlOk(c, ['delete', 'service', 'late']);
  });

  it('fails no request while a backend rolls out and Ingresses are created, changed and deleted', async (t) => {
    let stop = false;
    const failures: string[] = [];
    let sent = 0;
    // Four clients, bounded in count and time.
    const deadline = Date.now() + 60_000;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop && sent < 20_000 && Date.now() < deadline) {
          sent++;
          const r = await get(lb, port, '/a', 'foo.example');
          if (!/^200 a-/.test(r)) failures.push(r);
        }
      }),
    );
    // kubectl runs asynchronously here: a synchronous one would stop the load while it runs.
    const k = async (args: string[]) => (await promisify(execFile)(kubectlBin, args, { env: { ...process.env, KUBECONFIG: c.kubeconfig }, timeout: 90_000 })).stdout;
    try {
      await k(['rollout', 'restart', 'deployment', 'a']);
      for (let i = 0; i < 5; i++) {
        await k(['create', 'ingress', `churn-${i}`, `--rule=churn${i}.example/x*=b:80`]);
        await k(['annotate', 'ingress', `churn-${i}`, 'example.com/round=1']);
      }
      await k(['rollout', 'status', 'deployment', 'a', '--timeout=60s']);
      for (let i = 0; i < 5; i++) await k(['delete', 'ingress', `churn-${i}`]);
    } finally {
      stop = true;
      await load;
    }
    t.diagnostic(`${sent} requests during the rollout and the Ingress churn, ${failures.length} failed`);
    assert.ok(sent > 100, `only ${sent} requests`);
    assert.deepEqual(failures.slice(0, 10), []);
  });

  it('serves HTTPS by SNI from kubernetes.io/tls Secrets, a default certificate otherwise, and redirects HTTP for TLS hosts', async () => {
    makeTLSSecret(c, 'secure-tls', 'secure.example');
    kubectlOk(c, ['apply', '-f', '-'], tlsIngress('secure', 'secure.example', 'secure-tls', 'a') + `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}}
spec:
  tls: [{hosts: [plain.example], secretName: secure-tls}]
  rules:
  - host: plain.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}]}
`);
    const httpsPort = Number(kubectlOk(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'jsonpath={.spec.ports[?(@.name=="https")].port}']));
    /** The certificate's CN presented for a name, and the answer to GET / over that connection. */
    const overTLS = (servername: string) =>
      new Promise<{ cn: string; answer: string }>((resolve, reject) => {
        const req = httpsRequest({ host: lb, port: httpsPort, servername, path: '/', headers: { host: servername }, rejectUnauthorized: false, agent: false, timeout: 3000 }, (res) => {
          const cn = (res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ cn: String(cn), answer: `${res.statusCode} ${body.trim()}` }));
        });
        req.on('error', reject);
        req.end();
      });
    const secure = await until('the Secret\'s certificate for secure.example', () => overTLS('secure.example'), (r) => r.cn === 'secure.example', 10_000);
    assert.match(secure.answer, /^200 a-/);
    assert.equal((await overTLS('unknown.example')).cn, 'Kubernetes Ingress Controller Fake Certificate');
    // HTTP to a TLS host is sent to HTTPS, unless the Ingress says ssl-redirect: "false".
    const redirect = await new Promise<{ status?: number; location?: string }>((resolve) => {
      httpRequest({ host: lb, port, path: '/x?y=1', headers: { host: 'secure.example' }, agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      }).end();
    });
    assert.deepEqual(redirect, { status: 308, location: `https://secure.example${httpsPort === 443 ? '' : `:${httpsPort}`}/x?y=1` });
    assert.match(await get(lb, port, '/', 'plain.example'), /^200 b-/);
    // A client that speaks HTTP/2 (ALPN h2) is served in HTTP/2, routed by its :authority.
    const session = http2Connect(`https://${lb}:${httpsPort}`, { servername: 'secure.example', rejectUnauthorized: false });
    try {
      const h2 = await new Promise<string>((resolve, reject) => {
        const st = session.request({ ':path': '/', ':authority': 'secure.example' });
        let status = '';
        let body = '';
        st.on('response', (h) => (status = String(h[':status'])));
        st.setEncoding('utf8');
        st.on('data', (d) => (body += d));
        st.on('end', () => resolve(`${status} ${body.trim()}`));
        st.on('error', reject);
        st.end();
      });
      assert.match(h2, /^200 a-/);
      assert.equal(session.alpnProtocol, 'h2');
    } finally {
      session.close();
    }
  });

  it('carries WebSocket connections (Upgrade) through to the backend, both ways', async () => {
    kubectlOk(c, ['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: {name: ws}
spec:
  replicas: 1
  selector: {matchLabels: {app: ws}}
  template:
    metadata: {labels: {app: ws}}
    spec:
      containers:
      - name: echo
        image: kubesvc.io/host
        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(root, 'dist', 'test', 'support', 'ws-echo.js'))}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ws}
spec:
  selector: {app: ws}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ws}
spec:
  rules:
  - host: ws.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ws, port: {number: 80}}}}]}
`);
    await until('the echo server behind the Ingress', () => get(lb, port, '/', 'ws.example'), (r) => /^200 ws-/.test(r), 30_000);
    const messages: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://${lb}:${port}/chat`, { headers: { host: 'ws.example' } });
      ws.on('message', (d) => {
        messages.push(String(d));
        if (messages.length === 1) ws.send('ping');
        else ws.close();
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
      setTimeout(() => reject(new Error(`no echo: ${messages.join(' | ')}`)), 5000).unref();
    });
    assert.match(messages[0]!, /^hello from ws-.*; forwarded for \d+\.\d+\.\d+\.\d+$/);
    assert.match(messages[1]!, /^ws-.*: ping$/);
  });

  it('counts requests under ingress-nginx\'s metric names', async () => {
    const podIP = kubectlOk(c, ['get', 'pods', '-n', 'kube-system', '-l', 'app.kubernetes.io/name=kubesvc-ingress', '-o', 'jsonpath={.items[0].status.podIP}']);
    const text = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: podIP, port: 10254, path: '/metrics', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    const line = text.split('\n').find((l) => l.startsWith('nginx_ingress_controller_requests{') && l.includes('ingress="web"') && l.includes('service="a"') && l.includes('status="200"'));
    assert.ok(line, text.slice(0, 2000));
    assert.ok(Number(line!.split(' ').at(-1)) >= 10, line);
    assert.match(text, /nginx_ingress_controller_request_duration_seconds_count \d+/);
  });

  it('`up --disable` takes only known addons', () => {
    const r = spawnSync(process.execPath, [kubesvcBin, 'up', '--disable', 'traefik', '--data-dir', '/nonexistent/kubesvc'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--disable takes ingress, not "traefik"/);
  });
});
