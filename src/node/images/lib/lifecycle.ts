// Signal handling shared by the programs: the agent stops a pod with SIGTERM and expects the
// process to go away promptly, so handlers close what they opened and exit with the status the
// caller chose.

export interface Closable {
  close(): unknown;
}

/** Runs `handler` once on the first of `signals`; later signals are ignored, as Go's buffered channels are. */
export function onSignals(signals: NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): void {
  let fired = false;
  for (const s of signals) {
    process.on(s, () => {
      if (fired) return;
      fired = true;
      handler(s);
    });
  }
}

/** Go's signal names as they print with %s ("terminated", "interrupt"). */
export function goSignalName(s: NodeJS.Signals): string {
  switch (s) {
    case 'SIGTERM':
      return 'terminated';
    case 'SIGINT':
      return 'interrupt';
    case 'SIGHUP':
      return 'hangup';
    default:
      return s.toLowerCase();
  }
}

/** Closes listeners (and, for HTTP servers, their idle and active connections), then exits. */
export function closeAndExit(closables: Closable[], code: number): void {
  for (const c of closables) {
    try {
      const s = c as { closeAllConnections?: () => void };
      c.close();
      s.closeAllConnections?.();
    } catch {
      // already closed
    }
  }
  process.exit(code);
}
