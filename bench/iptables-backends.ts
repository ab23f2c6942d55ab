// How iptables-restore's time grows with the number of chains, for both backends Debian's
// iptables package ships (iptables-nft-restore and iptables-legacy-restore), on a synthetic
// table: N chains in nat, R rules each (no comments, no jumps: the per-Service KUBE-SEP shape).
// Each restore runs in its own throwaway network namespace (kkern-bench-<random>, deleted after),
// so it starts from empty tables. Root needed; a missing binary is skipped. Bounded: each restore
// is killed after 120 s. Not part of `npm test`.
// Run: npx tsc -p . && node dist/bench/iptables-backends.js [chain counts, default 5000,10000,20000] [rules per chain, default 4]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const counts = (process.argv[2] ?? '5000,10000,20000').split(',').map(Number).filter((n) => n > 0);
const perChain = Number(process.argv[3] ?? 4);

function table(n: number): string {
  const out = ['*nat'];
  for (let i = 0; i < n; i++) out.push(`:KUBE-SEP-${String(i).padStart(8, '0')} - [0:0]`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < perChain; j++) {
      out.push(`-A KUBE-SEP-${String(i).padStart(8, '0')} -s 10.${j}.${(i >> 8) & 255}.${i & 255}/32 -j MARK --set-xmark 0x4000/0x4000`);
    }
  }
  out.push('COMMIT', '');
  return out.join('\n');
}

if (process.getuid?.() !== 0) {
  console.log('skipped: needs root (each restore runs in its own network namespace)');
  process.exit(0);
}
console.log(`iptables-restore, N chains × ${perChain} rules in nat, each into an empty namespace (load average ${execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ')})`);
for (const tool of ['iptables-nft-restore', 'iptables-legacy-restore']) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    console.log(`${tool}: not installed, skipped`);
    continue;
  }
  const row: string[] = [];
  for (const n of counts) {
    const text = table(n);
    const ns = `kkern-bench-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const t = performance.now();
      const r = spawnSync('ip', ['netns', 'exec', ns, tool, '--noflush'], { input: text, timeout: 120_000 });
      const s = (performance.now() - t) / 1000;
      row.push(`${n}: ${r.status === 0 ? `${s.toFixed(2)} s` : `failed (${r.signal ?? r.status}) after ${s.toFixed(1)} s`}`);
    } finally {
      spawnSync('ip', ['netns', 'delete', ns]);
    }
  }
  console.log(`${tool.padEnd(24)} ${row.join(' | ')}`);
}
