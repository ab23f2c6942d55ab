// A RuleExecutor standing in for nft: it records every call and tracks which chains and sets
// exist (from the add/delete lines it is fed) so `nft --terse list table` answers like the kernel.
import type { RuleExecutor } from '../../../src/proxy/rules.js';

export class FakeNft implements RuleExecutor {
  calls: Array<{ argv: string[]; input?: string }> = [];
  chains = new Set<string>();
  sets = new Set<string>();
  tableExists = false;
  /** Makes the next `nft -f` fail (once). */
  failNext = false;

  async run(argv: string[], input?: string) {
    this.calls.push({ argv, ...(input !== undefined ? { input } : {}) });
    if (argv.includes('-f')) {
      if (this.failNext) {
        this.failNext = false;
        return { code: 1, stdout: '', stderr: 'Error: Could not process rule: No such file or directory' };
      }
      for (const line of (input ?? '').split('\n')) {
        const m = /^(add|delete) (table|chain|set|map) ip kube-proxy ?(\S*)/.exec(line);
        if (!m) continue;
        if (m[2] === 'table') this.tableExists = m[1] === 'add';
        else if (m[2] === 'chain') m[1] === 'add' ? this.chains.add(m[3]!) : this.chains.delete(m[3]!);
        else m[1] === 'add' ? this.sets.add(m[3]!) : this.sets.delete(m[3]!);
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    if (argv.includes('list')) {
      if (!this.tableExists) return { code: 1, stdout: '', stderr: 'Error: No such file or directory' };
      // Another table's objects must be ignored (a node has iptables-nft's tables too).
      const out = ['table ip nat {', '\tchain service-XXXXXXXX-not/ours/tcp/p {', '\t}', '\tset affinity-not-ours {', '\t}', '}', 'table ip kube-proxy {'];
      if (argv.includes('sets')) for (const s of this.sets) out.push(`\tset ${s} {`, '\t\ttype ipv4_addr', '\t}');
      if (argv.includes('chains')) for (const c of this.chains) out.push(`\tchain ${c} {`, '\t}');
      out.push('}');
      return { code: 0, stdout: out.join('\n'), stderr: '' };
    }
    if (argv.includes('delete')) {
      this.tableExists = false;
      this.chains.clear();
      this.sets.clear();
    }
    return { code: 0, stdout: '', stderr: '' };
  }

  /** Input of the last `nft -f -` call, as lines. */
  lastTx(): string[] {
    const tx = [...this.calls].reverse().find((c) => c.argv.includes('-f'));
    return (tx?.input ?? '').split('\n').filter((l) => l !== '');
  }

  applies(): number {
    return this.calls.filter((c) => c.argv.includes('-f')).length;
  }
}
