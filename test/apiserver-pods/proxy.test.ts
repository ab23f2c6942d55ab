// services/{name}/proxy and pods/{name}/proxy: the API server passes a request on to a Service's
// endpoint or a pod's IP, as upstream's does — the name forms (`web`, `web:80`, `web:http`,
// `http:web:80`), the path after `proxy` (trailing slash, `..` kept inside, query), what headers
// cross (no credentials, X-Forwarded-*), bodies and methods, redirects made to come back through
// the proxy, upgrades joined byte for byte, upstream's errors, the addresses it refuses to dial,
// RBAC, and hostile requests. Backends are real HTTP servers on addresses of a pod CIDR; kubectl
// (get --raw, and kubectl proxy) drives it as users do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { boundClaims } from '../../src/apiserver/auth/serviceaccount/claims.js';
import { newContext } from '../../src/apiserver/store/context.js';
import type { Pod } from '../../src/api/core.js';
import { kubectl, startKubectl, startTestCluster, type TestCluster } from './fixture.js';

// A /24 no test cluster uses (their pod ranges are 127.170-229.x and 127.244.x upwards): the backends listen on two of its loopback addresses, and a Node
// whose pod CIDR it is makes them pods' addresses the API server may dial.
const CIDR = '127.233.7.0/24';
const IP1 = '127.233.7.10';
const IP2 = '127.233.7.11';
const NODE = 'proxy-node';

let t: TestCluster;
let ca: string;
let admin: { cert: string; key: string };
let server: URL;
const backends: http.Server[] = [];
let port1 = 0;
let port2 = 0;

interface Seen {
  backend: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A backend answering with what it received (JSON), a redirect on /redirect?to=, and an echo after an upgrade. */
function startBackend(name: string, ip: string): Promise<number> {
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/page' || url.pathname === '/notpage') {
        const html = Buffer.from(page(ip, (s.address() as AddressInfo).port));
        const gz = url.searchParams.has('gzip');
        res.writeHead(200, { 'Content-Type': url.pathname === '/page' ? 'text/html; charset=utf-8' : 'application/json', ...(gz ? { 'Content-Encoding': 'gzip' } : {}), 'Content-Length': gz ? gzipSync(html).length : html.length });
        return res.end(gz ? gzipSync(html) : html);
      }
      if (url.pathname === '/bigpage' || url.pathname === '/bomb') {
        // 9 MiB of links, plain, or gzip (a few KiB that unpack to it).
        const big = Buffer.from('<a href="/x">'.repeat(Math.ceil((9 << 20) / 13)));
        const gz = url.pathname === '/bomb';
        res.writeHead(200, { 'Content-Type': 'text/html', ...(gz ? { 'Content-Encoding': 'gzip' } : {}) });
        return res.end(gz ? gzipSync(big) : big);
      }
      if (url.pathname === '/slowpage') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.write('<a href="/x">');
        setTimeout(() => res.end('<a href="/y">'), 400);
        return;
      }
      if (url.pathname === '/redirect') {
        res.writeHead(302, { Location: url.searchParams.get('to') ?? '/' });
        return res.end();
      }
      const seen: Seen = { backend: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Backend': name });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(seen));
    });
  });
  s.on('upgrade', (req, socket, head) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nX-Path: ${req.url}\r\nX-Authorization: ${req.headers.authorization ?? 'none'}\r\n\r\n`);
    if (head.length) socket.write(head);
    socket.pipe(socket);
  });
  backends.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, ip, () => resolve((s.address() as AddressInfo).port));
  });
}

/** A page with every kind of link the proxy rewrites or must leave alone. */
const page = (ip: string, port: number) => `<!DOCTYPE html>
<html><head><link rel="stylesheet" href="/static/app.css"><script src="/static/app.js"></script>
<script>var s = '<a href="/in-script">';</script><style>a[href="/in-style"] {}</style></head>
<body><!-- <a href="/in-comment"> -->
<a href="/docs/?a=1&amp;b=2#top">docs</a> <a href='http://${ip}:${port}/self'>self</a> <A HREF=/bare>bare</A>
<a href="https://example.com/elsewhere">out</a> <a href="relative/page">rel</a> <a href="#frag">frag</a>
<img src="/img/logo.png" alt="/not-a-link"><form action="/submit"></form><p title="/title">/text</p>
<a href="/café/ünïcode?q=ö">utf-8</a> <a href="mailto:a@b.c">mail</a> <a href="//${ip}:${port}/proto-relative">pr</a>
</body></html>`;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request to the API server, as the admin unless other credentials are given; `path` is sent as is. */
function api(path: string, o: { method?: string; headers?: Record<string, string>; body?: string; token?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    const req = https.request(
      { host: server.hostname, port: server.port, path, method: o.method ?? 'GET', ca, headers, ...(o.token ? {} : admin) },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const svcPath = (name: string, rest = '') => `/api/v1/namespaces/default/services/${name}/proxy${rest}`;
const podPath = (name: string, rest = '') => `/api/v1/namespaces/default/pods/${name}/proxy${rest}`;
const seen = (r: Reply) => JSON.parse(r.body) as Seen;

async function createPod(name: string, ip: string, containerPort?: number): Promise<void> {
  const store = t.cluster.api.store('', 'pods');
  const ctx = newContext({ namespace: 'default' });
  const pod = (await store.create(ctx, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'proxied' } },
    spec: { nodeName: NODE, containers: [{ name: 'app', image: 'busybox', ...(containerPort ? { ports: [{ containerPort }] } : {}) }] },
  })) as Pod;
  pod.status = { ...pod.status, phase: 'Running', podIP: ip, podIPs: [{ ip }] };
  await store.update(ctx, 'default', name, pod, 'status');
}

async function create(resource: string, obj: Record<string, unknown>, group = ''): Promise<void> {
  await t.cluster.api.store(group, resource).create(newContext({ namespace: 'default' }), obj as never);
}

before(async () => {
  t = await startTestCluster();
  ca = readFileSync(join(t.dir, 'pki', 'ca.crt'), 'utf8');
  const text = readFileSync(t.kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  admin = { cert: field('client-certificate-data'), key: field('client-key-data') };
  server = new URL(/server: (\S+)/.exec(text)![1]!);
  port1 = await startBackend('one', IP1);
  port2 = await startBackend('two', IP2);
  await t.cluster.api.store('', 'nodes').create(newContext(), { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE }, spec: { podCIDR: CIDR, podCIDRs: [CIDR], unschedulable: true } } as never);
  await createPod('one', IP1, port1);
  await createPod('two', IP2);
  await createPod('outside', '127.0.0.1', port1);
  // Selector-less, so the Endpoints below are the test's own: `web` has a named and an unnamed
  // port; `stray` points at addresses no pod of its own has.
  await create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: port1 }, { name: 'alt', port: 81, targetPort: port2 }] } });
  await create('endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default' },
    subsets: [
      { addresses: [{ ip: IP1, targetRef: { kind: 'Pod', namespace: 'default', name: 'one' } }], ports: [{ name: 'http', port: port1 }, { name: 'alt', port: port1 }] },
    ],
  });
  await create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'single', namespace: 'default' }, spec: { ports: [{ port: 8080, targetPort: port2 }] } });
  await create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'single', namespace: 'default' }, subsets: [{ addresses: [{ ip: IP2, targetRef: { kind: 'Pod', namespace: 'default', name: 'two' } }], ports: [{ port: port2 }] }] });
  await create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'stray', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  await create('endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'stray', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }, { ip: IP2, targetRef: { kind: 'Pod', namespace: 'default', name: 'one' } }, { ip: '127.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'outside' } }], ports: [{ port: server.port ? Number(server.port) : 443 }] }],
  });
  await create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  await create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'empty', namespace: 'default' }, subsets: [] });
});

after(async () => {
  for (const s of backends) s.close();
  await t?.stop();
});

describe('services/proxy', () => {
  it('kubectl get --raw reaches the endpoint by name, by port number, by port name and with a scheme', async () => {
    for (const name of ['web:80', 'web:http', 'http:web:80', 'http:web:http']) {
      const r = await kubectl(t, ['get', '--raw', svcPath(name, '/some/path?a=1&b=two')]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const s = JSON.parse(r.stdout) as Seen;
      assert.equal(s.backend, 'one', name);
      assert.equal(s.url, '/some/path?a=1&b=two', name);
    }
    // The unnamed port of a one-port Service, by number and without one.
    for (const name of ['single', 'single:8080']) {
      const r = await api(svcPath(name, '/x'));
      assert.equal(r.status, 200, r.body);
      assert.equal(seen(r).backend, 'two');
    }
  });

  it('the port named or numbered picks that port of the endpoint', async () => {
    const r = await api(svcPath('web:alt', '/'));
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['x-backend'], 'one');
    assert.equal((await api(svcPath('web:81', '/'))).status, 200);
  });

  it('a bare proxy path is redirected to its trailing slash for GET and HEAD, and the slash is kept', async () => {
    const r = await api(svcPath('web:http') + '?q=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `${svcPath('web:http')}/?q=1`);
    assert.equal((await api(svcPath('web:http'), { method: 'HEAD' })).status, 301);
    assert.equal(seen(await api(svcPath('web:http', '/'))).url, '/');
    assert.equal(seen(await api(svcPath('web:http', '/dir/'))).url, '/dir/');
    // Other methods go to "/" at once.
    const post = await api(svcPath('web:http'), { method: 'POST', body: 'x' });
    assert.equal(post.status, 200, post.body);
    assert.equal(seen(post).url, '/');
  });

  it('`..` in the proxied path stays inside it, and escapes pass through as sent', async () => {
    assert.equal(seen(await api(svcPath('web:http', '/a/../../../../etc/passwd'))).url, '/etc/passwd');
    assert.equal(seen(await api(svcPath('web:http', '/a/%2E%2E/b'))).url, '/b');
    assert.equal(seen(await api(svcPath('web:http', '/a%2Fb/c%20d'))).url, '/a%2Fb/c%20d');
  });

  it('passes bodies and methods, and the backend status and headers back', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const r = await api(svcPath('web:http', '/m'), { method, body: method === 'DELETE' || method === 'OPTIONS' ? undefined : `body of ${method}`, headers: { 'Content-Type': 'text/plain' } });
      assert.equal(r.status, 200, `${method}: ${r.body}`);
      assert.equal(seen(r).method, method);
      if (method !== 'DELETE' && method !== 'OPTIONS') assert.equal(seen(r).body, `body of ${method}`);
      assert.equal(r.headers['x-backend'], 'one');
    }
    // The query is the backend's: what the API server would read as options (and refuse when
    // malformed) passes through untouched.
    const q = await api(svcPath('web:http', '/q?dryRun=bogus&fieldValidation=Nope&fieldManager=' + 'm'.repeat(200)), { method: 'POST', body: '{}' });
    assert.equal(q.status, 200, q.body);
    assert.equal(seen(q).url, '/q?dryRun=bogus&fieldValidation=Nope&fieldManager=' + 'm'.repeat(200));
    const big = 'x'.repeat(3 << 20);
    const r = await api(svcPath('web:http', '/big'), { method: 'POST', body: big });
    assert.equal(seen(r).body.length, big.length);
    const head = await api(svcPath('web:http', '/h'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('keeps the caller\'s credentials and impersonation headers, and says where the request came from', async () => {
    // The admin may impersonate; "someone" may not use services/proxy.
    const r = await api(svcPath('web:http', '/h?x=1'), { headers: { 'Impersonate-User': 'someone' } });
    assert.equal(r.status, 403, r.body);
    const as = seen(await api(svcPath('web:http', '/h'), { headers: { 'Impersonate-User': 'someone', 'Impersonate-Group': 'system:masters' } }));
    assert.equal(as.headers['impersonate-user'], undefined);
    assert.equal(as.headers['impersonate-group'], undefined);
    const ok = seen(await api(svcPath('web:http', '/h?x=1'), { headers: { Cookie: 'c=1', 'X-Custom': 'yes', 'x-forwarded-for': '10.1.2.3', 'x-forwarded-uri': '/spoofed', 'x-forwarded-proto': 'gopher' } }));
    assert.equal(ok.headers.authorization, undefined);
    assert.equal(ok.headers.cookie, 'c=1');
    assert.equal(ok.headers['x-custom'], 'yes');
    assert.equal(ok.headers['x-forwarded-uri'], svcPath('web:http', '/h'));
    assert.equal(ok.headers['x-forwarded-proto'], 'https');
    assert.equal(ok.headers['x-forwarded-host'], `${server.hostname}:${server.port}`);
    assert.equal(ok.headers['x-forwarded-for'], '10.1.2.3, 127.0.0.1');
    const token = await saToken('proxier');
    await grant('proxier', 'services/proxy');
    const withToken = await api(svcPath('web:http', '/h'), { token });
    assert.equal(withToken.status, 200, withToken.body);
    assert.equal(seen(withToken).headers.authorization, undefined, 'the bearer token stays with the API server');
  });

  it('a redirect from the backend to itself comes back through the proxy; one elsewhere is left alone', async () => {
    const host = `${server.hostname}:${server.port}`;
    const cases: [string, string][] = [
      ['/login?next=%2F', `https://${host}${svcPath('web:http', '/login?next=%2F')}`],
      [`http://${IP1}:${port1}/abs`, `https://${host}${svcPath('web:http', '/abs')}`],
      ['relative/page', 'relative/page'],
      [svcPath('web:http', '/already'), `https://${host}${svcPath('web:http', '/already')}`],
      ['https://example.com/x', 'https://example.com/x'],
    ];
    for (const [to, want] of cases) {
      const r = await api(svcPath('web:http', `/redirect?to=${encodeURIComponent(to)}`));
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, want, to);
    }
  });

  it('rewrites the links of an HTML page to come back through the proxy, gzip too, and nothing else', async () => {
    const host = `${server.hostname}:${server.port}`;
    const under = (p: string) => `https://${host}${svcPath('web:http', p)}`;
    const want = page(IP1, port1)
      .replace('href="/static/app.css"', `href="${under('/static/app.css')}"`)
      .replace('src="/static/app.js"', `src="${under('/static/app.js')}"`)
      .replace('href="/docs/?a=1&amp;b=2#top"', `href="${under('/docs/?a=1&amp;b=2#top')}"`)
      .replace(`href='http://${IP1}:${port1}/self'`, `href='${under('/self')}'`)
      .replace('HREF=/bare', `HREF="${under('/bare')}"`)
      .replace('src="/img/logo.png"', `src="${under('/img/logo.png')}"`)
      .replace('action="/submit"', `action="${under('/submit')}"`)
      .replace('href="/café/ünïcode?q=ö"', `href="${under('/café/ünïcode?q=ö')}"`)
      .replace(`href="//${IP1}:${port1}/proto-relative"`, `href="${under('/proto-relative')}"`);
    const r = await api(svcPath('web:http', '/page'));
    assert.equal(r.status, 200);
    assert.equal(r.body, want);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(want));
    const gz = await new Promise<Buffer>((resolve, reject) => {
      https
        .get({ host: server.hostname, port: server.port, path: svcPath('web:http', '/page?gzip=1'), ca, ...admin, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          assert.equal(res.headers['content-encoding'], 'gzip');
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
        .on('error', reject);
    });
    assert.equal(gunzipSync(gz).toString(), want);
    // Not HTML: passed on byte for byte.
    assert.equal((await api(svcPath('web:http', '/notpage'))).body, page(IP1, port1));
    // Pages past 8 MiB, read or unpacked, go on as the backend sent them.
    const bigLength = 13 * Math.ceil((9 << 20) / 13);
    const big = await api(svcPath('web:http', '/bigpage'));
    assert.equal(big.body.length, bigLength);
    assert.ok(!big.body.includes('/proxy/x'));
    const bomb = await new Promise<Buffer>((resolve, reject) => {
      https.get({ host: server.hostname, port: server.port, path: svcPath('web:http', '/bomb'), ca, ...admin }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    assert.equal(gunzipSync(bomb).length, bigLength);
    // A client that leaves while its page is being read: nothing breaks, the next one is served.
    const gone = https.get({ host: server.hostname, port: server.port, path: svcPath('web:http', '/slowpage'), ca, ...admin });
    gone.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    gone.destroy();
    await new Promise((r) => setTimeout(r, 500));
    const after = await api(svcPath('web:http', '/slowpage'));
    assert.equal(after.body, `<a href="https://${host}${svcPath('web:http', '/x')}"><a href="https://${host}${svcPath('web:http', '/y')}">`);
  });

  it('joins an upgrade (WebSocket and the like) to the backend byte for byte, without the credentials', async () => {
    const sock = tls.connect({ host: server.hostname, port: Number(server.port), ca, ...admin });
    await new Promise<void>((resolve, reject) => sock.once('secureConnect', () => resolve()).once('error', reject));
    sock.write(`GET ${svcPath('web:http', '/ws?x=1')} HTTP/1.1\r\nHost: ${server.host}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly`);
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString()));
    const deadline = Date.now() + 5000;
    while (!got.includes('early') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sock.write('later');
    while (!got.includes('later') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.match(got, /X-Path: \/ws\?x=1\r\n/);
    assert.match(got, /X-Authorization: none\r\n/);
    assert.match(got, /\r\n\r\nearly.*later$/s);
  });

  it('answers upstream\'s errors', async () => {
    const cases: [string, number, string, RegExp][] = [
      // Without a port, only a port without a name is meant: `web`'s are named.
      [svcPath('web', '/'), 503, 'ServiceUnavailable', /^no endpoints available for service "web"$/],
      [svcPath('web:82', '/'), 503, 'ServiceUnavailable', /^no service port 82 found for service "web"$/],
      [svcPath('web:nope', '/'), 503, 'ServiceUnavailable', /^no endpoints available for service "web:nope"$/],
      [svcPath('empty', '/'), 503, 'ServiceUnavailable', /^no endpoints available for service "empty"$/],
      [svcPath('missing', '/'), 404, 'NotFound', /^endpoints "missing" not found$/],
      [svcPath('missing:80', '/'), 404, 'NotFound', /^services "missing" not found$/],
      [svcPath('a:b:c:d', '/'), 400, 'BadRequest', /^invalid service request "a:b:c:d"$/],
      [svcPath('ftp:web:80', '/'), 400, 'BadRequest', /^invalid service request "ftp:web:80"$/],
      [svcPath(':80', '/'), 400, 'BadRequest', /^invalid service request ":80"$/],
    ];
    for (const [path, code, reason, message] of cases) {
      const r = await api(path);
      assert.equal(r.status, code, `${path}: ${r.body}`);
      const s = JSON.parse(r.body) as { reason: string; message: string };
      assert.equal(s.reason, reason, path);
      assert.match(s.message, message, path);
    }
  });

  it('dials only addresses of the pods its Endpoints name, never the machine\'s own', async () => {
    // `stray`'s addresses: one without a pod, one whose pod has another IP, one that is a pod's
    // but outside every pod CIDR (127.0.0.1, where the API server itself listens).
    const r = await api(svcPath('stray', '/api'));
    assert.equal(r.status, 503, r.body);
    assert.equal((JSON.parse(r.body) as { message: string }).message, 'no endpoints available for service "stray"');
  });

  it('a backend that is gone is upstream\'s 503 "error trying to reach service"', async () => {
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.233.7.12', resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise((resolve) => s.close(resolve));
    await createPod('gone', '127.233.7.12', port);
    const r = await api(podPath('gone', '/'));
    assert.equal(r.status, 503, r.body);
    assert.equal((JSON.parse(r.body) as { message: string }).message, `error trying to reach service: dial tcp 127.233.7.12:${port}: connect: connection refused`);
  });

  it('a caller without services/proxy is forbidden, as upstream says it', async () => {
    const token = await saToken('nobody');
    const r = await api(svcPath('web:80', '/'), { token });
    assert.equal(r.status, 403);
    assert.equal(
      (JSON.parse(r.body) as { message: string }).message,
      'services "web:80" is forbidden: User "system:serviceaccount:default:nobody" cannot get resource "services/proxy" in API group "" in the namespace "default"',
    );
  });

  it('kubectl proxy serves a Service on a local port', async () => {
    const p = startKubectl(t, ['proxy', '--port=0']);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!/127\.0\.0\.1:(\d+)/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      assert.ok(port > 0, `kubectl proxy said: ${out}`);
      const body = await new Promise<string>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port, path: svcPath('web:80', '/through/kubectl?proxy=1') }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        }).on('error', reject),
      );
      assert.equal((JSON.parse(body) as Seen).url, '/through/kubectl?proxy=1');
    } finally {
      p.kill();
    }
  });
});

describe('pods/proxy', () => {
  it('reaches the pod at its first declared port, or the port named', async () => {
    const r = await kubectl(t, ['get', '--raw', podPath('one', '/p?q=1')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Seen).url, '/p?q=1');
    const two = await api(podPath(`two:${port2}`, '/x'));
    assert.equal(seen(two).backend, 'two');
    assert.equal(seen(await api(podPath(`http:one:${port1}`, '/y'))).backend, 'one');
  });

  it('refuses a pod whose address is outside every pod CIDR, and bad names', async () => {
    const cases: [string, number, string][] = [
      [podPath('outside', '/'), 400, 'address not allowed'],
      [podPath('a:b:c:d', '/'), 400, 'invalid pod request "a:b:c:d"'],
      [podPath('missing', '/'), 404, 'pods "missing" not found'],
    ];
    for (const [path, code, message] of cases) {
      const r = await api(path);
      assert.equal(r.status, code, `${path}: ${r.body}`);
      assert.equal((JSON.parse(r.body) as { message: string }).message, message);
    }
    for (const [port, message] of [
      ['99999', 'error trying to reach service: dial tcp: address 99999: invalid port'],
      ['nosuchport', 'error trying to reach service: dial tcp: lookup tcp/nosuchport: unknown port'],
    ]) {
      const bad = await api(podPath(`one:${port}`, '/'));
      assert.equal(bad.status, 503, bad.body);
      assert.equal((JSON.parse(bad.body) as { message: string }).message, message);
    }
    // A port by name, as Go's dialer reads the services database: `http` is 80, where nothing listens.
    if (existsSync('/etc/services') && /^http\s+80\/tcp/m.test(readFileSync('/etc/services', 'utf8'))) {
      const named = await api(podPath('one:http', '/'));
      assert.equal((JSON.parse(named.body) as { message: string }).message, `error trying to reach service: dial tcp ${IP1}:80: connect: connection refused`);
    }
  });
});

describe('hostile proxy requests', () => {
  it('end in a 4xx or the backend\'s answer, and the server keeps serving', async () => {
    const cases: [string, number][] = [
      [svcPath('web:http', '/%zz'), 400],
      [svcPath('web:' + '9'.repeat(400), '/'), 503],
      [svcPath('..', '/'), 400],
      [svcPath('web:http', '/' + 'a/'.repeat(2000)), 200],
      [svcPath('web:http', '?' + 'q=1&'.repeat(2000)), 301],
      ['/api/v1/namespaces/default/services/web/proxy%2F..%2F..', 404],
    ];
    for (const [path, code] of cases) assert.equal((await api(path)).status, code, path.slice(0, 120));
    // Raw bytes the URL classes would refuse to send.
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = tls.connect({ host: server.hostname, port: Number(server.port), ca, ...admin }, () => {
        sock.end(`GET ${svcPath('web:http', '/a b')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
      let b = '';
      sock.on('data', (d: Buffer) => (b += d.toString()));
      sock.on('end', () => resolve(b));
      sock.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    const r = await api(svcPath('web:http', '/still'));
    assert.equal(r.status, 200);
  });
});

/** A token for ServiceAccount default/<name>, created if missing. */
async function saToken(name: string): Promise<string> {
  const api = t.cluster.api;
  const store = api.store('', 'serviceaccounts');
  const sa =
    (await store.find('default', name))?.obj ??
    (await store.create(newContext({ namespace: 'default' }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'default' } } as never));
  return api.serviceAccountTokens.sign(
    boundClaims({ issuer: api.serviceAccountTokens.issuer, serviceAccount: { namespace: 'default', name, uid: sa.metadata.uid! }, audiences: api.serviceAccountTokens.apiAudiences, expirationSeconds: 3600 }),
  );
}

/** Lets ServiceAccount default/<name> get `resource` in the namespace. */
async function grant(name: string, resource: string): Promise<void> {
  const api = t.cluster.api;
  const ctx = newContext({ namespace: 'default' });
  await api.store('rbac.authorization.k8s.io', 'roles').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'default' }, rules: [{ apiGroups: [''], resources: [resource], verbs: ['get'] }] } as never);
  await api.store('rbac.authorization.k8s.io', 'rolebindings').create(ctx, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }] } as never);
}
