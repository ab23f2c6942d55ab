// A minimal Prometheus registry and text exposition (format 0.0.4): counters, gauges and
// histograms with optional labels. Each proxy owns its registry, so several proxies in one
// process (tests, a multi-node `up`) do not mix their figures.

type Labels = Record<string, string>;

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

export function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
  expose(): string {
    // component-base marks every metric's stability level in its help text.
    return [`# HELP ${this.name} [ALPHA] ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

export class Counter extends Metric {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(by = 1, labels: Labels = {}): void {
    this.entry(labels).v += by;
  }
  /**
   * The series of one label set, exposed from now on (at 0 until counted), to count without
   * encoding its labels each time: client_golang's WithLabelValues, for per-request counters.
   */
  series(labels: Labels): { inc(by?: number): void } {
    const entry = this.entry(labels);
    return {
      inc: (by = 1) => {
        entry.v += by;
      },
    };
  }
  /** The value of one label set, created at 0. */
  private entry(labels: Labels): { labels: Labels; v: number } {
    const k = JSON.stringify(labels);
    let cur = this.values.get(k);
    if (!cur) this.values.set(k, (cur = { labels, v: 0 }));
    return cur;
  }
  get(labels: Labels = {}): number {
    return this.values.get(JSON.stringify(labels))?.v ?? 0;
  }
  lines(): string[] {
    if (this.values.size === 0) return [];
    return [...this.values.values()].map(({ labels, v }) => `${this.name}${labelText(labels)} ${fmt(v)}`);
  }
}

export class Gauge extends Metric {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(name: string, help: string, labelled = false) {
    super(name, help, 'gauge');
    // An unlabelled gauge is exposed from the start (as 0), as client_golang does.
    if (!labelled) this.values.set('{}', { labels: {}, v: 0 });
  }
  set(v: number, labels: Labels = {}): void {
    this.values.set(JSON.stringify(labels), { labels, v });
  }
  get(labels: Labels = {}): number {
    return this.values.get(JSON.stringify(labels))?.v ?? 0;
  }
  lines(): string[] {
    return [...this.values.values()].map(({ labels, v }) => `${this.name}${labelText(labels)} ${fmt(v)}`);
  }
}

export class Histogram extends Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    name: string,
    help: string,
    readonly buckets: number[],
  ) {
    super(name, help, 'histogram');
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
  get sampleCount(): number {
    return this.count;
  }
  get sampleSum(): number {
    return this.sum;
  }
  lines(): string[] {
    const out = this.buckets.map((b, i) => `${this.name}_bucket{le="${fmt(b)}"} ${this.counts[i]}`);
    out.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${fmt(this.sum)}`, `${this.name}_count ${this.count}`);
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  expose(): string {
    return [...this.metrics].sort((a, b) => (a.name < b.name ? -1 : 1)).map((m) => m.expose()).join('\n') + '\n';
  }
}

/** prometheus.ExponentialBuckets */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** prometheus.LinearBuckets */
export function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}
