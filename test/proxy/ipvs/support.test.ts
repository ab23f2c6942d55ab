// checkIPVSSupport on kernels with and without IPVS (injected probe), and on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIPVSSupport, ipvsToolsMissingMessage, ipvsUnsupportedMessage, missingIPVSTools, onPath, type KernelProbe } from '../../../src/proxy/ipvs/index.js';

function probe(files: Record<string, string>, dirs: Record<string, string[]> = {}): KernelProbe {
  return {
    exists: (p) => p in files,
    readFile: (p) => files[p],
    listDir: (p) => dirs[p],
    release: () => '6.1.0-test',
  };
}

test('IPVS loaded: /proc/net/ip_vs present', () => {
  assert.deepEqual(checkIPVSSupport(probe({ '/proc/net/ip_vs': '' })), { ok: true });
});

test('no /proc/net/ip_vs and no modules: not ok, names the missing support', () => {
  const r = checkIPVSSupport(probe({}));
  assert.equal(r.ok, false);
  assert.match(r.reason!, /\/proc\/net\/ip_vs is missing/);
  assert.match(r.reason!, /no loadable ip_vs module/);
  assert.match(r.reason!, /no \/lib\/modules\/6\.1\.0-test/);
});

test('module on disk but not loaded: tells how to load it', () => {
  const r = checkIPVSSupport(probe({}, { '/lib/modules/6.1.0-test': ['kernel'], '/lib/modules/6.1.0-test/kernel/net/netfilter/ipvs': ['ip_vs.ko.xz', 'ip_vs_rr.ko.xz'] }));
  assert.equal(r.ok, false);
  assert.match(r.reason!, /modprobe ip_vs/);
});

test('the message names the kernel support and the modes that work', () => {
  const m = ipvsUnsupportedMessage('because');
  assert.match(m, /IP Virtual Server/);
  assert.match(m, /ip_vs/);
  assert.match(m, /because/);
  assert.match(m, /--proxy-mode userspace, iptables or nftables instead/);
});

test('the message says which modes go with which --network, and only the working ones when told the network', () => {
  // `kubesvc up` allows userspace only with loopback and iptables/nftables only with netns.
  assert.match(ipvsUnsupportedMessage('x'), /userspace with --network loopback, iptables or nftables with --network netns/);
  const loop = ipvsUnsupportedMessage('x', 'loopback');
  assert.match(loop, /Use --proxy-mode userspace instead/);
  assert.match(loop, /need --network netns/);
  const netns = ipvsUnsupportedMessage('x', 'netns');
  assert.match(netns, /Use --proxy-mode iptables or nftables instead/);
  assert.doesNotMatch(netns, /Use --proxy-mode userspace/);
});

test('missing IPVS tools are named with their Debian packages', () => {
  assert.deepEqual(missingIPVSTools(() => true), []);
  assert.deepEqual(missingIPVSTools((t) => t !== 'ipset'), ['ipset']);
  const both = missingIPVSTools(() => false);
  assert.deepEqual(both, ['ipvsadm', 'ipset']);
  const m = ipvsToolsMissingMessage(both);
  assert.match(m, /proxy mode "ipvs" needs ipvsadm and ipset, not found on PATH/);
  assert.match(m, /Debian packages ipvsadm and ipset/);
  assert.match(m, /apt-get install ipvsadm ipset/);
  assert.match(ipvsToolsMissingMessage(['ipset']), /Debian package ipset \(/);
});

test('onPath finds executables only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-onpath-'));
  try {
    writeFileSync(join(dir, 'tool-x'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool-x'), 0o755);
    writeFileSync(join(dir, 'tool-noexec'), '');
    chmodSync(join(dir, 'tool-noexec'), 0o644);
    assert.equal(onPath('tool-x', `/nonexistent:${dir}`), true);
    assert.equal(onPath('tool-missing', dir), false);
    // root passes X_OK for any file with one x bit; a file with none is still not executable.
    assert.equal(onPath('tool-noexec', dir), false);
    assert.equal(onPath('tool-x', ''), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('this machine: the answer agrees with /proc/net/ip_vs', () => {
  const r = checkIPVSSupport();
  assert.equal(r.ok, existsSync('/proc/net/ip_vs'));
  if (!r.ok) assert.ok(r.reason);
});
