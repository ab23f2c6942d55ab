import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { parseUpOptions, type UpOptions } from '../../src/cli/up.js';
import { forwardTCP } from '../../src/cli/tcp-forward.js';

const parse = (argv: string[]) => parseUpOptions(argv) as UpOptions;

describe('kubesvc up flags for the network modes', () => {
  it('loopback: userspace proxy, one node, 127.x plan', () => {
    const o = parse([]);
    assert.equal(o.network, 'loopback');
    assert.equal(o.proxyMode, 'userspace');
    assert.equal(o.nodes, 1);
    assert.equal(o.serviceCIDR, '127.96.0.0/16');
    // The kubelet API: 10250 unless given (then not moved when taken).
    assert.equal(o.kubeletPort, 10250);
    assert.equal(o.kubeletPortSet, false);
    assert.deepEqual([parse(['--kubelet-port', '0']).kubeletPort, parse(['--kubelet-port', '0']).kubeletPortSet], [0, true]);
    assert.throws(() => parse(['--kubelet-port', 'ten']), /--kubelet-port must be a port number, not "ten"/);
  });

  it('netns: iptables by default, the 10.x plan, N nodes and a namespace prefix', () => {
    const o = parse(['--network', 'netns', '--nodes', '3', '--netns-prefix', 'lab']);
    assert.equal(o.proxyMode, 'iptables');
    assert.equal(o.nodes, 3);
    assert.equal(o.netnsPrefix, 'lab');
    assert.equal(o.serviceCIDR, '10.96.0.0/12');
    assert.equal(o.podCIDR, '10.244.0.0/16');
    assert.equal(o.lbPool, '172.30.1.0/24');
    assert.equal(parse(['--network', 'netns', '--proxy-mode', 'nftables']).proxyMode, 'nftables');
  });

  it('refuses combinations that cannot work, saying what to use instead', () => {
    assert.throws(() => parse(['--proxy-mode', 'iptables']), /needs --network netns/);
    assert.throws(() => parse(['--network', 'netns', '--proxy-mode', 'userspace']), /use iptables \(the default\), nftables, or ipvs where the kernel has IPVS/);
    assert.throws(() => parse(['--nodes', '2']), /loopback mode runs one node/);
    assert.throws(() => parse(['--network', 'netns', '--nodes', '0']), /--nodes must be a number from 1 to 200/);
    assert.throws(() => parse(['--network', 'netns', '--nodes', 'two']), /--nodes must be a number/);
    assert.throws(() => parse(['--network', 'netns', '--netns-prefix', 'Bad_Name']), /--netns-prefix must be/);
    assert.throws(() => parse(['--network', 'netns', '--pod-cidr', '10.244.0.0/20']), /must be a \/16/);
    assert.throws(() => parse(['--network', 'vpn']), /--network must be loopback or netns/);
    assert.throws(() => parse(['--network', 'netns', '--proxy-mode', 'ipvs', '--ipvs-scheduler', 'fastest']), /--ipvs-scheduler must be one of rr, wrr, lc, wlc, sh, dh, sed, nq/);
    assert.equal(parse(['--network', 'netns', '--proxy-mode', 'ipvs', '--ipvs-scheduler', 'wlc']).ipvsScheduler, 'wlc');
  });
});

describe('the API relay on the bridge', () => {
  it('carries bytes both ways and closes with its listener', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const port = (echo.address() as { port: number }).port;
    const relay = await forwardTCP('127.0.0.1', 0, { host: '127.0.0.1', port });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const c = connect(relay.port, '127.0.0.1', () => c.end('hello through the relay'));
        let got = '';
        c.on('data', (d) => (got += d));
        c.on('end', () => resolve(got));
        c.on('error', reject);
      });
      assert.equal(reply, 'hello through the relay');
    } finally {
      await relay.close();
      echo.close();
    }
    const refused = await new Promise<string>((resolve) => {
      const c = connect(relay.port, '127.0.0.1', () => resolve('connected'));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  });
});
