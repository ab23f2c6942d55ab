// The MaxInFlight filter in front of a plain HTTP server whose handler holds each request until the
// test lets it go: the read-only and mutating pools, upstream's 429, exemptions, and slots coming
// back when a response ends or its client goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MaxInFlight } from '../../src/apiserver/http/max-inflight.js';
import { isLongRunning } from '../../src/apiserver/http/long-running.js';

let server: http.Server;
let port: number;
const limiter = new MaxInFlight({ maxRequestsInFlight: 2, maxMutatingRequestsInFlight: 1 });
/** Requests the handler holds, oldest first. */
const held: ServerResponse[] = [];

before(async () => {
  server = http.createServer((req, res) => limiter.handle(req, res, () => held.push(res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  for (const r of held) r.end();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends a request; resolves with the answer, or with 'held' if none came within `waitMs`. */
function send(method: string, path: string, waitMs = 300): { answer: Promise<Answer | 'held'>; abort: () => void } {
  const req = http.request({ host: '127.0.0.1', port, method, path, agent: false });
  const answer = new Promise<Answer | 'held'>((resolve) => {
    const t = setTimeout(() => resolve('held'), waitMs);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        clearTimeout(t);
        resolve({ status: res.statusCode!, headers: res.headers, body });
      });
    });
    req.on('error', () => undefined);
  });
  req.end();
  return { answer, abort: () => req.destroy() };
}

async function releaseAll(): Promise<void> {
  for (const r of held.splice(0)) r.end('done');
  // The slots come back on the responses' 'close', a tick after end().
  for (let i = 0; i < 50 && (limiter.inFlight.readOnly > 0 || limiter.inFlight.mutating > 0); i++) await new Promise((r) => setTimeout(r, 10));
}

test('past --max-requests-inflight a GET gets upstream\'s 429 at once; a POST still has its own pool', async () => {
  const a = send('GET', '/api/v1/namespaces/default/services');
  const b = send('GET', '/api/v1/namespaces/default/pods/p');
  assert.equal(await a.answer, 'held');
  assert.equal(await b.answer, 'held');
  const c = await send('GET', '/api/v1/services').answer;
  assert.notEqual(c, 'held');
  const r = c as Answer;
  assert.equal(r.status, 429);
  assert.equal(r.body, 'Too many requests, please try again later.\n');
  assert.equal(r.headers['retry-after'], '1');
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  // The mutating pool is separate: a POST is taken (and held) while GETs are refused.
  assert.equal(await send('POST', '/api/v1/namespaces/default/services').answer, 'held');
  const d = (await send('DELETE', '/api/v1/namespaces/default/services/x').answer) as Answer;
  assert.equal(d.status, 429, 'past --max-mutating-requests-inflight');
  assert.deepEqual(limiter.inFlight, { readOnly: 2, mutating: 1 });
  await releaseAll();
  assert.deepEqual(limiter.inFlight, { readOnly: 0, mutating: 0 });
  assert.equal(await send('GET', '/api/v1/services').answer, 'held', 'served again once slots came back');
  await releaseAll();
});

test('watches, logs, exec, attach, port-forward and proxy are long-running: never counted, never refused', async () => {
  send('GET', '/api/v1/services');
  send('GET', '/api/v1/services');
  send('POST', '/api/v1/namespaces/default/services');
  await new Promise((r) => setTimeout(r, 100));
  for (const [method, path] of [
    ['GET', '/api/v1/namespaces/default/services?watch=true'],
    ['GET', '/api/v1/services?watch=1&resourceVersion=0'],
    ['GET', '/api/v1/watch/namespaces/default/services'],
    ['GET', '/apis/apps/v1/namespaces/default/deployments?watch=true'],
    ['GET', '/api/v1/namespaces/default/pods/p/log?follow=true'],
    ['POST', '/api/v1/namespaces/default/pods/p/exec?command=sh'],
    ['POST', '/api/v1/namespaces/default/pods/p/attach'],
    ['POST', '/api/v1/namespaces/default/pods/p/portforward'],
    ['GET', '/api/v1/nodes/n1/proxy/metrics'],
  ] as const) {
    assert.equal(await send(method, path, 100).answer, 'held', `${method} ${path} was refused`);
  }
  assert.deepEqual(limiter.inFlight, { readOnly: 2, mutating: 1 });
  await releaseAll();
});

test('a client that gives up frees its slot', async () => {
  const a = send('GET', '/api/v1/services');
  const b = send('GET', '/api/v1/services');
  await Promise.all([a.answer, b.answer]);
  assert.equal(limiter.inFlight.readOnly, 2);
  a.abort();
  b.abort();
  for (let i = 0; i < 50 && limiter.inFlight.readOnly > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(limiter.inFlight.readOnly, 0);
  held.splice(0);
});

test('isLongRunning reads the path and the watch parameter as upstream does', () => {
  const lr = (url: string) => isLongRunning({ url } as http.IncomingMessage);
  assert.equal(lr('/api/v1/namespaces/default/services?watch=false'), false);
  assert.equal(lr('/api/v1/namespaces/default/services/log'), false, 'a Service named "log" is not a subresource');
  assert.equal(lr('/api/v1/namespaces/log'), false);
  assert.equal(lr('/healthz?watch=true'), false, 'non-resource requests are never watches');
  assert.equal(lr('/api/v1/namespaces/default/pods/p/status'), false);
  assert.equal(lr('/api/v1/namespaces/default/pods/p/log'), true);
  assert.equal(lr('/api/v1/nodes/n1/proxy'), true);
});
