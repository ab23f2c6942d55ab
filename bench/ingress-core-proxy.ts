// The routing core in a process of its own for bench/ingress-core.ts: a FrontEnd listening on
// <ip>:<port>, every request routed to the given backends round robin. Prints "ready".
// Usage: node dist/bench/ingress-core-proxy.js <ip> <port> <ip:port>...
import { RoundRobin } from '../src/ingress/routing/backends.js';
import { FrontEnd } from '../src/ingress/routing/front.js';

const [ip, port, ...backends] = process.argv.slice(2);
const rr = new RoundRobin(backends.map((b) => ({ ip: b.split(':')[0]!, port: Number(b.split(':')[1]) })));
const front = new FrontEnd(() => ({ kind: 'forward', info: { kind: 'Ingress', namespace: 'default', name: 'bench', service: 'bench' }, endpoints: rr }));
front.http().listen(Number(port), ip, () => process.stdout.write('ready\n'));
process.stdin.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
