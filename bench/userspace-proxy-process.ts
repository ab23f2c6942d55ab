// The userspace proxy in a process of its own, for bench/proxy-userspace.ts: the same provider
// and Service as the benchmark's in-process target, without the benchmark's own heap and timers
// on its event loop, as the bare Node proxy (node-tcp-floor.ts) and HAProxy each have theirs.
// Usage: node dist/bench/userspace-proxy-process.js <clusterIP> <pod-port> <pod-ip>... ;
// prints "ready" and exits when stdin (a pipe) closes.
import { exitWithParent } from './exit-with-parent.js';
import { UserspaceProvider } from '../src/proxy/userspace/provider.js';
import { setQuiet } from '../src/util/log.js';
import { buildMaps, ep, slice, svc } from '../test/proxy/fixtures.js';

setQuiet(true);
const [clusterIP, portText, ...pods] = process.argv.slice(2);
const port = Number(portText);

async function main(): Promise<void> {
  const provider = new UserspaceProvider({ nodeName: 'bench', nodeIP: '127.0.0.1' });
  await provider.start();
  const { sm, em } = buildMaps(
    'bench',
    [svc('bench', 'web', { clusterIP: clusterIP!, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })],
    [slice('bench', 'web', 'web-1', pods.map((ip) => ep(ip)), [{ name: 'http', port, protocol: 'TCP' }])],
  );
  await provider.sync(sm, em, { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });
  process.stdout.write('ready\n');
  // Gone with the benchmark (its listeners close with the process): when the pipe closes, or on SIGTERM.
  process.on('SIGTERM', () => process.exit(0));
  exitWithParent();
}

void main();
