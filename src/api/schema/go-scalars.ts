// The hand-written JSON decoders of apimachinery's scalar types, reduced to "is this text one
// they accept, and if not, what do they say": resource.Quantity (ParseQuantity) and metav1.Time /
// metav1.MicroTime (time.Parse with RFC 3339 layouts). Upstream's decoder stops at these errors,
// so kubesvc must answer with the same words.

const QUANTITY_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_SUFFIX = "unable to parse quantity's suffix";
const SUFFIX_CHARS = 'eEinumkKMGTP';
const SUFFIXES = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The error ParseQuantity gives for `s`, or undefined when it parses. Follows its scanner step by step. */
export function quantityError(s: string): string | undefined {
  if (s.length === 0) return QUANTITY_FORMAT;
  let pos = 0;
  const end = s.length;
  if (s[0] === '-' || s[0] === '+') pos++;
  while (pos < end && s[pos] === '0') pos++;
  if (pos >= end) return undefined;
  while (pos < end && isDigit(s[pos])) pos++;
  if (pos >= end) return undefined;
  if (s[pos] === '.') {
    pos++;
    while (pos < end && isDigit(s[pos])) pos++;
    if (pos >= end) return undefined;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(s[pos]!)) pos++;
  if (pos < end && (s[pos] === '-' || s[pos] === '+')) pos++;
  while (pos < end && isDigit(s[pos])) pos++;
  if (pos < end) return QUANTITY_FORMAT;
  const suffix = s.slice(suffixStart);
  if (SUFFIXES.has(suffix)) return undefined;
  // A decimal exponent: e or E and an integer that fits int64.
  if ((suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d{1,18}$/.test(suffix.slice(1))) return undefined;
  return QUANTITY_SUFFIX;
}

export const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';
export const RFC3339_MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

const quote = (s: string): string => JSON.stringify(s);

/**
 * The error Go's time.Parse(layout, s) gives for the two RFC 3339 layouts metav1 uses, or
 * undefined when `s` parses. Each layout element is read as Go reads it, so the message names
 * the same element: `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`.
 */
export function timeParseError(s: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO_LAYOUT : RFC3339_LAYOUT;
  const cannot = (value: string, elem: string): string =>
    `parsing time ${quote(s)} as ${quote(layout)}: cannot parse ${quote(value)} as ${quote(elem)}`;
  const range = (what: string): string => `parsing time ${quote(s)}: ${what} out of range`;
  let v = s;
  const literal = (lit: string): boolean => {
    if (!v.startsWith(lit)) return false;
    v = v.slice(lit.length);
    return true;
  };
  // getnum: one or two digits; `fixed` wants exactly two.
  const num2 = (fixed: boolean): number | undefined => {
    if (!isDigit(v[0])) return undefined;
    if (!isDigit(v[1])) {
      if (fixed) return undefined;
      const n = Number(v[0]);
      v = v.slice(1);
      return n;
    }
    const n = Number(v.slice(0, 2));
    v = v.slice(2);
    return n;
  };

  if (v.length < 4 || !/^[+-]?\d+$/.test(v.slice(0, 4))) return cannot(v, '2006');
  const year = Number(v.slice(0, 4));
  v = v.slice(4);
  if (!literal('-')) return cannot(v, '-');
  let hold = v;
  const month = num2(true);
  if (month === undefined) return cannot(hold, '01');
  if (month < 1 || month > 12) return range('month');
  if (!literal('-')) return cannot(v, '-');
  hold = v;
  const day = num2(true);
  if (day === undefined) return cannot(hold, '02');
  if (!literal('T')) return cannot(v, 'T');
  hold = v;
  const hour = num2(false);
  if (hour === undefined) return cannot(hold, '15');
  if (hour >= 24) return range('hour');
  if (!literal(':')) return cannot(v, ':');
  hold = v;
  const minute = num2(true);
  if (minute === undefined) return cannot(hold, '04');
  if (minute >= 60) return range('minute');
  if (!literal(':')) return cannot(v, ':');
  hold = v;
  const second = num2(true);
  if (second === undefined) return cannot(hold, '05');
  if (second >= 60) return range('second');
  if (micro) {
    hold = v;
    if (v.length < 7 || (v[0] !== '.' && v[0] !== ',') || !/^\d{6}$/.test(v.slice(1, 7))) return cannot(hold, '.000000');
    v = v.slice(7);
  } else if (v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigit(v[1])) {
    // Go accepts fractional seconds the layout does not mention.
    let n = 1;
    while (isDigit(v[n])) n++;
    v = v.slice(n);
  }
  hold = v;
  if (v[0] === 'Z') v = v.slice(1);
  else if (v.length >= 6 && v[3] === ':' && (v[0] === '+' || v[0] === '-') && /^\d\d:\d\d/.test(v.slice(1, 6))) {
    const tzh = Number(v.slice(1, 3));
    const tzm = Number(v.slice(4, 6));
    if (tzh > 24) return range('time zone offset hour');
    if (tzm > 60) return range('time zone offset minute');
    v = v.slice(6);
  } else return cannot(hold, 'Z07:00');
  if (v.length) return `parsing time ${quote(s)}: extra text: ${quote(v)}`;
  if (day < 1 || day > daysIn(month, year)) return range('day');
  return undefined;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isB64 = (c: string | undefined): boolean => c !== undefined && B64_ALPHABET.includes(c);
const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';

/**
 * The error encoding/json gives for a []byte field (format "byte") whose JSON string is not
 * base64.StdEncoding, or undefined when it decodes: `illegal base64 data at input byte N`, N as
 * Go's decodeQuantum reports it (padding required, CR and LF skipped, trailing garbage refused).
 */
export function base64Error(s: string): string | undefined {
  const at = (n: number): string => `illegal base64 data at input byte ${n}`;
  let si = 0;
  while (si < s.length) {
    // One quantum of up to four significant characters.
    let j = 0;
    for (; j < 4; j++) {
      if (si === s.length) {
        if (j === 0) return undefined;
        return at(si - j);
      }
      const c = s[si++];
      if (isB64(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== '=') return at(si - 1);
      // Padding: only after two or three significant characters, and it ends the input.
      if (j < 2) return at(si - 1);
      if (j === 2) {
        while (si < s.length && isNewline(s[si])) si++;
        if (si === s.length) return at(s.length);
        if (s[si] !== '=') return at(si - 1);
        si++;
      }
      while (si < s.length && isNewline(s[si])) si++;
      return si < s.length ? at(si) : undefined;
    }
  }
  return undefined;
}
