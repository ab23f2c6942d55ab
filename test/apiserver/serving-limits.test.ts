// The real API server (HTTPS, client certificates, SQLite) with small limits, over real sockets:
// connections that never handshake or never send a request are closed by their deadlines, one
// client address cannot take every connection, and past --max-mutating-requests-inflight a client
// gets upstream's 429 while system:masters is still served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import type { Backend } from '../../src/storage/backend.js';
import { ensurePki, type Pki } from '../../src/apiserver/pki.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { allowLoopbackAddresses } from '../../src/api/validation/ip.js';
import { setQuiet } from '../../src/util/log.js';
import { apiServerOptions } from '../support/apiserver.js';

let dir: string;
let backend: Backend;
let pki: Pki;
let api: ApiServer;
/** A certificate from the cluster CA in group system:masters, which the in-flight limits never refuse. */
let superAdmin: { cert: string; key: string };
const sockets: Socket[] = [];

before(async () => {
  setQuiet(true);
  allowLoopbackAddresses(true);
  dir = mkdtempSync(join(tmpdir(), 'kubesvc-limits-'));
  pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  backend = openBackend('sqlite://:memory:', { dataDir: dir });
  await backend.start();
  api = new ApiServer(apiServerOptions(backend, pki, {
    limits: {
      tlsHandshakeTimeoutMs: 1000,
      readHeaderTimeoutMs: 800,
      maxConnectionsPerClient: 3,
      maxConnections: 5,
      maxMutatingRequestsInFlight: 1,
    },
  }));
  await api.start();
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'super.key', '-subj', '/CN=super/O=system:masters', '-out', 'super.csr']);
  openssl(['x509', '-req', '-in', 'super.csr', '-CA', join('pki', 'ca.crt'), '-CAkey', join('pki', 'ca.key'), '-CAcreateserial', '-days', '1', '-out', 'super.crt']);
  superAdmin = { cert: readFileSync(join(dir, 'super.crt'), 'utf8'), key: readFileSync(join(dir, 'super.key'), 'utf8') };
});

after(async () => {
  for (const s of sockets) s.destroy();
  await api.stop();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function rawConnect(localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port: api.port, localAddress });
    sockets.push(s);
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function tlsOpen(id: { cert: string; key: string }, localAddress = '127.0.0.1'): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ socket: netConnect({ host: '127.0.0.1', port: api.port, localAddress }), ca: pki.caCert, cert: id.cert, key: id.key, servername: 'localhost' });
    sockets.push(s);
    s.on('error', () => undefined);
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Milliseconds until the server closed `s`, or undefined if it stayed open `ms`. */
function closedWithin(s: Socket, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(0);
    const t = setTimeout(() => resolve(undefined), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(Date.now() - t0);
    });
  });
}

async function settle(open: number): Promise<void> {
  for (let i = 0; i < 100 && api.connections.open !== open; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(api.connections.open, open);
}

function request(id: { cert: string; key: string }, method: string, path: string, body?: string, localAddress = '127.0.0.1', headers: Record<string, string> = {}): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: api.port, method, path, localAddress, ca: pki.caCert, cert: id.cert, key: id.key, servername: 'localhost', agent: false, headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: b }));
    });
    req.setTimeout(3000, () => req.destroy(new Error(`${method} ${path}: no answer in 3 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const admin = () => ({ cert: pki.adminCert, key: pki.adminKey });

test('a connection that never starts its TLS handshake is closed after the handshake timeout', async () => {
  const s = await rawConnect();
  const ms = await closedWithin(s, 4000);
  assert.ok(ms !== undefined && ms >= 900 && ms < 1600, `closed after ${ms} ms (timeout 1000 ms)`);
  await settle(0);
});

test('after the handshake, a client that sends no request, or its headers a byte at a time, is closed after the header timeout', async () => {
  const silent = await tlsOpen(admin());
  const slow = await tlsOpen(admin());
  slow.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n');
  const timer = setInterval(() => slow.write('X'), 50);
  const [a, b] = await Promise.all([closedWithin(silent, 4000), closedWithin(slow, 4000)]);
  clearInterval(timer);
  assert.ok(a !== undefined && a >= 700 && a < 2500, `silent connection closed after ${a} ms (timeout 800 ms)`);
  assert.ok(b !== undefined && b < 2500, `slow headers closed after ${b} ms (timeout 800 ms)`);
  await settle(0);
});

test('one client address gets at most maxConnectionsPerClient; others still connect, up to maxConnections', async () => {
  const mine = await Promise.all([rawConnect(), rawConnect(), rawConnect()]);
  await settle(3);
  const fourth = await rawConnect();
  const ms = await closedWithin(fourth, 500);
  assert.ok(ms !== undefined && ms < 500, 'a fourth connection from the same address is closed at once');
  // Another address is served while the first is at its cap.
  const v = await request(admin(), 'GET', '/version', undefined, '127.0.0.2');
  assert.equal(v.status, 200);
  assert.match(v.body, /gitVersion/);
  await settle(3);
  const theirs = await Promise.all([rawConnect('127.0.0.2'), rawConnect('127.0.0.2')]);
  await settle(5);
  const third = await rawConnect('127.0.0.3');
  assert.notEqual(await closedWithin(third, 500), undefined, 'past maxConnections in all a new connection is closed');
  assert.ok(api.connections.refused >= 2);
  for (const s of [...mine, ...theirs]) s.destroy();
  await settle(0);
});

test('headers past 16 KiB get 431 and a malformed request 400, read by the client rather than lost to a reset', async () => {
  // The answer is written before the client has finished sending: the server must keep reading
  // what follows instead of closing at once, or the client sees ECONNRESET and no status.
  for (const size of [20_000, 60_000, 600_000]) {
    for (let i = 0; i < 5; i++) {
      const r = await request(admin(), 'GET', '/version', undefined, '127.0.0.1', { 'X-Big': 'A'.repeat(size) });
      assert.equal(r.status, 431, `${size} bytes of headers, try ${i}`);
    }
  }
  const bad = await tlsOpen(admin());
  bad.write('GET /version HTTP/1.1\r\nHost x\r\n\r\n');
  const answer = await new Promise<string>((resolve) => {
    let got = '';
    bad.on('data', (c: Buffer) => (got += c.toString()));
    bad.on('close', () => resolve(got));
  });
  assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.equal((await request(admin(), 'GET', '/version')).status, 200);
  await settle(0);
});

test('on a kept-alive connection that already had an answer, oversized headers still get their 431', async () => {
  const s = await tlsOpen(admin());
  let got = '';
  s.on('data', (c: Buffer) => (got += c.toString()));
  s.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
  const deadline = Date.now() + 5000;
  while (!/\r\n\r\n[\s\S]*gitVersion[\s\S]*}/.test(got) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.match(got, /^HTTP\/1\.1 200 OK\r\n/);
  got = '';
  s.write(`GET /version HTTP/1.1\r\nHost: x\r\nX-Big: ${'A'.repeat(60_000)}\r\n\r\n`);
  const answer = await new Promise<string>((resolve) => {
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(`reset after: ${got}`));
  });
  assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  await settle(0);
});

test("past --max-mutating-requests-inflight a client gets upstream's 429; system:masters is still served", async () => {
  // A create whose body never finishes holds the one mutating slot. The admin kubeconfig's user
  // (kubeadm:cluster-admins, not system:masters) is limited, as upstream's kubeadm admin is.
  const holder = await tlsOpen(admin());
  holder.write('POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":"v1",');
  for (let i = 0; i < 100 && api.maxInFlight.inFlight.mutating < 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(api.maxInFlight.inFlight.mutating, 1);
  const ns = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const refused = await request(admin(), 'POST', '/api/v1/namespaces', ns('refused'));
  assert.equal(refused.status, 429);
  assert.equal(refused.body, 'Too many requests, please try again later.\n');
  assert.equal(refused.headers['retry-after'], '1');
  // Reads have their own pool.
  assert.equal((await request(admin(), 'GET', '/api/v1/namespaces/default')).status, 200);
  // A super-admin always gets an answer, as upstream.
  assert.equal((await request(superAdmin, 'POST', '/api/v1/namespaces', ns('by-super-admin'))).status, 201);
  assert.equal((await request(admin(), 'GET', '/api/v1/namespaces/refused')).status, 404, 'the refused create stored nothing');
  holder.destroy();
  for (let i = 0; i < 100 && api.maxInFlight.inFlight.mutating > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await request(admin(), 'POST', '/api/v1/namespaces', ns('after'))).status, 201, 'the slot came back when its client left');
});
