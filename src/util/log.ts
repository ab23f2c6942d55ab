// Readable one-line logs: time, component, message. Errors a user can cause are logged as a
// sentence, never as a stack trace; KUBESVC_DEBUG=1 adds stacks for developers.

export type Level = 'info' | 'warn' | 'error' | 'debug';

const debugOn = process.env.KUBESVC_DEBUG === '1';
let quiet = false;
/** Whether only errors are written (tests set it). */
export const isQuiet = () => quiet;

/** Tests and embedded use silence the logs. */
export function setQuiet(q: boolean): void {
  quiet = q;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
  debug(msg: string): void;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return debugOn && err.stack ? err.stack : err.message;
  return String(err);
}

export function logger(component: string): Logger {
  const write = (level: Level, msg: string) => {
    if (quiet && level !== 'error') return;
    if (level === 'debug' && !debugOn) return;
    const tag = level === 'info' ? '' : ` ${level.toUpperCase()}`;
    process.stderr.write(`${stamp()} ${component.padEnd(10)}${tag} ${msg}\n`);
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m, err) => write('error', err === undefined ? m : `${m}: ${errorText(err)}`),
    debug: (m) => write('debug', m),
  };
}
