// Crash containment: a handler that fails (before writing, mid-answer, in a timer, in a rejected
// promise, in a listener) ends that request only — the API server process keeps answering others.
// The server runs in its own process so "the process survived" is observed, not assumed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../support/raw-request.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'contained-server.js');

interface Child {
  proc: ChildProcess;
  url: string;
  kubeconfig: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startChild(): Promise<Child> {
  const proc = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`fixture not ready in 20 s: ${err}`)), 20_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        resolve(out.slice(0, nl));
      }
    });
    void exited.then((code) => reject(new Error(`fixture exited ${code}: ${err}`)));
  });
  const { url, kubeconfig } = JSON.parse(line) as { url: string; kubeconfig: string };
  return { proc, url, kubeconfig, stderr: () => err, exited };
}

async function stopChild(c: Child | undefined): Promise<void> {
  if (!c) return;
  if (c.proc.exitCode === null && c.proc.signalCode === null) {
    c.proc.kill('SIGTERM');
    const t = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
    await c.exited;
    clearTimeout(t);
  }
  // A fixture that died (the fatal case) could not remove its scratch directory itself.
  rmSync(dirname(c.kubeconfig), { recursive: true, force: true });
}

const proxyPath = (mode: string) => `/api/v1/namespaces/default/services/web/proxy?mode=${mode}`;

describe('a failing request ends only itself', () => {
  let c: Child;
  before(async () => {
    c = await startChild();
  });
  after(async () => stopChild(c));

  async function stillServing(): Promise<void> {
    assert.equal(c.proc.exitCode, null, `the API server exited: ${c.stderr()}`);
    const r = await rawRequest(c, 'GET', '/api/v1/namespaces/default/services');
    assert.equal(r.status, 200);
    assert.equal(r.json().kind, 'ServiceList');
  }

  it('a handler throwing before it wrote anything gets one 500 Status', async () => {
    const r = await rawRequest(c, 'GET', proxyPath('throw-before'));
    assert.equal(r.status, 500);
    assert.equal(r.json().reason, 'InternalError');
    assert.match(r.json().message, /boom before writing/);
    await stillServing();
  });

  it('a handler throwing after its headers went out has its connection cut, not the process', async () => {
    const r = await rawRequest(c, 'GET', proxyPath('throw-after-headers'));
    assert.equal(r.status, 200);
    assert.equal(r.aborted, true, 'a half-written answer must not look complete');
    await stillServing();
  });

  for (const [mode, what] of [
    ['timer', 'a timer it started'],
    ['rejection', 'a promise it rejected and nobody awaited'],
    ['req-listener', 'a listener on its request'],
    ['guarded-listener', "a guarded listener on another emitter"],
  ] as const) {
    it(`an error thrown later in ${what} answers that request with a 500`, async () => {
      const r = await rawRequest(c, 'GET', proxyPath(mode));
      assert.equal(r.status, 500);
      assert.equal(r.json().reason, 'InternalError');
      assert.match(r.json().message, /boom/);
      await stillServing();
    });
  }

  it('an error in a listener after the answer was complete is logged, the answer stands', async () => {
    const r = await rawRequest(c, 'GET', proxyPath('res-listener'));
    assert.equal(r.status, 200);
    assert.equal(r.body, 'done');
    await stillServing();
  });

  for (const rv of ['abc', '-5', '1.5']) {
    it(`a watch from resourceVersion=${rv} is a 400 and the server lives on`, async () => {
      const r = await rawRequest(c, 'GET', `/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}`);
      assert.equal(r.status, 400);
      assert.equal(r.json().reason, 'BadRequest');
      // the connection's later 'close' used to write the headers again and kill the process
      await new Promise((res) => setTimeout(res, 100));
      await stillServing();
    });
  }

  it('a watch from a far-future resourceVersion is established, as upstream, and the server lives on', async () => {
    const r = await rawRequest(c, 'GET', '/api/v1/namespaces/default/services?watch=1&resourceVersion=9999999999999999999&timeoutSeconds=1');
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
    await stillServing();
  });
});

describe('an error no request owns', () => {
  it('stays fatal, as it was before containment', async () => {
    const c = await startChild();
    try {
      const r = await rawRequest(c, 'GET', proxyPath('unattributable'));
      assert.equal(r.body, 'scheduled');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([c.exited, new Promise((res) => (timer = setTimeout(() => res('alive'), 10_000)))]);
      // A pending timer would keep this test file's process up for the rest of the 10 s.
      clearTimeout(timer);
      assert.equal(code, 1);
      assert.match(c.stderr(), /boom nobody owns/);
    } finally {
      await stopChild(c);
    }
  });
});
