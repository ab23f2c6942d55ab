// pods/portforward through the real kubectl 1.32, which tunnels SPDY inside a WebSocket
// (`SPDY/3.1+portforward.k8s.io`): real TCP connections through the forwarded local port to a
// server on 127.0.0.1, one after another and at the same time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { createPod, eventually, startKubectl, startTestCluster, type TestCluster } from './fixture.js';

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Connects, sends `msg`, half-closes, and collects everything until the server closes. */
function roundTrip(port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString()));
    c.on('error', reject);
    c.on('connect', () => c.end(msg));
    c.on('close', () => resolve(got));
  });
}

describe('pods/portforward', () => {
  let t: TestCluster;
  let echo: net.Server;
  let echoPort: number;
  let pf: ChildProcess | undefined;
  let pfOut = '';
  let pfErr = '';
  let local: number;

  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    // Answers every connection with "echo:" and what it received, once the client half-closes.
    echo = net.createServer({ allowHalfOpen: true }, (s) => {
      let buf = '';
      s.on('data', (d: Buffer) => (buf += d.toString()));
      s.on('end', () => s.end(`echo:${buf}`));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
    local = await freePort();
    pf = startKubectl(t, ['port-forward', 'pod/web', `${local}:${echoPort}`]);
    pf.stdout!.on('data', (d: Buffer) => (pfOut += d.toString()));
    pf.stderr!.on('data', (d: Buffer) => (pfErr += d.toString()));
    await eventually('kubectl port-forward to listen', () => pfOut.includes(`Forwarding from 127.0.0.1:${local} -> ${echoPort}`), 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\nstdout: ${pfOut}\nstderr: ${pfErr}`);
    });
  });

  after(async () => {
    pf?.kill('SIGKILL');
    echo?.close();
    await t?.stop();
  });

  it('forwards a connection to the pod port', async () => {
    assert.equal(await roundTrip(local, 'hello'), 'echo:hello');
    assert.match(pfOut, new RegExp(`Handling connection for ${local}`));
  });

  it('forwards one connection after another on the same tunnel', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await roundTrip(local, `n${i}`), `echo:n${i}`);
  });

  it('forwards concurrent connections and larger payloads', async () => {
    const big = 'y'.repeat(500_000);
    const results = await Promise.all([roundTrip(local, 'a'), roundTrip(local, big), roundTrip(local, 'c')]);
    assert.deepEqual(results, ['echo:a', `echo:${big}`, 'echo:c']);
    assert.equal(pfErr.includes('error'), false, pfErr);
  });

  it('a pod that speaks first and closes is read to the end', async () => {
    const greeter = net.createServer((s) => s.end('greetings\n'));
    await new Promise<void>((r) => greeter.listen(0, '127.0.0.1', r));
    const remote = (greeter.address() as net.AddressInfo).port;
    const p = startKubectl(t, ['port-forward', 'pod/web', `:${remote}`]);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually('port-forward to listen', () => /Forwarding from 127\.0\.0\.1:\d+/.test(out));
      const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const got = await new Promise<string>((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1');
        let b = '';
        c.on('data', (d: Buffer) => (b += d.toString()));
        c.on('error', reject);
        c.on('close', () => resolve(b));
      });
      assert.equal(got, 'greetings\n');
      // The tunnel stays usable for the next connection.
      assert.equal(await new Promise<string>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        let b = '';
        c.on('data', (d: Buffer) => (b += d.toString()));
        c.on('close', () => resolve(b));
      }), 'greetings\n');
    } finally {
      p.kill('SIGKILL');
      greeter.close();
    }
  });

  it('reports a port nobody listens on and kubectl gives up, as upstream', async () => {
    const closed = await freePort();
    const p = startKubectl(t, ['port-forward', 'pod/web', `${await freePort()}:${closed}`]);
    let out = '';
    let err = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await eventually('port-forward to listen', () => out.includes('Forwarding from 127.0.0.1:'));
    const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    await roundTrip(port, 'x').catch(() => '');
    await eventually('the error to be reported', () => err.includes(`error forwarding port ${closed} to pod web_default`));
    assert.match(err, /ECONNREFUSED|connection refused/);
    // kubectl may have given up (and closed) already, before a 'close' listener could be added.
    const code =
      p.exitCode ??
      (await new Promise<number | null>((r) => {
        const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
        p.on('close', (c) => {
          clearTimeout(timer);
          r(c);
        });
      }));
    assert.notEqual(code, 0);
  });
});
