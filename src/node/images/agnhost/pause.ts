import type { Subcommand } from '../lib/command.js';
import { onSignals } from '../lib/lifecycle.js';

// agnhost pause: prints "Paused" and blocks. Upstream exits 1 on SIGINT and 2 on SIGTERM (unlike
// the standalone pause image, which exits 0); we keep those codes so container statuses match.
export const pause: Subcommand = {
  use: 'pause',
  short: 'Pauses the execution',
  long: 'Pauses the execution. Useful for keeping the containers running, so other commands can be executed.',
  flags: [],
  run() {
    // A pending timer keeps the event loop, hence the process, alive until a signal arrives.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    // Handlers go in before the first output: whoever waits for that line may signal at once.
    onSignals(['SIGINT', 'SIGTERM'], (sig) => {
      clearInterval(keepAlive);
      process.exit(sig === 'SIGINT' ? 1 : 2);
    });
    process.stdout.write('Paused\n');
  },
};
