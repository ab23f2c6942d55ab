import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { NetnsBusyError, clearStaleLocks, netnsHolders, takeNetnsLocks } from '../../src/cli/netns-lock.js';
import { down } from '../../src/cli/down.js';
import { conflictingRoutes, netnsEnv, routeDestination } from '../../src/node/network/index.js';
import { FakeFiles, FakeRunner } from '../node/network/fake.js';

const dir = () => mkdtempSync(join(tmpdir(), 'kubesvc-lock-'));

describe('netns mode locks', () => {
  it('one cluster per prefix and per network namespace; released on stop', () => {
    const d = dir();
    try {
      const release = takeNetnsLocks('p1', d);
      // This process stands in for the running cluster: a second start is refused, naming it.
      assert.throws(() => takeNetnsLocks('p1', d), (e: unknown) => e instanceof NetnsBusyError && new RegExp(`pid ${process.pid}\\) runs --network netns with prefix p1`).test(e.message));
      assert.throws(() => takeNetnsLocks('p2', d), /with this network namespace \(namespaces p1-node-\*\)/);
      release();
      takeNetnsLocks('p2', d)();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('takes over a lock whose process is gone, or whose PID now belongs to another process', () => {
    const d = dir();
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      writeFileSync(join(d, 'prefix-p1.lock'), `${gone} 123 p1\n`);
      takeNetnsLocks('p1', d)();
      // Our own PID with another start time: a reused PID, not the cluster that wrote the lock.
      writeFileSync(join(d, 'prefix-p1.lock'), `${process.pid} 1 p1\n`);
      const release = takeNetnsLocks('p1', d);
      assert.match(readFileSync(join(d, 'prefix-p1.lock'), 'utf8'), new RegExp(`^${process.pid} \\d+ p1`));
      release();
      assert.deepEqual(netnsHolders('p1', d), []);
      // What a crash leaves, `kubesvc down` clears; a live holder's file stays.
      writeFileSync(join(d, 'prefix-p1.lock'), `${gone} 123 p1\n`);
      assert.deepEqual(clearStaleLocks('p1', d), [join(d, 'prefix-p1.lock')]);
      const held = takeNetnsLocks('p1', d);
      assert.deepEqual(clearStaleLocks('p1', d), []);
      held();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('kubesvc down refuses while a kubesvc holds them, unless forced', async () => {
    let err = '';
    let out = '';
    const holders = () => [{ pid: 4242, prefix: 'kubesvc', what: 'prefix kubesvc' }];
    const r = new FakeRunner();
    assert.equal(await down([], { runner: r, files: new FakeFiles(), holders, out: (s) => (out += s), err: (s) => (err += s) }), 1);
    assert.match(err, /kubesvc \(pid 4242\) is running with prefix kubesvc; stop it \(Ctrl-C, or kill 4242\).*or pass --force/);
    assert.equal(r.calls.length, 0, 'nothing touched');
    assert.equal(await down(['--force'], { runner: r, files: new FakeFiles(), holders, out: (s) => (out += s), err: (s) => (err += s) }), 0);
    assert.ok(r.calls.includes('ip netns list'));
  });
});

describe('routes netns mode will not take over', () => {
  it('reads route destinations', () => {
    assert.equal(routeDestination('10.96.0.0/16 via 192.0.2.1 dev eth0'), '10.96.0.0/16');
    assert.equal(routeDestination('blackhole 172.30.0.0/16'), '172.30.0.0/16');
    assert.equal(routeDestination('10.244.3.7 via 192.0.2.1 dev eth0'), '10.244.3.7/32');
    assert.equal(routeDestination('default via 192.0.2.1 dev eth0'), undefined);
  });

  it('finds the machine\'s routes that overlap our ranges, ignoring the default route and our own bridge', async () => {
    const routes = [
      'default via 192.0.2.1 dev eth0',
      '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2',
      '10.96.0.0/16 via 192.0.2.1 dev tun0',
      '10.244.1.0/24 via 172.30.0.11 dev kubesvc0',
      '172.30.1.9 dev wg0 scope link',
    ].join('\n');
    const runner = new FakeRunner((l) => (l === 'ip -4 route show table main' ? { stdout: routes } : undefined));
    const found = await conflictingRoutes(netnsEnv({ runner }), ['172.30.0.0/24', '10.244.0.0/16', '10.96.0.0/12', '172.30.1.0/24']);
    assert.deepEqual(found, [
      { range: '10.96.0.0/12', route: '10.96.0.0/16 via 192.0.2.1 dev tun0' },
      { range: '172.30.1.0/24', route: '172.30.1.9 dev wg0 scope link' },
    ]);
  });
});
