import './closed-output.js';
import { spawn } from 'node:child_process';
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

/** wrk in a child process, asynchronously (the program under test may share this event loop): -t1 -c32 for `seconds`. */
export function runWrk(url: string, o: { seconds: number; newConnection: boolean; headers?: string[] }): Promise<LoadResult> {
  const args = ['-t1', '-c32', `-d${o.seconds}s`, '--latency', ...(o.headers ?? []).flatMap((h) => ['-H', h]), ...(o.newConnection ? ['-H', 'Connection: close'] : []), url];
  return new Promise((resolve) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 20) * 1000);
    child.on('close', () => {
      clearTimeout(killer);
      resolve(parseWrk(out));
    });
  });
}
