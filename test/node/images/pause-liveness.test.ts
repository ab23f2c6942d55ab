import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { AGNHOST, PAUSE, httpGet, killAll, startFile, startProgram, terminate, testSubnet, settle, waitHTTP } from './helpers.js';
import { builtinImage } from '../../../src/node/images/index.js';

const ip = testSubnet(4);
after(killAll);

describe('pause', () => {
  it('registry.k8s.io/pause blocks until SIGTERM, then exits 0', async () => {
    const p = startProgram(PAUSE, [], {});
    await settle(p);
    const { code, ms } = await terminate(p);
    assert.equal(code, 0);
    assert.ok(ms < 1000);
    assert.equal(p.stderr(), 'Shutting down, got signal: Terminated\n');
  });
  it('registry.k8s.io/pause exits 0 on SIGINT too', async () => {
    const p = startProgram(PAUSE, [], {});
    await settle(p);
    assert.equal((await terminate(p, 'SIGINT')).code, 0);
  });
  it('the pause image runs as a shell script: same signals and exit codes, a fraction of the memory', async () => {
    const img = builtinImage('registry.k8s.io/pause:3.10')!;
    assert.ok(img.native, 'pause is native');
    const start = (args: string[]) => {
      const n = img.native!(img.args(undefined, args))!;
      return startFile(n.file, n.argv, {});
    };
    const version = start(['-v']);
    assert.equal((await version.exited).code, 0);
    assert.equal(version.stdout(), 'pause.c v3.10\n');
    for (const [sig, text] of [['SIGTERM', 'Terminated'], ['SIGINT', 'Interrupt']] as const) {
      const p = start([]);
      await settle(p);
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'))?.[1]);
      assert.ok(rssKiB < 8 * 1024, `sh uses ${rssKiB} KiB`);
      const sleeper = readFileSync(`/proc/${p.child.pid}/task/${p.child.pid}/children`, 'utf8').trim();
      const { code } = await terminate(p, sig);
      assert.equal(code, 0);
      assert.equal(p.stderr(), `Shutting down, got signal: ${text}\n`);
      // It ends its sleep too (a `sleep` child would otherwise outlive it).
      for (const pid of sleeper.split(/\s+/).filter(Boolean)) {
        for (let i = 0; i < 50 && existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(!existsSync(`/proc/${pid}`) || /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')), `sleep ${pid} ended`);
      }
    }
  });

  it('agnhost pause (its default command) runs as a shell script too, with agnhost\'s exit codes', async () => {
    const img = builtinImage('registry.k8s.io/e2e-test-images/agnhost:2.53')!;
    assert.equal(img.native!(img.args(undefined, ['netexec'])), undefined, 'other subcommands stay Node programs');
    const n = img.native!(img.args(undefined, undefined))!;
    assert.equal(n.file, '/bin/sh');
    for (const [sig, code] of [['SIGTERM', 2], ['SIGINT', 1]] as const) {
      const p = startFile(n.file, n.argv, {});
      await p.waitFor('Paused\n');
      assert.equal((await terminate(p, sig)).code, code);
    }
  });

  it('agnhost pause prints Paused; exits 2 on SIGTERM and 1 on SIGINT, as upstream', async () => {
    const p = startProgram(AGNHOST, ['pause'], {});
    await p.waitFor('Paused\n');
    assert.equal((await terminate(p)).code, 2);
    const q = startProgram(AGNHOST, ['pause'], {});
    await q.waitFor('Paused\n');
    assert.equal((await terminate(q, 'SIGINT')).code, 1);
  });
});

describe('agnhost liveness', () => {
  it('/healthz is ok for 10 s, then 500; SIGTERM exits 0', { timeout: 20_000 }, async () => {
    const host = ip(1);
    const p = startProgram(AGNHOST, ['liveness'], { POD_IP: host });
    await waitHTTP(host, 8080, '/started');
    const ok = await httpGet(host, 8080, '/healthz');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'ok');
    assert.match((await httpGet(host, 8080, '/started')).body, /^\d+(\.\d+)?(ms|s|µs)$/);
    const slow = await httpGet(host, 8080, '/sleep-headers?code=503');
    assert.equal(slow.status, 503);
    assert.equal(slow.body, 'Slept for 0 secs\n');
    await new Promise((r) => setTimeout(r, 10_200));
    const bad = await httpGet(host, 8080, '/healthz');
    assert.equal(bad.status, 500);
    assert.match(bad.body, /^error: 10\.\d+/);
    assert.equal((await terminate(p)).code, 0);
  });
});
