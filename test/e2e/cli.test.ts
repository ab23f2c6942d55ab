// The kubesvc command as a user meets it: help, bad flags, and modes this machine cannot run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { kubesvcBin, tempDir } from './harness.js';

function run(args: string[]) {
  const r = spawnSync(process.execPath, [kubesvcBin, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

/** Dropping to nobody needs root, setpriv, and a checkout nobody can read (a `mktemp -d` clone is 0700). */
function nobodySkip(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to drop to nobody';
  const r = spawnSync(asNobody[0]!, [...asNobody.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(kubesvcBin)}, require('fs').constants.R_OK)`]);
  if (r.error) return 'needs setpriv';
  return r.status === 0 ? false : `user nobody cannot read ${kubesvcBin}`;
}

describe('kubesvc command line', () => {
  it('lists its commands', () => {
    const r = run(['help']);
    assert.equal(r.code, 0);
    for (const cmd of ['up', 'apiserver', 'proxy', 'down', 'version']) assert.match(r.out, new RegExp(`^  ${cmd}\\s`, 'm'));
    assert.match(run(['up', '--help']).out, /--service-cidr CIDR/);
  });

  it('refuses an unknown flag and a bad CIDR with exit 2 and a sentence, not a stack trace', () => {
    const a = run(['up', '--bogus']);
    assert.equal(a.code, 2);
    assert.equal(a.err.trim(), 'kubesvc: unknown flag: --bogus');
    const b = run(['up', '--service-cidr', '10.0.0.0/40']);
    assert.equal(b.code, 2);
    assert.match(b.err, /--service-cidr: "10\.0\.0\.0\/40" is not an IPv4 CIDR/);
    assert.doesNotMatch(a.err + b.err, /\n\s+at /);
  });

  it('stops at once for --proxy-mode ipvs on a kernel without IPVS, naming the modes that work', { skip: existsSync('/proc/net/ip_vs') ? 'this kernel has IPVS' : false }, () => {
    const dir = tempDir();
    try {
      const r = run(['up', '--proxy-mode', 'ipvs', '--data-dir', dir, '--api-port', '0']);
      assert.equal(r.code, 2);
      assert.match(r.err, /IP Virtual Server/);
      assert.match(r.err, /userspace, iptables or nftables/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells a user without root that netns mode needs it, and what works without', { skip: nobodySkip() }, () => {
    const dir = tempDir();
    try {
      // As an unprivileged user, the way most people first try it.
      const r = spawnSync(asNobody[0]!, [...asNobody.slice(1), process.execPath, kubesvcBin, 'up', '--network', 'netns', '--data-dir', `${dir}/d`, '--api-port', '0'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--network netns creates network namespaces and needs root: run it with sudo, or use --network loopback/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps kernel proxy modes for netns mode, saying how to see their rules meanwhile', () => {
    const r = run(['up', '--proxy-mode', 'nftables', '--api-port', '0']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--proxy-mode nftables programs the kernel of each node's network namespace, which needs --network netns/);
    assert.match(r.err, /kubesvc proxy rules --mode nftables/);
  });
});
