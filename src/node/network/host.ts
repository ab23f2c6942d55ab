// The one thing netns mode adds to the machine's own network: the `kubesvc0` bridge with the host's
// address on the node subnet, so the user's shell reaches node IPs and NodePorts. The host's
// ip_forward and routes are left alone (the bridge's connected route comes and goes with it).
import { type NetnsEnv, hostIP, netnsEnv } from './config.js';
import { EXISTS, mustRun } from './runner.js';

export async function ensureHostBridge(env: NetnsEnv = netnsEnv()): Promise<void> {
  const r = env.runner;
  const shown = await r.run(['ip', 'link', 'show', 'dev', env.bridge]);
  if (shown.code !== 0) await mustRun(r, ['ip', 'link', 'add', env.bridge, 'type', 'bridge'], { tolerate: EXISTS });
  await mustRun(r, ['ip', 'addr', 'replace', `${hostIP(env)}/24`, 'dev', env.bridge]);
  await mustRun(r, ['ip', 'link', 'set', env.bridge, 'up']);
}

/** Names of the network namespaces `ip netns list` shows (its lines look like `name (id: 3)`). */
export async function listNamespaces(env: NetnsEnv): Promise<string[]> {
  const res = await mustRun(env.runner, ['ip', 'netns', 'list']);
  return res.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((s) => s !== '');
}
