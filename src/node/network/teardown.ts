// What `kubesvc down` calls: remove every namespace, host link, host route and /etc/netns dir that
// carries kubesvc's names, and nothing else — selection is by exact name pattern, never by guess.
import { type NetnsEnv, type NetnsOptions, netnsEnv, ownHostLink, ownNamespace } from './config.js';
import { listNamespaces } from './host.js';
import { defaultRunner, GONE, mustRun, type NetRunner } from './runner.js';

/** Link names from `ip -o link show` (`5: ksn1@if2: <...>` → `ksn1`). */
export function parseLinkNames(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * Ends every process in the named namespace, then removes it; returns `process <pid> (in <ns>)`
 * and `netns <ns>` lines. A namespace lives on while a process is in it: after a crash, pods'
 * processes still run (and hold their namespaces and addresses) until someone ends them.
 */
export async function removeNamespace(runner: NetRunner, ns: string): Promise<string[]> {
  const removed: string[] = [];
  const pids = (await runner.run(['ip', 'netns', 'pids', ns])).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
  if (pids.length) {
    await mustRun(runner, ['kill', '-KILL', ...pids], { tolerate: GONE });
    for (const pid of pids) removed.push(`process ${pid} (in ${ns})`);
  }
  await mustRun(runner, ['ip', 'netns', 'del', ns], { tolerate: GONE });
  removed.push(`netns ${ns}`);
  return removed;
}

/** Removes /etc/netns/<ns> (a pod's resolv.conf); returns its `dir <path>` line. */
export async function removeEtcDir(env: NetnsEnv, ns: string): Promise<string> {
  await env.files.removeDir(`${env.etcNetns}/${ns}`);
  return `dir ${env.etcNetns}/${ns}`;
}

/** kubesvc's own namespaces (by exact name pattern) and host links, as they are now. */
export async function ownLeftovers(env: NetnsEnv): Promise<{ namespaces: string[]; links: string[] }> {
  const namespaces = (await listNamespaces(env)).filter((s) => ownNamespace(env, s) !== undefined);
  const links = parseLinkNames((await mustRun(env.runner, ['ip', '-o', 'link', 'show'])).stdout).filter((s) => ownHostLink(env, s));
  return { namespaces, links };
}

/**
 * Removes everything kubesvc (with these names) made and returns one line per removed thing:
 * `process <pid> (in <netns>)` (a process still running in one of our namespaces, killed),
 * `netns <name>`, `route <ip route line>`, `link <name>`, `dir <path>` (the /etc/netns dir itself
 * too when that leaves it empty). Pods go before nodes, node
 * veths before the bridge. Host routes are only ever the ones through our links, so they are listed
 * and go with the links. Throws NetCommandError on the first failing deletion.
 */
export async function teardownAll(runner: NetRunner = defaultRunner, opts: NetnsOptions = {}): Promise<string[]> {
  const env = netnsEnv({ ...opts, runner });
  const removed: string[] = [];

  const { namespaces, links } = await ownLeftovers(env);
  const routeText = (await mustRun(runner, ['ip', 'route', 'show'])).stdout;
  const routes = routeText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => links.some((name) => new RegExp(`(^|\\s)dev ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(l)));

  const podsFirst = [...namespaces].sort((a, b) => (ownNamespace(env, a) === 'pod' ? 0 : 1) - (ownNamespace(env, b) === 'pod' ? 0 : 1));
  for (const ns of podsFirst) removed.push(...(await removeNamespace(runner, ns)));
  for (const route of routes) removed.push(`route ${route}`);
  // A node veth usually vanished with its namespace (its peer was inside); GONE covers that.
  const bridgeLast = [...links].sort((a, b) => (a === env.bridge ? 1 : 0) - (b === env.bridge ? 1 : 0));
  for (const link of bridgeLast) {
    await mustRun(runner, ['ip', 'link', 'del', link], { tolerate: GONE });
    removed.push(`link ${link}`);
  }
  let removedDirs = false;
  for (const name of await env.files.list(env.etcNetns)) {
    if (ownNamespace(env, name) === undefined) continue;
    removed.push(await removeEtcDir(env, name));
    removedDirs = true;
  }
  // /etc/netns itself usually exists only because kubesvc wrote a pod's resolv.conf there.
  if (removedDirs && (await env.files.removeEmptyDir(env.etcNetns))) removed.push(`dir ${env.etcNetns}`);
  return removed;
}
