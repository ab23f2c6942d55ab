// kill -9 of `kubesvc up` in the middle of concurrent creates, on SQLite and on etcd: after a
// restart on the same data dir every create that was acknowledged is there, and a watch that
// resumes from the last resourceVersion it saw (or relists on 410 Expired, as an informer does)
// misses none of them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, tempDir, type Cluster } from './harness.js';
import { EtcdServer, findEtcd } from '../storage/etcd-server.js';
import { RawClient, describeResult } from '../hostile/client.js';

const ns = 'durable';
const total = 400;
const killAfter = 150;
const writers = 16;

const service = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });

interface WatchLog {
  /** Names seen in ADDED events, and the last resourceVersion seen. */
  added: Set<string>;
  lastRV: string;
  errors: any[];
}

/** Reads a watch stream line by line into `log` until the connection ends. */
async function follow(c: Cluster, path: string, log: WatchLog): Promise<() => void> {
  const https = await import('node:https');
  const { credentials } = await import('./harness.js');
  const cred = credentials(c.kubeconfig);
  const u = new URL(c.url);
  let stop = () => {};
  await new Promise<void>((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path, method: 'GET', ca: cred.ca, cert: cred.cert, key: cred.key, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path}: ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          if (ev.type === 'ERROR') log.errors.push(ev.object);
          else {
            if (ev.type === 'ADDED') log.added.add(ev.object.metadata.name);
            log.lastRV = ev.object.metadata.resourceVersion;
          }
        }
      });
      res.on('error', () => {});
      resolve();
    });
    req.on('error', (e) => reject(e));
    req.end();
    stop = () => req.destroy();
  });
  return stop;
}

async function crashMidWriteAndResume(args: string[], dataDir: string): Promise<string> {
  let c = await startCluster({ dataDir, args, timeoutMs: 30_000 });
  const plan = c.plan;
  try {
    let client = new RawClient(c);
    const mk = await client.send({ method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
    assert.equal(mk.status, 201, describeResult(mk));
    const list0 = JSON.parse((await client.send({ method: 'GET', path: `/api/v1/namespaces/${ns}/services` })).body);
    const log: WatchLog = { added: new Set(), lastRV: list0.metadata.resourceVersion, errors: [] };
    const stopWatch = await follow(c, `/api/v1/namespaces/${ns}/services?watch=1&resourceVersion=${log.lastRV}`, log);

    // Concurrent creates; SIGKILL once `killAfter` are acknowledged, with the rest in flight.
    const acked = new Set<string>();
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < total && !killed) {
        const name = `s-${next++}`;
        const res = await client.send({ method: 'POST', path: `/api/v1/namespaces/${ns}/services`, body: service(name), timeoutMs: 5000 });
        if (res.status === 201) acked.add(name);
        if (!killed && acked.size >= killAfter) {
          killed = true;
          c.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: writers }, worker));
    assert.ok(killed, `only ${acked.size} creates were acknowledged`);
    assert.equal(await c.stop(), null, 'kubesvc was killed by SIGKILL');
    stopWatch();
    client.close();

    c = await startCluster({ dataDir, args, plan, timeoutMs: 30_000 });
    client = new RawClient(c);
    const list = JSON.parse((await client.send({ method: 'GET', path: `/api/v1/namespaces/${ns}/services` })).body);
    const stored = new Set<string>(list.items.map((s: any) => s.metadata.name));
    const lost = [...acked].filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged creates are missing after kill -9`);
    // An acknowledged Service kept the ClusterIP it was given; no two share one.
    const ips = list.items.map((s: any) => s.spec.clusterIP);
    assert.equal(new Set(ips).size, ips.length, 'two Services share a ClusterIP after the restart');

    // Resume the watch where it stopped, as client-go's reflector does.
    const resumed = await client.send({ method: 'GET', path: `/api/v1/namespaces/${ns}/services?watch=1&resourceVersion=${log.lastRV}&timeoutSeconds=1`, timeoutMs: 10_000 });
    assert.equal(resumed.status, 200, describeResult(resumed));
    const events = resumed.body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    const expired = events.find((e) => e.type === 'ERROR' && e.object?.code === 410);
    if (expired) {
      // Upstream's answer for a resourceVersion the new watch cache does not hold: the client relists.
      // Only a client that really is behind may be told so.
      assert.equal(expired.object.reason, 'Expired');
      assert.ok(Number(log.lastRV) < Number(list.metadata.resourceVersion), `410 for ${log.lastRV}, which is the list's own ${list.metadata.resourceVersion}`);
      for (const name of stored) log.added.add(name);
    } else {
      for (const e of events) if (e.type === 'ADDED') log.added.add(e.object.metadata.name);
    }
    const missed = [...stored].filter((n) => !log.added.has(n));
    assert.deepEqual(missed, [], `the watch (before the kill, then resumed from ${log.lastRV}) never saw ${missed.length} stored Services`);
    const phantom = [...log.added].filter((n) => !stored.has(n));
    assert.deepEqual(phantom, [], 'the watch reported creates that are not stored');

    // A client that was up to date resumes from the restarted server's own resourceVersion without
    // a relist, and sees the next write.
    const upToDate = client.send({ method: 'GET', path: `/api/v1/namespaces/${ns}/services?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`, timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    const after = await client.send({ method: 'POST', path: `/api/v1/namespaces/${ns}/services`, body: service('after-restart') });
    assert.equal(after.status, 201, describeResult(after));
    const tail = (await upToDate).body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    assert.deepEqual(tail.map((e) => `${e.type} ${e.object?.metadata?.name ?? e.object?.code}`), ['ADDED after-restart'], 'a watch from the current resourceVersion after the restart');
    client.close();
    return `${acked.size} acknowledged, ${stored.size} stored after kill -9; resumed watch from ${log.lastRV}: ${expired ? '410 Expired, relisted' : `${events.length} events`}`;
  } finally {
    await c.stop();
  }
}

describe('kill -9 mid-write', () => {
  it('SQLite: every acknowledged create survives and a resumed watch misses none', async (t) => {
    const dir = tempDir();
    try {
      t.diagnostic(await crashMidWriteAndResume([], dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const etcdBinary = findEtcd();
  describe('etcd', { skip: etcdBinary ? false : 'etcd is not installed (apt-get install etcd-server)' }, () => {
    const dir = tempDir();
    let etcd: EtcdServer;
    before(async () => {
      etcd = await EtcdServer.start(etcdBinary!, join(dir, 'etcd'));
    });
    after(async () => {
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    it('etcd: every acknowledged create survives and a resumed watch misses none', async (t) => {
      t.diagnostic(await crashMidWriteAndResume(['--datastore', `etcd://${etcd.endpoint}`], join(dir, 'kubesvc')));
    });
  });
});
