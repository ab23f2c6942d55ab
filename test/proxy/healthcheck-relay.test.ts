// The health-check relay for nodes that are network namespaces: real `ip netns exec`, a real
// child listening inside a namespace this test creates (deleted by name after), curl inside it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { NetnsHealthRelay } from '../../src/proxy/healthcheck/relay.js';

const run = promisify(execFile);
const skip = process.getuid?.() !== 0 || spawnSync('ip', ['netns', 'list']).status !== 0 || spawnSync('curl', ['--version']).status !== 0 ? 'needs root, ip netns and curl' : false;
const ns = `kshc${process.pid}`;

/** curl inside the namespace: `<status> <body>`, or `error:<curl exit code>`. */
async function get(port: number): Promise<string> {
  try {
    const r = await run('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '2', '-w', ' %{http_code}', `http://127.0.0.1:${port}/`]);
    return r.stdout;
  } catch (e) {
    return `error:${(e as { code?: number }).code}`;
  }
}

describe('NetnsHealthRelay', { skip }, () => {
  before(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    assert.equal(spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']).status, 0);
  });
  after(() => void spawnSync('ip', ['netns', 'del', ns]));

  it('answers inside the namespace with what this process says at the time, and stops cleanly', async () => {
    const relay = new NetnsHealthRelay(['ip', 'netns', 'exec', ns]);
    let local = 1;
    const answer = () => ({ status: local ? 200 : 503, headers: { 'Content-Type': 'application/json' }, body: `{"localEndpoints": ${local}}` });
    const a = await relay.listen('0.0.0.0', 31901, answer);
    await relay.listen('0.0.0.0', 31902, () => ({ status: 200, headers: {}, body: 'other' }));
    assert.equal(await get(31901), '{"localEndpoints": 1} 200');
    local = 0;
    assert.equal(await get(31901), '{"localEndpoints": 0} 503');
    assert.equal(await get(31902), 'other 200');
    // The port is not free on the host side: the listener lives in the namespace only.
    assert.equal(spawnSync('curl', ['-s', '-m', '1', 'http://127.0.0.1:31901/']).status !== 0, true);
    // A second listener on a taken port fails with the child's listen error.
    await assert.rejects(relay.listen('0.0.0.0', 31902, answer), /listen tcp 0\.0\.0\.0:31902: EADDRINUSE/);
    await a.close();
    assert.equal(await get(31901), 'error:7');
    assert.equal(await get(31902), 'other 200');
    await relay.stop();
    // The child went with it: nothing listens in the namespace any more.
    for (let i = 0; i < 50 && (await get(31902)) !== 'error:7'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await get(31902), 'error:7');
  });
});
