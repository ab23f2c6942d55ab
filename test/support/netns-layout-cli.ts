// netns mode's machine layout without a cluster on it, for tests that put their own servers and
// agents on it: the bridge (kubesvc0, 172.30.0.1), N node namespaces <prefix>-node-n with their
// cni0 bridges, and the routes between, built as `kubesvc up --network netns` builds them. Run it
// in the test's own network namespace; it prints "ready", and removes everything when its standard
// input closes (or on SIGTERM).
// Usage: node netns-layout-cli.js --prefix P --nodes N --data-dir DIR
import { setUpNetnsCluster } from '../../src/cli/netns-nodes.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
};

const net = await setUpNetnsCluster({
  prefix: arg('prefix'),
  nodes: Number(arg('nodes')),
  podCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/12',
  lbPool: '172.30.1.0/24',
  dataDir: arg('data-dir'),
});
process.stdout.write('ready\n');
let done = false;
const teardown = async () => {
  if (done) return;
  done = true;
  await net.teardown();
  process.exit(0);
};
process.stdin.on('end', () => void teardown());
process.stdin.on('close', () => void teardown());
process.stdin.resume();
process.on('SIGTERM', () => void teardown());
