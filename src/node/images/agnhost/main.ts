#!/usr/bin/env node
// The agnhost image: one program, the subcommand in argv (ENTRYPOINT ["/agnhost"], CMD ["pause"]).
import { runSubcommand, type Subcommand } from '../lib/command.js';
import { liveness } from './liveness.js';
import { netexec } from './netexec/index.js';
import { pause } from './pause.js';
import { serveHostname } from './serve-hostname.js';

const SUBCOMMANDS: Subcommand[] = [liveness, netexec, pause, serveHostname];

function rootUsage(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.use.length), 'help'.length);
  const cmds = [...SUBCOMMANDS, { use: 'help', short: 'Help about any command' }]
    .sort((a, b) => a.use.localeCompare(b.use))
    .map((c) => `  ${c.use.padEnd(width)} ${c.short}\n`)
    .join('');
  return (
    `Usage:\n  app [command]\n\nAvailable Commands:\n${cmds}\nFlags:\n  -h, --help      help for app\n` +
    `  -v, --version   version for app\n\nUse "app [command] --help" for more information about a command.\n`
  );
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help']);
    process.stdout.write(rootUsage());
    return;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('app version 2.53\n');
    return;
  }
  const cmd = SUBCOMMANDS.find((c) => c.use === name);
  if (!cmd) {
    process.stderr.write(`Error: unknown command ${JSON.stringify(name)} for "app"\nRun 'app --help' for usage.\n`);
    process.exit(1);
  }
  await runSubcommand(cmd, rest);
}

await main(process.argv.slice(2));
