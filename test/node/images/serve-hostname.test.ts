import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Agent } from 'node:http';
import { AGNHOST, SERVE_HOSTNAME, freePort, freeUDPPort, httpGet, killAll, startProgram, terminate, testSubnet, udpRoundTrip, waitHTTP } from './helpers.js';

const ip = testSubnet(2);
after(killAll);

function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = connect(port, host);
    s.on('data', (c) => (data += c.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

async function waitTCP(host: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await tcpRead(host, port);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('agnhost serve-hostname', () => {
  it('answers the hostname over HTTP on any path, bound to POD_IP, and exits 0 on SIGTERM', async () => {
    const host = ip(10);
    const port = await freePort(host);
    const p = startProgram(AGNHOST, ['serve-hostname', '--port', String(port)], { POD_IP: host, HOSTNAME: 'web-7d4b9c-abcde' });
    await p.waitFor(`Serving on port ${port}.`);
    await waitHTTP(host, port);
    const r = await httpGet(host, port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'web-7d4b9c-abcde');
    assert.equal((await httpGet(host, port, '/any/path?x=1')).body, 'web-7d4b9c-abcde');
    const agent = new Agent({ keepAlive: true });
    assert.equal((await httpGet(host, port, '/', { agent })).headers.connection, 'keep-alive');
    agent.destroy();
    // bound to the pod's address only, not the wildcard
    await assert.rejects(httpGet('127.0.0.1', port, '/'));
    await p.waitFor(/HTTP request from 127\.0\.0\.1:\d+|HTTP request from 127\.250/);
    const { code, ms } = await terminate(p);
    assert.equal(code, 0);
    assert.ok(ms < 2000, `exited in ${ms} ms`);
    assert.match(p.stdout(), /Shutting down after receiving signal: terminated\./);
  });

  it('--close asks for a new connection per request', async () => {
    const host = ip(11);
    const port = await freePort(host);
    startProgram(AGNHOST, ['serve-hostname', `--port=${port}`, '--close'], { POD_IP: host, HOSTNAME: 'closer' });
    await waitHTTP(host, port);
    const r = await httpGet(host, port, '/');
    assert.equal(r.body, 'closer');
    assert.equal(r.headers.connection, 'close');
  });

  it('--http=false --tcp writes the hostname and closes; --udp answers datagrams', async () => {
    const host = ip(12);
    const port = await freePort(host);
    startProgram(AGNHOST, ['serve-hostname', '--http=false', '--tcp', '--udp', `--port=${port}`], { POD_IP: host, HOSTNAME: 'raw-pod' });
    await waitTCP(host, port);
    assert.equal(await tcpRead(host, port), 'raw-pod');
    assert.equal(await udpRoundTrip(host, port, 'anything'), 'raw-pod');
  });

  it('refuses HTTP together with TCP/UDP, as upstream', async () => {
    const p = startProgram(AGNHOST, ['serve-hostname', '--udp'], { POD_IP: ip(13) });
    const { code } = await p.exited;
    assert.equal(code, 1);
    assert.match(p.stderr(), /Can't serve TCP\/UDP mode and HTTP mode at the same time/);
  });

  it('unknown flags: cobra error and usage on stderr, exit 1', async () => {
    const p = startProgram(AGNHOST, ['serve-hostname', '--bogus'], { POD_IP: ip(14) });
    assert.equal((await p.exited).code, 1);
    assert.match(p.stderr(), /^Error: unknown flag: --bogus\nUsage:\n {2}app serve-hostname \[flags\]/);
    assert.match(p.stderr(), /--port int +Port number\. \(default 9376\)/);
    const q = startProgram(AGNHOST, ['serve-hostname', '--port=abc'], { POD_IP: ip(14) });
    assert.equal((await q.exited).code, 1);
    assert.match(q.stderr(), /invalid argument "abc" for "--port" flag/);
  });

  it('unknown subcommand: exit 1', async () => {
    const p = startProgram(AGNHOST, ['no-such-thing'], {});
    assert.equal((await p.exited).code, 1);
    assert.equal(p.stderr(), 'Error: unknown command "no-such-thing" for "app"\nRun \'app --help\' for usage.\n');
  });

  it('a port already in use: the listen error as Go prints it, exit 1', async () => {
    const host = ip(16);
    const port = await freePort(host);
    const holder = startProgram(AGNHOST, ['serve-hostname', `--port=${port}`], { POD_IP: host });
    await waitHTTP(host, port);
    const p = startProgram(AGNHOST, ['serve-hostname', `--port=${port}`], { POD_IP: host });
    assert.equal((await p.exited).code, 1);
    assert.match(p.stderr(), new RegExp(`listen tcp ${host.replace(/\./g, '\\.')}:${port}: bind: address already in use`));
    holder.child.kill('SIGTERM');
  });

  it('accepts klog flags', async () => {
    const host = ip(15);
    const port = await freePort(host);
    const p = startProgram(AGNHOST, ['serve-hostname', '--v=2', '--logtostderr', `--port=${port}`], { POD_IP: host, HOSTNAME: 'k' });
    await waitHTTP(host, port);
    assert.equal((await httpGet(host, port, '/')).body, 'k');
    assert.equal((await terminate(p)).code, 0);
  });
});

describe('registry.k8s.io/serve_hostname (standalone image)', () => {
  it('serves HTTP on -port, Go flag syntax, panics (exit 2) on SIGTERM', async () => {
    const host = ip(20);
    const port = await freePort(host);
    const p = startProgram(SERVE_HOSTNAME, [`-port=${port}`], { POD_IP: host, HOSTNAME: 'legacy' });
    await waitHTTP(host, port);
    assert.equal((await httpGet(host, port, '/x')).body, 'legacy');
    const { code, ms } = await terminate(p);
    assert.equal(code, 2);
    assert.ok(ms < 2000);
    assert.match(p.stdout(), /Terminating after receiving signal: terminated\./);
  });
  it('-udp -http=false answers datagrams', async () => {
    const host = ip(21);
    const port = await freeUDPPort(host);
    const p = startProgram(SERVE_HOSTNAME, ['-udp', '-http=false', '-port', String(port)], { POD_IP: host, HOSTNAME: 'legacy-udp' });
    let answer: string | undefined;
    for (let i = 0; i < 20 && answer === undefined; i++) answer = await udpRoundTrip(host, port, 'x', 250);
    assert.equal(answer, 'legacy-udp');
    p.child.kill('SIGTERM');
  });
  it('undefined flags: Go flag usage, exit 2', async () => {
    const p = startProgram(SERVE_HOSTNAME, ['-nope'], {});
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr(), /^flag provided but not defined: -nope\nUsage of \/serve_hostname:\n {2}-http\n/);
  });
});
