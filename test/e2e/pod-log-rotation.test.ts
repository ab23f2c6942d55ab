// A chatty container's output does not fill the disk: its log rotates at 10 MiB and keeps five
// files, as the kubelet's does, `kubectl logs` follows the current file, and the output file the
// agent reads gives its read blocks back to the filesystem.
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectlOk, until, type Cluster } from './harness.js';

const MiB = 1024 * 1024;

// Two million lines of 37 bytes (74 MB; about twice that in the log, with timestamps), then a last line, then quiet.
const chatty = `apiVersion: v1
kind: Pod
metadata:
  name: chatty
spec:
  containers:
  - name: app
    image: kubesvc.io/host
    command: ["sh", "-c", "yes 'a line of output, one of two million' | head -n 2000000; echo done-writing; exec sleep 3600"]
`;

describe('container logs of a chatty pod', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('rotate at 10 MiB keeping five files, and the output file does not keep what was read', async () => {
    kubectlOk(c, ['apply', '-f', '-'], chatty);
    await until('the last line in kubectl logs', () => kubectlOk(c, ['logs', 'chatty', '--tail=1']).trim(), (l) => l === 'done-writing', 90_000);
    const uid = kubectlOk(c, ['get', 'pod', 'chatty', '-o', 'jsonpath={.metadata.uid}']);
    const logDir = join(c.dataDir, 'node', 'pods', uid, 'app');
    const logs = readdirSync(logDir).filter((f) => f === '0.log' || /^0\.log\.\d{8}-\d{6}\.\d{3}$/.test(f));
    const sizes = logs.map((f) => statSync(join(logDir, f)).size);
    assert.equal(logs.length, 5, `log files: ${logs.join(', ')}`);
    for (const s of sizes) assert.ok(s <= 10 * MiB, `a log file of ${s} bytes`);
    const kept = logs.reduce((n, f) => n + readFileSync(join(logDir, f), 'latin1').split('\n').length - 1, 0);
    assert.ok(kept < 2_000_000, `older rotated files were removed (${kept} lines kept)`);
    // kubectl logs reads the current file: the last line, and a line of output before it.
    const tail = kubectlOk(c, ['logs', 'chatty', '--tail=2']).trim().split('\n');
    assert.equal(tail[1], 'done-writing');
    assert.match(tail[0]!, /^a line of output, one of two million$/);
    // The output file keeps its size, not the blocks already copied into the log (where the
    // filesystem can punch holes: fallocate from util-linux).
    const dir = join(c.dataDir, 'node', 'containers');
    const output = readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.stdout') && statSync(f).size >= 74_000_000);
    assert.ok(output, "the container's 74 MB output file");
    if (spawnSync('fallocate', ['--punch-hole', '--offset', '0', '--length', '4096', output]).status !== 0) return;
    await until('read blocks given back', () => statSync(output).blocks * 512, (b) => b <= 74_000_000 - 30 * MiB, 10_000);
  });
});
