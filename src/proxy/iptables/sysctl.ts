// net.ipv4.conf.all.route_localnet, which localhost NodePorts need (the kernel otherwise drops a
// packet DNATed from 127.0.0.1 to a pod as a martian). Upstream's iptables proxier sets it at
// start. It is a per-namespace sysctl, so kubesvc sets it only inside a node's namespace: written
// on the host it would change how the whole machine treats 127/8 traffic.
import type { RuleExecutor } from '../rules.js';
import { logger } from '../../util/log.js';

const log = logger('proxy');

export const routeLocalnetSysctl = 'net.ipv4.conf.all.route_localnet';

/**
 * Inside a namespace (`netns` given, `exec` running there): sets route_localnet=1, failing the
 * start when that fails, as upstream does. Without one: only reads it. Resolves to whether
 * localhost NodePorts can work, i.e. the `localhostNodePorts` render option to use.
 */
export async function prepareRouteLocalnet(exec: RuleExecutor, netns: string | undefined): Promise<boolean> {
  if (netns) {
    const r = await exec.run(['sysctl', '-w', `${routeLocalnetSysctl}=1`]);
    if (r.code !== 0) throw new Error(`setting ${routeLocalnetSysctl}=1 in netns ${netns} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return true;
  }
  const r = await exec.run(['sysctl', '-n', routeLocalnetSysctl]).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
  if (r.code === 0 && r.stdout.trim() === '1') return true;
  log.info(`${routeLocalnetSysctl} is not 1 in this process's namespace and kubesvc does not set it on the host: NodePorts do not answer on 127.0.0.1`);
  return false;
}
