import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { layoutMismatch, readLayout, removeLayout, writeLayout, type NetnsLayout } from '../../src/cli/netns-layout.js';
import { keepOrClearLeftovers, removeUnclaimedPods } from '../../src/cli/netns-adopt.js';
import { clearStaleLocks, layoutFile, takeNetnsLocks } from '../../src/cli/netns-lock.js';
import { netnsEnv } from '../../src/node/network/index.js';
import { FakeFiles, FakeRunner } from '../node/network/fake.js';

const dir = () => mkdtempSync(join(tmpdir(), 'kubesvc-layout-'));

const layout = (o: Partial<NetnsLayout> = {}): NetnsLayout => ({
  prefix: 'kubesvc',
  dataDir: '/var/lib/kubesvc',
  nodes: 2,
  podCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/12',
  lbPool: '172.30.1.0/24',
  netns: '4026531840',
  ...o,
});

const UID1 = '1a2b3c4d5e6f7a8b9c0d111122223333';
const UID2 = 'ffffeeeeddddccccbbbbaaaa99998888';
const LINKS = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536
7: kubesvc0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
9: ksn1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master kubesvc0
10: ksn2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master kubesvc0
`;
/** What a kill -9 of a 2-node cluster leaves: nodes, two pods (one still running), and a stray node 3. */
function leftovers(netns = `kubesvc-node-1\nkubesvc-node-2\nkubesvc-node-3\nkubesvc-pod-${UID1} (id: 4)\nkubesvc-pod-${UID2}\nsomeone-else\n`): FakeRunner {
  return new FakeRunner((l) => {
    if (l === 'ip netns list') return { stdout: netns };
    if (l === 'ip -o link show') return { stdout: LINKS };
    if (l === `ip netns pids kubesvc-pod-${UID1}`) return { stdout: '4242\n' };
    return undefined;
  });
}

describe('the layout record of a netns run', () => {
  it('reads back what was written (0600), and nothing once removed', () => {
    const d = dir();
    try {
      writeLayout(layout(), d);
      assert.deepEqual(readLayout('kubesvc', d), layout());
      assert.equal(statSync(layoutFile('kubesvc', d)).mode & 0o777, 0o600);
      assert.equal(readLayout('other', d), undefined);
      removeLayout('kubesvc', d);
      assert.equal(readLayout('kubesvc', d), undefined);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a damaged or foreign record is no record', () => {
    const d = dir();
    try {
      for (const text of ['', '{', 'null', '[]', '"x"', '{"prefix":"kubesvc"}', JSON.stringify({ ...layout(), nodes: '2' }), JSON.stringify({ ...layout(), dataDir: 7 }), JSON.stringify({ ...layout(), nodes: 1.5 })]) {
        writeFileSync(layoutFile('kubesvc', d), text);
        assert.equal(readLayout('kubesvc', d), undefined, text);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('names the first difference that makes the earlier run another cluster', () => {
    const want = layout();
    assert.equal(layoutMismatch(layout(), want), undefined);
    assert.match(layoutMismatch(undefined, want)!, /left no record of what it built/);
    assert.equal(layoutMismatch(layout({ netns: '1' }), want), 'it ran in another network namespace, which holds its bridge');
    assert.equal(layoutMismatch(layout({ dataDir: '/tmp/x' }), want), "it kept its pods' state in /tmp/x, this run uses /var/lib/kubesvc");
    assert.equal(layoutMismatch(layout({ nodes: 3 }), want), 'it ran 3 node(s), this run 2');
    assert.equal(layoutMismatch(layout({ podCIDR: '10.245.0.0/16' }), want), 'it ran with --pod-cidr 10.245.0.0/16, this run with 10.244.0.0/16');
    assert.equal(layoutMismatch(layout({ serviceCIDR: '10.0.0.0/16' }), want), 'it ran with --service-cidr 10.0.0.0/16, this run with 10.96.0.0/12');
    assert.equal(layoutMismatch(layout({ lbPool: '172.30.1.5-172.30.1.9' }), want), 'it ran with --lb-pool 172.30.1.5-172.30.1.9, this run with 172.30.1.0/24');
  });

  it('goes with the stale locks of a crashed run, never while its run is alive', () => {
    const d = dir();
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      writeLayout(layout(), d);
      const release = takeNetnsLocks('kubesvc', d);
      assert.deepEqual(clearStaleLocks('kubesvc', d), []);
      assert.ok(existsSync(layoutFile('kubesvc', d)), 'a live run keeps its record');
      release();
      writeFileSync(join(d, 'prefix-kubesvc.lock'), `${gone} 123 kubesvc\n`);
      assert.deepEqual(clearStaleLocks('kubesvc', d), [join(d, 'prefix-kubesvc.lock'), layoutFile('kubesvc', d)]);
      assert.equal(readLayout('kubesvc', d), undefined);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('keeping or clearing what an earlier run left', () => {
  it('the same cluster: keeps bridge, nodes and pod namespaces; removes a node it does not have and resolv.conf dirs of vanished pods', async () => {
    const d = dir();
    try {
      writeLayout(layout(), d);
      const r = leftovers();
      const files = new FakeFiles([`kubesvc-pod-${UID1}`, 'kubesvc-pod-0000aaaa', 'someone-else']);
      const kept = await keepOrClearLeftovers(netnsEnv({ runner: r, files }), layout(), d);
      assert.deepEqual(kept, [`kubesvc-pod-${UID1}`, `kubesvc-pod-${UID2}`]);
      assert.deepEqual(r.calls, [
        'ip netns list',
        'ip -o link show',
        'ip netns pids kubesvc-node-3',
        'ip netns del kubesvc-node-3',
        `ip netns pids kubesvc-pod-${UID1}`,
        `ip netns pids kubesvc-pod-${UID2}`,
      ]);
      assert.deepEqual(files.removed, ['/etc/netns/kubesvc-pod-0000aaaa']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  for (const [what, record, netns] of [
    ['no record', undefined, undefined],
    ['another data dir', layout({ dataDir: '/elsewhere' }), undefined],
    ['another node count', layout({ nodes: 1 }), undefined],
    ['a node namespace gone', layout(), `kubesvc-node-1\nkubesvc-pod-${UID1}\n`],
  ] as const) {
    it(`${what}: removes all of it, running pods included`, async () => {
      const d = dir();
      try {
        if (record) writeLayout(record, d);
        const r = leftovers(netns);
        const kept = await keepOrClearLeftovers(netnsEnv({ runner: r, files: new FakeFiles() }), layout(), d);
        assert.deepEqual(kept, []);
        assert.ok(r.calls.includes(`kill -KILL 4242`), r.calls.join('\n'));
        assert.ok(r.calls.includes(`ip netns del kubesvc-pod-${UID1}`));
        assert.ok(r.calls.includes('ip netns del kubesvc-node-1'));
        assert.ok(r.calls.includes('ip link del kubesvc0'));
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    });
  }

  it('nothing left: nothing to keep and nothing removed', async () => {
    const d = dir();
    try {
      const r = new FakeRunner((l) => (l === 'ip -o link show' ? { stdout: '1: lo: <LOOPBACK>\n' } : undefined));
      const files = new FakeFiles([`kubesvc-pod-${UID1}`]);
      assert.deepEqual(await keepOrClearLeftovers(netnsEnv({ runner: r, files }), layout(), d), []);
      assert.deepEqual(r.calls, ['ip netns list', 'ip -o link show'], 'looked, and ran nothing');
      assert.deepEqual(files.removed, [`/etc/netns/kubesvc-pod-${UID1}`], 'a resolv.conf dir of a pod namespace that is gone');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('after the agents started: removes only the kept sandboxes no pod claims, veth, namespace and resolv.conf', async () => {
    const r = leftovers();
    const files = new FakeFiles();
    const env = netnsEnv({ runner: r, files });
    const removed = await removeUnclaimedPods(env, [`kubesvc-pod-${UID1}`, `kubesvc-pod-${UID2}`], new Set([UID2]), 2);
    assert.deepEqual(r.calls, [
      '[kubesvc-node-1] ip link del veth1a2b3c4d5e6',
      '[kubesvc-node-2] ip link del veth1a2b3c4d5e6',
      `ip netns pids kubesvc-pod-${UID1}`,
      'kill -KILL 4242',
      `ip netns del kubesvc-pod-${UID1}`,
    ]);
    assert.deepEqual(files.removed, [`/etc/netns/kubesvc-pod-${UID1}`]);
    assert.deepEqual(removed, [`process 4242 (in kubesvc-pod-${UID1})`, `netns kubesvc-pod-${UID1}`, `dir /etc/netns/kubesvc-pod-${UID1}`]);
  });
});
