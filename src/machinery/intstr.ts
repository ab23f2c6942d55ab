// IntOrString (apimachinery util/intstr): a JSON number or a string such as "25%", used by
// Service targetPort and Deployment maxSurge/maxUnavailable.

export type IntOrString = number | string;

/** True when the value was sent as a JSON number (intstr.Int). */
export function isInt(v: unknown): v is number {
  return typeof v === 'number';
}

/** True when the value was sent as a JSON string (intstr.String), e.g. a named port or a percentage. */
export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** IntOrString.IntValue(): the number, or a string's integer value (0 when it is not one). */
export function intValue(v: IntOrString): number {
  if (typeof v === 'number') return v;
  const n = atoi(v);
  return n === undefined ? 0 : n;
}

/** IntOrString.String(): how the value prints in messages. */
export function intOrStringString(v: IntOrString): string {
  return String(v);
}

// strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range.
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

function atoiError(s: string): string {
  const ok = /^[+-]?[0-9]+$/.test(s);
  return `strconv.Atoi: parsing ${JSON.stringify(s)}: ${ok ? 'value out of range' : 'invalid syntax'}`;
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is; "N%" as N% of total, rounded up or down.
 * Throws Error with upstream's messages, e.g.
 * `invalid value for IntOrString: invalid type: string is not a percentage`.
 */
export function getScaledValueFromIntOrPercent(
  v: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v !== 'string') throw new Error('invalid value for IntOrString: invalid type: neither int nor percentage');
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  const n = atoi(digits);
  if (n === undefined) {
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: ${atoiError(digits)}`);
  }
  const scaled = (n * total) / 100;
  // Go converts the float with int(), which truncates toward zero after Ceil/Floor.
  return Math.trunc(roundUp ? Math.ceil(scaled) : Math.floor(scaled));
}

/** intstr.Parse: a number when the text is an int32, otherwise the text (e.g. `kubectl expose --target-port`). */
export function parseIntOrString(val: string): IntOrString {
  if (/^[+-]?[0-9]+$/.test(val)) {
    const n = BigInt(val);
    if (n >= -2147483648n && n <= 2147483647n) return Number(n);
  }
  return val;
}
