// Stands in for an agent that gets killed: starts one busybox container through CrunRuntime,
// prints its id, and waits to be killed with SIGKILL (crun-runtime.test.ts then adopts it).
import { CrunRuntime } from '../../../src/node/runtime/crun/runtime.js';
import { busyboxConfig } from './busybox-image.js';

const [dataDir, rootfs, script] = process.argv.slice(2) as [string, string, string];
const rt = new CrunRuntime(dataDir);
const h = await rt.start({
  id: `crun-test-${Math.random().toString(16).slice(2)}`,
  podUID: 'uid-1',
  podName: 'p',
  namespace: 'default',
  containerName: 'app',
  attempt: 2,
  image: 'busybox:1.36',
  env: {},
  hostname: 'web-0',
  args: [script],
  pulled: { imageID: 'x', rootfs, config: busyboxConfig },
});
process.stdout.write(JSON.stringify({ id: h.id }) + '\n');
setInterval(() => {}, 1000);
