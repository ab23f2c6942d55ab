// Side-by-side figures in one shape: a benchmark that measures kubesvc next to a peer (nginx,
// HAProxy, dnsmasq) in the same run prints one `RESULT {json}` line per comparison, and
// `npm run bench` (run.ts) gathers them into bench/results/<time>/comparisons.json and a markdown
// table of ratios — the figures issue 15 asks for, as ratios to the peer of the same run.

export interface Comparison {
  /** What is compared, e.g. "keep-alive requests/s". */
  figure: string;
  unit: string;
  kubesvc: number;
  peer: string;
  peerValue: number;
  /** true for rates (more is better), false for latencies and memory. */
  higherIsBetter: boolean;
  /** The target, in words, e.g. "≥ 0.8×". */
  goal?: string;
}

const prefix = 'RESULT ';

export function reportComparison(c: Comparison): void {
  console.log(prefix + JSON.stringify(c));
}

/** Every well-formed RESULT line in a benchmark's output. */
export function parseComparisons(output: string): Comparison[] {
  const out: Comparison[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    try {
      const c = JSON.parse(line.slice(prefix.length)) as Comparison;
      if (typeof c.figure === 'string' && typeof c.peer === 'string' && Number.isFinite(c.kubesvc) && Number.isFinite(c.peerValue)) out.push(c);
    } catch {
      // a line that only looks like one
    }
  }
  return out;
}

const num = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString());

/** kubesvc ÷ peer, the way the issue states goals (rates: ≥ 1 is at least as fast; latencies: ≤ 1 is at least as quick). */
export function ratio(c: Comparison): number {
  return c.peerValue === 0 ? NaN : c.kubesvc / c.peerValue;
}

/** The markdown table of a run: one row per comparison, in the order the benchmarks ran. */
export function comparisonTable(rows: (Comparison & { bench: string })[]): string {
  const lines = [
    '| benchmark | figure | kubesvc | peer | peer, same run | kubesvc ÷ peer | better is | goal |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const x = ratio(r);
    lines.push(`| ${r.bench} | ${r.figure} | ${num(r.kubesvc)} ${r.unit} | ${r.peer} | ${num(r.peerValue)} ${r.unit} | ${Number.isFinite(x) ? `${x.toFixed(2)}×` : '—'} | ${r.higherIsBetter ? 'higher' : 'lower'} | ${r.goal ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}
