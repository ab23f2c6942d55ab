#!/usr/bin/env node
// registry.k8s.io/pause (ENTRYPOINT ["/pause"]): sleeps until SIGINT or SIGTERM, then exits 0
// after printing what pause.c's psignal() prints.

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = { SIGINT: 'Interrupt', SIGTERM: 'Terminated' };

if (process.argv.slice(2).some((a) => a.toLowerCase() === '-v')) {
  process.stdout.write('pause.c v3.10\n');
  process.exit(0);
}
// pause.c warns when it is not PID 1; in a real pod it is, so users never see that line: omitted.
const keepAlive = setInterval(() => undefined, 1 << 30);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    clearInterval(keepAlive);
    process.stderr.write(`Shutting down, got signal: ${SIGNAL_TEXT[sig]}\n`);
    process.exit(0);
  });
}
