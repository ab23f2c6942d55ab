// Cron schedules as the CronJob API reads them: robfig/cron v3's ParseStandard (5 fields, `*`,
// `?`, ranges, steps, month and weekday names, the @yearly/@monthly/@weekly/@daily/@hourly macros
// and @every <duration>), failing with that parser's messages, which CronJob validation returns
// to the user verbatim.

/** One field's allowed values as a bit set (bit n = value n), plus whether it was written as `*`. */
export interface CronField {
  bits: bigint;
  star: boolean;
}

export type CronSchedule =
  | { kind: 'spec'; minute: CronField; hour: CronField; dom: CronField; month: CronField; dow: CronField }
  /** @every <duration>: a constant delay, rounded down to whole seconds (at least one). */
  | { kind: 'every'; everyMs: number };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const weekdays: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };
const fieldBounds: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, months, weekdays];

/** The macros, as the five fields they stand for. */
const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class CronParseError extends Error {}

/** Go's %s of a []string: `[a b c]`. */
const goList = (xs: string[]) => `[${xs.join(' ')}]`;

function parseUint(expr: string): number {
  // strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseUint(expr);
}

function parseRange(expr: string, b: Bounds): CronField {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseUint(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronParseError(`too many slashes: ${expr}`);
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  let bits = 0n;
  for (let v = start; v <= end; v += step) bits |= 1n << BigInt(v);
  return { bits, star };
}

function parseField(text: string, b: Bounds): CronField {
  const out: CronField = { bits: 0n, star: false };
  for (const expr of text.split(',').filter((s) => s !== '')) {
    const r = parseRange(expr, b);
    out.bits |= r.bits;
    out.star ||= r.star;
  }
  return out;
}

/** Go's time.ParseDuration for the units a schedule can use (h, m, s, ms, us, ns). */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { h: 3600e3, m: 60e3, s: 1e3, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;
  if (s === '0') return 0;
  let ms = 0;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ${JSON.stringify(s)}`);
    ms += Number(m[1]) * units[m[2]!]!;
    i = re.lastIndex;
  }
  if (s.length === 0) throw new CronParseError(`failed to parse duration ${s}: time: invalid duration ""`);
  return ms;
}

/** ParseStandard. Time zone prefixes (`TZ=`, `CRON_TZ=`) are the caller's concern: CronJob validation rejects them. */
export function parseSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let s = spec;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    if (i < 0) throw new CronParseError(`provided bad location ${s.slice(s.indexOf('=') + 1)}: unknown time zone ${s.slice(s.indexOf('=') + 1)}`);
    s = s.slice(i).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const ms = parseGoDuration(s.slice('@every '.length));
      // Sub-second intervals are rounded up to a second, as ConstantDelaySchedule does.
      return { kind: 'every', everyMs: ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000 };
    }
    const five = descriptors[s];
    if (!five) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = five;
  }
  const fields = s.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: ${goList(fields)}`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, fieldBounds[i]!)) as [CronField, CronField, CronField, CronField, CronField];
  return { kind: 'spec', minute, hour, dom, month, dow };
}
