// Ages as kubectl prints them: apimachinery's duration.HumanDuration, ~2-3 significant figures.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(x) truncates toward zero; every step below relies on that. */
const trunc = Math.trunc;

/** Human form of a duration in milliseconds: `5s`, `119s`, `3m2s`, `70m`, `3h1m`, `47h`, `2d1h`, `8d`, `2y1d`, `9y`. */
export function humanDuration(ms: number): string {
  const seconds = trunc(ms / SECOND);
  // Up to a second of clock skew between machines still reads as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = trunc(hours / 24 / 365);
    const days = trunc(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${trunc(hours / 24 / 365)}y`;
}

/** Parses an RFC 3339 timestamp; undefined for a missing or zero time (Go's IsZero). */
export function parseTime(ts: string | null | undefined): Date | undefined {
  if (!ts) return undefined;
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return undefined;
  // Go's zero time serialises as 0001-01-01T00:00:00Z; treat it as unset like upstream does.
  if (d.getUTCFullYear() <= 1) return undefined;
  return d;
}

/** Time since ts, `<unknown>` when there is none (upstream's translateTimestampSince). */
export function since(ts: string | null | undefined, now: Date): string {
  const d = parseTime(ts);
  if (!d) return '<unknown>';
  return humanDuration(now.getTime() - d.getTime());
}
