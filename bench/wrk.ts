// wrk's report, read the same way by every bench that drives it.
export interface LoadResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Socket errors of every kind plus non-2xx/3xx answers. */
  errors: number;
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): LoadResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const unit = (v: string, u: string) => Number(v) * (u === 'us' ? 0.001 : u === 's' ? 1000 : 1);
  const p = (q: string) => {
    const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? unit(m[1]!, m[2]!) : NaN;
  };
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50ms: p('50'), p99ms: p('99'), errors: (errs ? errs.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + non2xx };
}
