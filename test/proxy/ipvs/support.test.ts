// checkIPVSSupport on kernels with and without IPVS (injected probe), and on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { checkIPVSSupport, ipvsUnsupportedMessage, type KernelProbe } from '../../../src/proxy/ipvs/index.js';

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

test('this machine: the answer agrees with /proc/net/ip_vs', () => {
  const r = checkIPVSSupport();
  assert.equal(r.ok, existsSync('/proc/net/ip_vs'));
  if (!r.ok) assert.ok(r.reason);
});
