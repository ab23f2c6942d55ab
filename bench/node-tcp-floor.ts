// The runtime's floor for a TCP proxy, beside bench/proxy-userspace.ts's HAProxy: the least a
// Node program can do per proxied connection (accept, connect to the next backend round robin,
// `pipe` both ways), with none of the userspace proxy's work (dial timeouts and retries, source
// ranges, affinity, counters, half-close care). What separates it from HAProxy is Node's net
// path, so the userspace proxy is judged against it too.
// Usage: node dist/bench/node-tcp-floor.js <listen-ip> <listen-port> <backend-ip:port>... ;
// prints "ready" and exits when stdin (a pipe) closes.
import { connect, createServer } from 'node:net';
import { exitWithParent } from './exit-with-parent.js';

const [host, portText, ...backends] = process.argv.slice(2);
let next = 0;
const server = createServer({ noDelay: true }, (client) => {
  const [ip, port] = backends[next++ % backends.length]!.split(':');
  const backend = connect({ host: ip!, port: Number(port), noDelay: true });
  client.on('error', () => backend.destroy());
  backend.on('error', () => client.destroy());
  client.pipe(backend).pipe(client);
});
server.listen({ host, port: Number(portText), backlog: 4096 }, () => process.stdout.write('ready\n'));
exitWithParent();
