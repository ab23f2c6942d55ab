// A standalone entry for `kubesvc proxy` (node dist/src/cli/proxy-main.js rules --mode ipvs),
// usable before and besides the `proxy` case in main.ts; errors are reported as main.ts does.
import { UsageError } from './flags.js';
import { proxyCommand } from './proxy-rules.js';

proxyCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kubesvc: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
