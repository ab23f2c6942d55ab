// A RuleExecutor standing in for ip, ipset, ipvsadm and iptables with the state they keep: the
// addresses on kube-ipvs0, set members, and virtual/real servers that `ipvsadm -Sn` prints back in
// ipvsadm's own save format. Like the real tools it refuses what would fail in the kernel
// (adding an existing server or address, deleting a missing one), so a wrong diff fails the test.
import type { RuleExecutor } from '../../../src/proxy/rules.js';

interface VS {
  sched: string;
  persist?: number;
  rs: Map<string, number>;
}

const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string) => ({ code: 1, stdout: '', stderr });

export class FakeIPVSTools implements RuleExecutor {
  calls: { argv: string[]; input?: string }[] = [];
  device = false;
  deviceUp = true;
  addrs = new Set<string>();
  ipsets = new Map<string, Set<string>>();
  /** "-t 10.0.0.1:80" → server; insertion order is what -Sn prints. */
  vss = new Map<string, VS>();
  jumps = new Set<string>();

  async run(argv: string[], input?: string) {
    this.calls.push({ argv, ...(input !== undefined ? { input } : {}) });
    const cmd = argv.join(' ');
    if (cmd === 'ip link add kube-ipvs0 type dummy') {
      if (this.device) return fail('RTNETLINK answers: File exists');
      this.device = true;
      return ok();
    }
    if (cmd === 'ip link set kube-ipvs0 down') {
      this.deviceUp = false;
      return ok();
    }
    if (cmd === 'ip -o addr show dev kube-ipvs0') {
      if (!this.device) return fail('Device "kube-ipvs0" does not exist.');
      return ok([...this.addrs].map((a) => `7: kube-ipvs0    inet ${a}/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever\n`).join(''));
    }
    if (cmd === 'ip -batch -') {
      for (const l of (input ?? '').split('\n').filter((x) => x)) {
        const m = /^addr (add|del) (\S+)\/32 dev kube-ipvs0$/.exec(l);
        if (!m) return fail(`bad batch line ${l}`);
        if (m[1] === 'add') {
          if (this.addrs.has(m[2]!)) return fail('RTNETLINK answers: File exists');
          this.addrs.add(m[2]!);
        } else if (!this.addrs.delete(m[2]!)) return fail('RTNETLINK answers: Cannot assign requested address');
      }
      return ok();
    }
    if (cmd === 'ipset save') {
      const out: string[] = [];
      for (const [n, s] of this.ipsets) out.push(`create ${n} hash:ip`, ...[...s].map((e) => `add ${n} ${e}`));
      return ok(out.join('\n') + '\n');
    }
    if (cmd === 'ipset restore -exist') {
      for (const l of (input ?? '').split('\n').filter((x) => x)) {
        const [op, name, e] = l.split(' ');
        if (op === 'create') {
          if (!this.ipsets.has(name!)) this.ipsets.set(name!, new Set());
        } else if (!this.ipsets.has(name!)) return fail(`The set with the given name does not exist: ${name}`);
        else if (op === 'add') this.ipsets.get(name!)!.add(e!);
        else if (op === 'del') this.ipsets.get(name!)!.delete(e!);
        else return fail(`bad ipset line ${l}`);
      }
      return ok();
    }
    if (cmd === 'ipvsadm -Sn') return ok(this.save());
    if (cmd === 'ipvsadm -R') {
      for (const l of (input ?? '').split('\n').filter((x) => x)) {
        const err = this.apply(l);
        if (err) return fail(err);
      }
      return ok();
    }
    if (argv[0] === 'iptables-restore') return ok();
    if (argv[0] === 'iptables') {
      const i = argv.findIndex((a) => a === '-C' || a === '-I' || a === '-D');
      const key = [argv[i - 1], ...argv.slice(i + 1)].join(' ');
      if (argv[i] === '-C') return this.jumps.has(key) ? ok() : fail('iptables: Bad rule (does a matching rule exist in that chain?).');
      if (argv[i] === '-I') this.jumps.add(key);
      else this.jumps.delete(key);
      return ok();
    }
    if (argv[0] === 'conntrack') return fail('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.');
    return fail(`fake: unexpected command ${cmd}`);
  }

  /** ipvsadm-save -n format. */
  save(): string {
    const out: string[] = [];
    for (const [k, vs] of this.vss) {
      out.push(`-A ${k} -s ${vs.sched}${vs.persist !== undefined ? ` -p ${vs.persist}` : ''}`);
      for (const [r, w] of vs.rs) out.push(`-a ${k} -r ${r} -m -w ${w}`);
    }
    return out.length ? out.join('\n') + '\n' : '';
  }

  private apply(line: string): string | undefined {
    const m = /^(-[AEDaed]) (-t|-u|--sctp-service) (\S+)(.*)$/.exec(line);
    if (!m) return `fake ipvsadm: cannot parse ${line}`;
    const [, op, proto, addr, rest] = m;
    const key = `${proto} ${addr}`;
    const sched = /-s (\S+)/.exec(rest!)?.[1];
    const p = /-p (\d+)/.exec(rest!)?.[1];
    const rs = /-r (\S+)/.exec(rest!)?.[1];
    const w = Number(/-w (\d+)/.exec(rest!)?.[1] ?? '1');
    const vs = this.vss.get(key);
    switch (op) {
      case '-A':
        if (vs) return 'Service already exists';
        this.vss.set(key, { sched: sched ?? 'wlc', ...(p ? { persist: Number(p) } : {}), rs: new Map() });
        return undefined;
      case '-E':
        if (!vs) return 'No such service';
        this.vss.set(key, { sched: sched ?? 'wlc', ...(p ? { persist: Number(p) } : {}), rs: vs.rs });
        return undefined;
      case '-D':
        return this.vss.delete(key) ? undefined : 'No such service';
      case '-a':
        if (!vs) return 'Service not defined';
        if (vs.rs.has(rs!)) return 'Destination already exists';
        vs.rs.set(rs!, w);
        return undefined;
      case '-e':
        if (!vs?.rs.has(rs!)) return 'No such destination';
        vs.rs.set(rs!, w);
        return undefined;
      default:
        if (!vs?.rs.delete(rs!)) return 'No such destination';
        return undefined;
    }
  }

  /** The `ipvsadm -R` inputs sent so far, as line lists. */
  restores(): string[][] {
    return this.calls.filter((c) => c.argv.join(' ') === 'ipvsadm -R').map((c) => (c.input ?? '').split('\n').filter((x) => x));
  }
}
