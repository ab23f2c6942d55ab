// SIGINT/SIGTERM for a foreground command. The handlers go in before anything starts: a signal
// that arrives while the cluster is still starting must stop what has started (pods included)
// rather than kill the process with its default action and leave pod processes behind. As
// upstream's SetupSignalContext does, a second signal exits at once with status 1.
import { logger } from '../util/log.js';

const log = logger('kubesvc');

export interface StopSignals {
  /** Aborted by the first SIGINT or SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Resolves with the signal's name once one arrives. */
  readonly received: Promise<string>;
  /** Removes the handlers (the default actions apply again). */
  dispose(): void;
}

export function onStopSignals(names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): StopSignals {
  const ac = new AbortController();
  let resolveReceived!: (sig: string) => void;
  const received = new Promise<string>((r) => (resolveReceived = r));
  const handler = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      log.warn(`${sig} again: exiting now`);
      process.exit(1);
    }
    log.info(`${sig} received: stopping`);
    ac.abort(sig);
    resolveReceived(sig);
  };
  for (const n of names) process.on(n, handler);
  return {
    signal: ac.signal,
    received,
    dispose: () => {
      for (const n of names) process.off(n, handler);
    },
  };
}

/** Thrown by a start-up that a stop signal cut short, after it stopped what it had started. */
export class StartAborted extends Error {
  constructor(readonly signalName: string) {
    super(`${signalName} received during start-up: stopped`);
    this.name = 'StartAborted';
  }
}

export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartAborted(String(signal.reason));
}
