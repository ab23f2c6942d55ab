#!/usr/bin/env node
// registry.k8s.io/serve_hostname: the standalone image agnhost's serve-hostname replaced
// (ENTRYPOINT ["/serve_hostname"]). Same servers; Go `flag` syntax, no --close, no start-up line,
// and it panics (exit 2) on SIGTERM/SIGINT rather than lingering.
import { startHostnameServers } from '../agnhost/serve-hostname.js';
import type { FlagSpec } from '../lib/flags.js';
import { parseGoFlags } from '../lib/goflag.js';
import { fatalf, goLogPrefix } from '../lib/golog.js';
import { goSignalName } from '../lib/lifecycle.js';

const FLAGS: FlagSpec[] = [
  { name: 'tcp', kind: 'bool', default: false, usage: 'Serve raw over TCP.' },
  { name: 'udp', kind: 'bool', default: false, usage: 'Serve raw over UDP.' },
  { name: 'http', kind: 'bool', default: true, usage: 'Serve HTTP.' },
  { name: 'port', kind: 'int', default: 9376, usage: 'Port number.' },
];

const flags = parseGoFlags('/serve_hostname', process.argv.slice(2), FLAGS);
const doTCP = flags.tcp === true;
const doUDP = flags.udp === true;
const doHTTP = flags.http === true;
if (doHTTP && (doTCP || doUDP)) fatalf("Can't server TCP/UDP mode and HTTP mode at the same time");

const closables = startHostnameServers({ doTCP, doUDP, doHTTP, doClose: false, port: flags.port as number }, undefined);

// startHostnameServers installs agnhost's handler; this image's own one replaces it: log.Panicf
// prints the line, then Go's panic report, and the runtime exits 2.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    const msg = `Terminating after receiving signal: ${goSignalName(sig)}.\n`;
    process.stdout.write(goLogPrefix() + msg);
    process.stderr.write(`panic: ${msg}\n\ngoroutine 1 [running]:\nmain.main()\n\t/serve_hostname.go\n`);
    for (const c of closables) c.close();
    process.exit(2);
  });
}
