// Go's time.Time.String() for a UTC time read from a monotonic clock
// ("2006-01-02 15:04:05.999999999 +0000 UTC m=+1.234567890"), which upstream's /healthz prints.
export function goTimeString(ms: number, monotonicMs: number = performance.now()): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = d.getUTCMilliseconds() ? `.${p(d.getUTCMilliseconds(), 3).replace(/0+$/, '')}` : '';
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}`;
  return `${date} ${time} +0000 UTC m=+${(monotonicMs / 1000).toFixed(9)}`;
}

/** Go's zero time.Time, printed when the proxy has never synced. */
export const goZeroTime = '0001-01-01 00:00:00 +0000 UTC';
