// The API server's graceful shutdown at its boundary: a real HTTPS server and real TLS clients.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ensurePki } from '../../src/apiserver/pki.js';
import { GracefulShutdown } from '../../src/apiserver/http/graceful-shutdown.js';
import { isLongRunning } from '../../src/apiserver/http/long-running.js';

let dir: string;
let tls: { cert: string; key: string; ca: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubesvc-graceful-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  tls = { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A server whose /slow answers after 300 ms and whose watches stream until ended. */
async function serve(): Promise<{ server: https.Server; g: GracefulShutdown; port: number }> {
  const server = https.createServer({ cert: tls.cert, key: tls.key });
  const g = new GracefulShutdown(server);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/slow') {
      setTimeout(() => res.end('slow done'), 300);
    } else if (isLongRunning(req)) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
    } else {
      res.end('ok');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, g, port: (server.address() as AddressInfo).port };
}

function get(port: number, path: string, agent: https.Agent | false = false): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, ca: tls.ca, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function shutdownAndClose(g: GracefulShutdown, opts: { timeoutMs?: number; graceMs?: number } = {}): Promise<number> {
  const t0 = Date.now();
  const { closed } = await g.shutdown(opts.timeoutMs, opts.graceMs);
  await closed;
  return Date.now() - t0;
}

describe('API server graceful shutdown', () => {
  it('a request in flight is answered in full; then the port refuses new connections', async () => {
    const { g, port } = await serve();
    const inFlight = get(port, '/slow');
    await new Promise((r) => setTimeout(r, 100));
    const closing = shutdownAndClose(g);
    assert.deepEqual(await inFlight, { status: 200, body: 'slow done', connection: 'close' });
    await closing;
    await assert.rejects(get(port, '/'), /ECONNREFUSED/);
  });

  it('a connection accepted before shutdown whose request comes just after is still served (as Go\'s 5 s grace for new connections)', async () => {
    const { g, port } = await serve();
    const sock = tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' });
    await new Promise<void>((r, j) => sock.once('secureConnect', () => r()).once('error', j));
    const closing = shutdownAndClose(g);
    await new Promise((r) => setTimeout(r, 200));
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (text += d));
    const ended = new Promise<void>((r) => sock.once('end', () => r()));
    sock.write('GET /x HTTP/1.1\r\nHost: kubesvc\r\n\r\n');
    await ended;
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/i);
    assert.match(text, /\r\n\r\nok$/);
    sock.destroy();
    await closing;
  });

  it('an idle keep-alive connection is closed at once; shutdown does not wait for it', async () => {
    const { g, port } = await serve();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await get(port, '/', agent)).body, 'ok');
    const ms = await shutdownAndClose(g);
    assert.ok(ms < 1_000, `took ${ms} ms`);
    agent.destroy();
  });

  it('a watch is ended cleanly: its chunked stream finishes', async () => {
    const { g, port } = await serve();
    const ended = new Promise<string>((resolve) => {
      https.get({ host: '127.0.0.1', port, path: '/api/v1/services?watch=true', ca: tls.ca, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(`end:${body}`));
        res.on('aborted', () => resolve('aborted'));
        res.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code}`));
        setTimeout(() => void shutdownAndClose(g), 50);
      });
    });
    assert.equal(await ended, 'end:{"type":"ADDED"}\n');
  });

  it('returns at its bound, leaving what overran it for the caller to close', async () => {
    const { server, g, port } = await serve();
    // Shut down once the request is in the server's hands (a fixed 50 ms was too short on a busy machine).
    const arrived = new Promise((r) => server.once('request', r));
    const inFlight = get(port, '/slow');
    await arrived;
    const t0 = Date.now();
    const { closed } = await g.shutdown(100, 100);
    assert.ok(Date.now() - t0 < 250, 'bounded');
    // ApiServer.stopServing destroys what is left; here the slow request is let finish.
    assert.equal(g.open, 1);
    assert.equal((await inFlight).body, 'slow done');
    await closed;
  });

  it('knows upstream\'s long-running requests', () => {
    const req = (url: string) => ({ url }) as IncomingMessage;
    for (const u of ['/api/v1/pods?watch=1', '/api/v1/watch/pods', '/api/v1/namespaces/a/pods/p/log?follow=true', '/api/v1/namespaces/a/pods/p/exec?command=ls', '/api/v1/namespaces/a/pods/p/portforward']) {
      assert.ok(isLongRunning(req(u)), u);
    }
    for (const u of ['/api/v1/pods', '/api/v1/pods?watch=false', '/api/v1/namespaces/log']) assert.ok(!isLongRunning(req(u)), u);
  });
});
