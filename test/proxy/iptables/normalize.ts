// Upstream's sortIPTablesRules (pkg/proxy/iptables/proxier_test.go): Service iteration order is
// random, so before comparing, tables sort by name, chains with KUBE-NODEPORTS then
// KUBE-SERVICES first and the rest alphabetically, and the rules of KUBE-NODEPORTS and
// KUBE-SERVICES sort stably by comment (the "must be the last rule" rule stays last). Rules of
// every other chain keep their order. Deletions (-X) come last, sorted; -I/-D lines are dropped.
interface Chain {
  name: string;
  rules: string[];
}

function commentOf(rule: string): string {
  const m = /--comment ("[^"]*"|\S+)/.exec(rule);
  return m?.[1] ? m[1].replace(/^"|"$/g, '') : '';
}

function chainOrder(a: string, b: string): number {
  const rank = (c: string): number => (c === 'KUBE-NODEPORTS' ? 0 : c === 'KUBE-SERVICES' ? 1 : c.startsWith('KUBE-') ? 2 : 3);
  const d = rank(a) - rank(b);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

export function sortIptablesRules(text: string): string {
  const tables = new Map<string, Map<string, Chain>>();
  const deletes = new Map<string, string[]>();
  let cur: Map<string, Chain> | undefined;
  let curName = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line === 'COMMIT' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      cur = new Map();
      curName = line.slice(1);
      tables.set(curName, cur);
      deletes.set(curName, []);
    } else if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0] ?? '';
      if (!cur!.has(name)) cur!.set(name, { name, rules: [] });
    } else if (line.startsWith('-A ')) {
      const name = line.split(' ')[1] ?? '';
      const c = cur!.get(name) ?? { name, rules: [] };
      cur!.set(name, c);
      c.rules.push(line);
    } else if (line.startsWith('-X ')) {
      deletes.get(curName)!.push(line);
    }
  }
  const out: string[] = [];
  for (const tname of [...tables.keys()].sort()) {
    const chains = [...tables.get(tname)!.values()].sort((a, b) => chainOrder(a.name, b.name));
    for (const c of chains) {
      if (c.name === 'KUBE-NODEPORTS' || c.name === 'KUBE-SERVICES') {
        const last = (r: string): boolean => commentOf(r).includes('must be the last rule');
        c.rules = c.rules
          .map((r, i) => ({ r, i }))
          .sort((x, y) => {
            if (last(x.r) !== last(y.r)) return last(x.r) ? 1 : -1;
            const cx = commentOf(x.r);
            const cy = commentOf(y.r);
            return cx < cy ? -1 : cx > cy ? 1 : x.i - y.i;
          })
          .map((x) => x.r);
      }
    }
    out.push(`*${tname}`);
    for (const c of chains) out.push(`:${c.name} - [0:0]`);
    for (const c of chains) out.push(...c.rules);
    out.push(...deletes.get(tname)!.sort());
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Dedent a template literal (upstream's dedent.Dedent). */
export function dedent(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => l.trim()).join('\n') + '\n';
}
