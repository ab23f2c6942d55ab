// Text formats of Go values that upstream's images put on the wire (time.Time's String, Duration's
// String, json.Marshal of string maps, %q). Clients and e2e tests parse these, so they must match.

const startHr = process.hrtime.bigint();

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Trailing-zero-trimmed nanoseconds, as Go's ".999999999" layout prints them. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  return '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
}

/** time.Now().String() in UTC, with the monotonic reading "m=+S.NNNNNNNNN" Go appends. */
export function goTimeNow(): string {
  const ms = Date.now();
  const d = new Date(ms);
  // Date has millisecond resolution; the monotonic clock supplies the sub-millisecond digits.
  const mono = process.hrtime.bigint() - startHr;
  const nanos = (ms % 1000) * 1_000_000 + Number(mono % 1_000_000n);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const monoS = `${mono / 1_000_000_000n}.${String(mono % 1_000_000_000n).padStart(9, '0')}`;
  return `${date} ${time}${fraction(nanos)} +0000 UTC m=+${monoS}`;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration, in nanoseconds; throws Go's error text. */
export function parseGoDuration(s: string): number {
  const orig = s;
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(orig)}`);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    if (!num || (num[1] === '' && (num[2] === undefined || num[2] === ''))) throw invalid();
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`);
    s = s.slice(unit.length);
    total += Number(`${num[1] || '0'}.${num[2] ?? '0'}`) * scale;
  }
  return Math.round(neg ? -total : total);
}

/** Duration.String(): "0s", "500ms", "1.5s", "1m30s", "2h0m0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(Math.round(ns));
  if (ns < 1e9) {
    if (ns < 1e3) return `${sign}${ns}ns`;
    if (ns < 1e6) return `${sign}${trim(ns / 1e3)}µs`;
    return `${sign}${trim(ns / 1e6)}ms`;
  }
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns % 3600e9) / 60e9);
  const secNs = ns % 60e9;
  const sec = `${Math.floor(secNs / 1e9)}${fraction(secNs % 1e9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${sec}`;
  if (m > 0) return `${sign}${m}m${sec}`;
  return `${sign}${sec}`;
}

function trim(v: number): string {
  return String(Number(v.toFixed(9)));
}

/** strconv.Quote for the ASCII text these images see; JSON's escaping is the same there. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** json.Marshal: map keys sorted, and <, >, &, U+2028, U+2029 escaped as Go's encoder does. */
export function goJSON(value: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) sorted[k] = value[k];
  return JSON.stringify(sorted).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
