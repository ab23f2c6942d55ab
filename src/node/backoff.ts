// Crash-loop back-off, as the kubelet's (client-go flowcontrol.Backoff keyed by pod + container):
// the first restart after a crash is immediate; each further crash waits the current delay, which
// starts at 10 s and doubles up to 300 s. A container that ran longer than twice the maximum
// without being restarted starts over at the initial delay.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  now?: () => number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class CrashBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: BackoffOptions = { initialMs: 10_000, maxMs: 300_000 }) {
    this.now = opts.now ?? Date.now;
  }

  private entry(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastUpdate > 2 * this.opts.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** How long to wait, counted from `finishedAt`, before restarting; 0 when no back-off applies. */
  remainingMs(key: string, finishedAt: number): number {
    const e = this.entry(key);
    if (!e) return 0;
    return Math.max(0, e.delayMs - (this.now() - finishedAt));
  }

  /**
   * How much of the current delay is left since the last next() (the image pull back-off's
   * IsInBackOffSinceUpdate); 0 when none.
   */
  remainingSinceUpdateMs(key: string): number {
    const e = this.entry(key);
    if (!e) return 0;
    return Math.max(0, e.delayMs - (this.now() - e.lastUpdate));
  }

  /** The current delay (for the "back-off 20s restarting failed container" message). */
  delayMs(key: string): number {
    return this.entry(key)?.delayMs ?? 0;
  }

  /** Called when a container is (re)started after a crash: doubles the delay for the next one. */
  next(key: string): void {
    const e = this.entry(key);
    const delayMs = e ? Math.min(e.delayMs * 2, this.opts.maxMs) : this.opts.initialMs;
    this.entries.set(key, { delayMs, lastUpdate: this.now() });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key that starts with `prefix` (all containers of a pod). */
  forgetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's duration format for whole seconds and minutes ("10s", "2m40s", "5m0s"), as messages show it. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : `${m}m${sec}s`;
}
