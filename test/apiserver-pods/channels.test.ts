// The remote-command channel protocol at the byte level, with a plain WebSocket client: v4 (no
// close channel), v5 stdin EOF, resize messages, and subprotocols the server does not speak.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WebSocket } from 'ws';
import type { ExecSession } from '../../src/streaming/runtime.js';
import { createPod, startTestCluster, type TestCluster } from './fixture.js';

interface Received {
  protocol: string;
  messages: Buffer[];
  closeCode: number;
}

function credentials(kubeconfig: string) {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  return { ca: field('certificate-authority-data'), cert: field('client-certificate-data'), key: field('client-key-data') };
}

/** Opens an exec WebSocket, sends `outgoing` once open, and collects what comes back until close. */
function execOverWebSocket(t: TestCluster, query: string, protocols: string[], outgoing: Buffer[] = []): Promise<Received> {
  const url = `${t.cluster.api.url.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/web/exec?${query}`;
  const ws = new WebSocket(url, protocols, credentials(t.kubeconfig));
  const messages: Buffer[] = [];
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      for (const m of outgoing) ws.send(m);
    });
    ws.on('message', (d: Buffer) => messages.push(Buffer.from(d)));
    ws.on('unexpected-response', (_req, res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => reject(Object.assign(new Error(b), { status: res.statusCode })));
    });
    ws.on('error', reject);
    ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, closeCode: code }));
  });
}

const text = (r: Received, ch: number) =>
  Buffer.concat(r.messages.filter((m) => m[0] === ch).map((m) => m.subarray(1))).toString();

describe('remote-command channels', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
  });
  after(async () => t?.stop());

  it('v4: stdout, stderr and the final Status on channel 3, then a normal close', async () => {
    const q = 'command=sh&command=-c&command=echo%20hi%3B%20echo%20oops%20%3E%262%3B%20exit%202&stdout=true&stderr=true';
    const r = await execOverWebSocket(t, q, ['v4.channel.k8s.io']);
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    assert.equal(text(r, 1), 'hi\n');
    assert.equal(text(r, 2), 'oops\n');
    assert.deepEqual(JSON.parse(text(r, 3)), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: command terminated with exit code 2',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
    assert.equal(r.messages.at(-1)![0], 3, 'the status is the last message');
    assert.equal(r.closeCode, 1000);
  });

  it('v5: stdin data, then CLOSE(0) as EOF; Success status', async () => {
    const q = 'command=cat&stdin=true&stdout=true&stderr=true';
    const r = await execOverWebSocket(t, q, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], [
      Buffer.from([0, ...Buffer.from('piped\n')]),
      Buffer.from([255, 0]),
    ]);
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(text(r, 1), 'piped\n');
    assert.deepEqual(JSON.parse(text(r, 3)), { metadata: {}, status: 'Success' });
  });

  it('resize messages reach the session', async () => {
    const sizes: [number, number][] = [];
    const exec = t.node.exec.bind(t.node);
    t.node.exec = async (req) => {
      const s: ExecSession = await exec(req);
      return { ...s, resize: (w, h) => void sizes.push([w, h]) };
    };
    try {
      const q = 'command=cat&stdin=true&stdout=true&tty=true';
      await execOverWebSocket(t, q, ['v5.channel.k8s.io'], [
        Buffer.from([4, ...Buffer.from('{"Width":120,"Height":40}')]),
        Buffer.from([255, 0]),
      ]);
      assert.deepEqual(sizes, [[120, 40]]);
      assert.equal(t.node.execs.at(-1)!.tty, true);
    } finally {
      t.node.exec = exec;
    }
  });

  it('an unsupported subprotocol is refused before the upgrade', async () => {
    await assert.rejects(execOverWebSocket(t, 'command=true&stdout=true', ['channel.k8s.io']), (e: Error & { status?: number }) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /requested protocol\(s\) are not supported: \[channel\.k8s\.io\]; supports \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]/);
      return true;
    });
  });
});

describe('port-forward over plain WebSocket channels (v4.channel.k8s.io)', () => {
  let t: TestCluster;
  let server: net.Server;
  let port: number;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    server = net.createServer((s) => s.on('data', (d: Buffer) => s.write(`echo:${d.toString()}`)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    server?.close();
    await t?.stop();
  });

  function open(query: string): WebSocket {
    const url = `${t.cluster.api.url.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/web/portforward?${query}`;
    return new WebSocket(url, ['v4.channel.k8s.io'], credentials(t.kubeconfig));
  }

  it('announces the port on both channels, then carries data', async () => {
    const ws = open(`ports=${port}`);
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer) => {
      got.push(Buffer.from(d));
      if (got.length === 2) ws.send(Buffer.from([0, ...Buffer.from('ping')]));
      if (got.length === 3) ws.close();
    });
    await new Promise((r) => ws.on('close', r));
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    assert.deepEqual(got[0], Buffer.concat([Buffer.from([0]), portBytes]));
    assert.deepEqual(got[1], Buffer.concat([Buffer.from([1]), portBytes]));
    assert.equal(got[2]![0], 0);
    assert.equal(got[2]!.subarray(1).toString(), 'echo:ping');
  });

  it('the ports query is required', async () => {
    const ws = open('');
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 400);
  });
});
