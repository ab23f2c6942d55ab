// Go's time and duration text forms, as metav1.Time, metav1.MicroTime and metav1.Duration print
// and parse them in JSON.

/** Unix seconds of Go's zero time.Time (January 1, year 1, UTC): metav1.Time prints it as null. */
export const GO_ZERO_UNIX = -62135596800n;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp (what time.Parse(time.RFC3339, s) accepts) into seconds and nanos. */
export function parseRFC3339(s: string): { seconds: bigint; nanos: number } | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let seconds = BigInt(Math.floor(d.getTime() / 1000));
  if (m[9]) {
    const off = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds -= BigInt(m[9] === '+' ? off : -off);
  }
  const nanos = m[7] ? Number(m[7].slice(0, 9).padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

/** Formats seconds (+ microseconds when `micro`) in UTC as RFC 3339, like Go's time.Format. */
export function formatRFC3339(seconds: bigint, nanos: number, micro: boolean): string {
  const d = new Date(Number(seconds) * 1000);
  const base = d.toISOString().replace(/\.\d{3}Z$/, '');
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

// Go's time.Duration.String: the fraction after the integer part without trailing zeros.
function frac(v: bigint, prec: number): { text: string; rest: bigint } {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = digit.toString() + digits;
    v /= 10n;
  }
  return { text: print ? `.${digits}` : '', rest: v };
}

/** time.Duration(ns).String(), e.g. 90e9 → "1m30s", 1500 → "1.5µs". */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    const [prec, unit] = u < 1000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const f = frac(u, prec);
    out = `${f.rest}${f.text}${unit}`;
  } else {
    const f = frac(u, 9);
    u = f.rest;
    out = `${u % 60n}${f.text}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration: "1h2m3.5s", "-1.5ms", "0". Returns undefined when Go would fail. */
export function parseGoDuration(s: string): bigint | undefined {
  let rest = s;
  let neg = false;
  if (rest[0] === '-' || rest[0] === '+') {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest) {
    const m = part.exec(rest);
    if (!m || (m[1] === '' && !m[2])) return undefined;
    const unit = UNITS[m[3]!]!;
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}
