// The routing core's proxy over real sockets on 127.0.0.1: routes by host and path, round robin
// over endpoints, a retry past an endpoint that refuses connections, X-Forwarded headers, 404,
// 413, a streamed body, and a configuration swap with requests in flight.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ingress } from '../../../src/api/networking.js';
import { buildRouteTable, route, type RouteTable } from '../../../src/ingress/routing/match.js';
import { RoundRobin, type BackendAddress } from '../../../src/ingress/routing/backends.js';
import { HttpProxy, type Router } from '../../../src/ingress/routing/proxy.js';

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

function backend(name: string): Server {
  return createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, url: req.url, bytes: n, xff: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'] }));
    });
  });
}

function get(port: number, host: string, path: string, method = 'GET', body?: Buffer): Promise<{ status: number; json?: any; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}

function ingress(rules: { host?: string; path: string; pathType: string; svc: string }[]): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default' },
    spec: { rules: rules.map((r) => ({ ...(r.host ? { host: r.host } : {}), http: { paths: [{ path: r.path, pathType: r.pathType, backend: { service: { name: r.svc, port: { number: 80 } } } }] } })) },
  };
}

describe('ingress proxy', () => {
  const servers: Server[] = [];
  let proxyPort = 0;
  let proxy: HttpProxy;
  const pools = new Map<string, RoundRobin>();
  // As the ingress controller routes: by the Ingress table, to the named Service's endpoints.
  const router = (table: RouteTable): Router => (req) => {
    const r = route(table, req.headers.host ?? '', (req.url ?? '/').split('?')[0]!);
    return r ? { kind: 'forward', info: { kind: 'Ingress', namespace: r.namespace, name: r.ingress, service: r.service.name! }, endpoints: pools.get(r.service.name!) } : undefined;
  };
  let front: Server;
  let dead: BackendAddress;
  before(async () => {
    const addrs: BackendAddress[] = [];
    for (const n of ['a1', 'a2', 'b1']) {
      const s = backend(n);
      servers.push(s);
      addrs.push({ ip: '127.0.0.1', port: await listen(s) });
    }
    // A port nobody listens on: connections to it are refused.
    const closed = createServer();
    const p = await listen(closed);
    await new Promise((r) => closed.close(r));
    dead = { ip: '127.0.0.1', port: p };
    pools.set('app', new RoundRobin([addrs[0]!, addrs[1]!]));
    pools.set('api', new RoundRobin([dead, addrs[2]!]));
    proxy = new HttpProxy(
      router(buildRouteTable([ingress([{ host: 'foo.example.com', path: '/app', pathType: 'Prefix', svc: 'app' }, { host: 'foo.example.com', path: '/api', pathType: 'Exact', svc: 'api' }])])),
      { maxBodyBytes: 1024 },
    );
    front = createServer((req, res) => proxy.handle(req, res));
    servers.push(front);
    proxyPort = await listen(front);
  });
  after(async () => {
    proxy.close();
    for (const s of servers) s.closeAllConnections?.();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('routes by host and path, round robin over the endpoints', async () => {
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await get(proxyPort, 'foo.example.com', '/app/x?q=1')).json.name);
    assert.deepEqual(names.sort(), ['a1', 'a1', 'a2', 'a2']);
    const r = await get(proxyPort, 'foo.example.com', '/app/x?q=1');
    assert.equal(r.json.url, '/app/x?q=1');
    assert.equal(r.json.xff, '127.0.0.1');
    assert.equal(r.json.proto, 'http');
    assert.equal(r.json.host, 'foo.example.com');
  });

  it('answers 404 where nothing matches', async () => {
    assert.equal((await get(proxyPort, 'foo.example.com', '/apix')).status, 404);
    assert.equal((await get(proxyPort, 'other.example.com', '/app')).status, 404);
    assert.equal((await get(proxyPort, 'foo.example.com', '/api/')).status, 404);
  });

  it('retries an idempotent request past an endpoint that refuses connections', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await get(proxyPort, 'foo.example.com', '/api');
      assert.equal(r.status, 200);
      assert.equal(r.json.name, 'b1');
    }
  });

  it('streams a request body, refuses one over the limit with 413', async () => {
    const ok = await get(proxyPort, 'foo.example.com', '/app', 'POST', Buffer.alloc(1000));
    assert.equal(ok.json.bytes, 1000);
    assert.equal((await get(proxyPort, 'foo.example.com', '/app', 'POST', Buffer.alloc(5000))).status, 413);
  });

  it('carries out a route\'s rewrites and header changes, answers redirects, and survives values HTTP cannot carry', async () => {
    const saved = router(buildRouteTable([ingress([{ path: '/', pathType: 'Prefix', svc: 'app' }])]));
    const bad = { name: 'X-Bad', value: 'a\r\nInjected: yes' };
    proxy.update((req) => {
      const info = { kind: 'HTTPRoute' as const, namespace: 'default', name: 'r' };
      switch (req.url) {
        case '/rewrite':
          return { kind: 'forward', info, endpoints: pools.get('app'), url: '/new?x=1', host: 'rewritten.example', requestHeaders: [{ set: [{ name: 'X-Forwarded-Proto', value: 'spoofed' }] }] };
        case '/bad-header':
          return { kind: 'forward', info, endpoints: pools.get('app'), requestHeaders: [{ set: [bad], add: [bad] }], responseHeaders: [{ set: [bad] }] };
        case '/bad-path':
          return { kind: 'forward', info, endpoints: pools.get('app'), url: '/with space' };
        case '/redirect':
          return { kind: 'respond', info, status: 301, headers: { location: 'https://elsewhere.example/' } };
        case '/bad-redirect':
          return { kind: 'respond', info, status: 302, headers: { location: 'https://x/\r\nSet-Cookie: a=b' } };
        default:
          return undefined;
      }
    });
    try {
      const rw = await get(proxyPort, 'foo.example.com', '/rewrite');
      assert.equal(rw.json.url, '/new?x=1');
      assert.equal(rw.json.proto, 'spoofed', 'a route\'s header changes come after the X-Forwarded ones');
      assert.equal((await get(proxyPort, 'foo.example.com', '/bad-header')).status, 200);
      assert.equal((await get(proxyPort, 'foo.example.com', '/bad-path')).status, 500);
      const redirect = await new Promise<{ status?: number; location?: string }>((resolve) => {
        request({ host: '127.0.0.1', port: proxyPort, path: '/redirect' }, (res) => {
          res.resume();
          resolve({ status: res.statusCode, location: res.headers.location });
        }).end();
      });
      assert.deepEqual(redirect, { status: 301, location: 'https://elsewhere.example/' });
      assert.equal((await get(proxyPort, 'foo.example.com', '/bad-redirect')).status, 500);
      assert.equal((await get(proxyPort, 'foo.example.com', '/nothing')).status, 404);
    } finally {
      proxy.update(saved);
    }
  });

  it('a configuration swap serves the new routes with no failed request', async () => {
    const inflight = Array.from({ length: 50 }, () => get(proxyPort, 'foo.example.com', '/app'));
    proxy.update(router(buildRouteTable([ingress([{ path: '/', pathType: 'Prefix', svc: 'app' }])])));
    const results = await Promise.all(inflight);
    assert.ok(results.every((r) => r.status === 200));
    assert.equal((await get(proxyPort, 'any.example.com', '/new')).status, 200);
  });
});
