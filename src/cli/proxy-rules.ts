// `kubesvc proxy rules|trace`: kube-proxy's data plane for the running cluster, without root.
// `rules --mode M` prints what mode M would program on a node (iptables-restore, `nft -f`, or the
// IPVS sections); `trace <svc>` explains, in words, the path a packet to that Service takes.
// Both only read the cluster (list Services, EndpointSlices, Nodes) and build the proxy's maps
// with the proxy's own trackers.
import { flagHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { isProxyModeName, kernelModeNames, kernelProxyMode, proxyModeNames, type ProxyMode, type RenderOptions } from '../proxy/modes.js';
import { fetchClusterState, resolveKubeconfig, rulesInput } from './proxy-state.js';
import { traceService } from '../proxy/trace.js';
import type { ProxyLayout } from '../proxy/options.js';
import { proxyLayout } from '../proxy/rule-renderers.js';
import { kubeconfigFlags } from './cluster-client.js';

const commonFlags: FlagSpec[] = [
  ...kubeconfigFlags,
  { name: 'node', metavar: 'NAME', help: "the node whose proxy to show (its endpoints are the local ones, its addresses get NodePorts)", default: 'the first node' },
  { name: 'cluster-cidr', metavar: 'CIDR', help: 'the pod range; traffic from outside it to a ClusterIP is masqueraded (kube-proxy --cluster-cidr)' },
  { name: 'ipvs-scheduler', metavar: 'NAME', help: 'IPVS scheduler: rr, wrr, lc, wlc, sh, dh, sed or nq', default: 'rr' },
  { name: 'proxy-layout', metavar: 'LAYOUT', help: 'iptables, nftables: inline (no chain per endpoint) or upstream (kube-proxy\'s layout, rule for rule)', default: 'inline' },
  { name: 'help', boolean: true, help: 'show this help' },
];

const rulesFlags: FlagSpec[] = [{ name: 'mode', metavar: 'MODE', help: `proxy mode: ${kernelModeNames.join(', ')}` }, ...commonFlags];

const traceFlags: FlagSpec[] = [
  { name: 'mode', metavar: 'MODE', help: `proxy mode: ${proxyModeNames.join(', ')}`, default: 'iptables' },
  { name: 'port', metavar: 'P', help: 'the Service port, by name or number', default: 'every port' },
  { name: 'from', metavar: 'IP', help: "the packet's source address (decides masquerade and hairpin)" },
  ...commonFlags,
];

export const proxyUsage = `Usage: kubesvc proxy <rules|trace> [flags]

Shows kube-proxy's data plane for the running cluster; needs no root.

  kubesvc proxy rules --mode iptables|nftables|ipvs [--proxy-layout inline|upstream]
      prints the rules the proxy would program for the cluster's current state, in the tool's
      own format (iptables-restore, nft -f; for ipvs: ip addr, ipset restore, ipvsadm --restore
      and iptables-restore sections); --proxy-layout upstream shows kube-proxy's own layout
  kubesvc proxy trace <namespace/service | service> [--port P] [--from IP] [--mode M]
      explains which chains and rules a packet to that Service walks and where it can land

rules flags:
${flagHelp(rulesFlags)}

trace flags:
${flagHelp(traceFlags)}
`;

async function rules(argv: string[]): Promise<number> {
  const f = parseFlags(argv, rulesFlags);
  if (f.bools.has('help')) {
    process.stdout.write(proxyUsage);
    return 0;
  }
  if (f.positional.length) throw new UsageError(`proxy rules takes no arguments, got ${JSON.stringify(f.positional.join(' '))}`);
  const mode = f.values.get('mode');
  if (!mode) throw new UsageError(`proxy rules needs --mode (${kernelModeNames.join(', ')})`);
  const kernelMode = kernelProxyMode(mode);
  if (!kernelMode) throw new UsageError(`--mode must be one of ${kernelModeNames.join(', ')}, not ${JSON.stringify(mode)}`);
  const renderOpts = { ...optionalAs(f.values, 'ipvs-scheduler', 'ipvsScheduler'), ...optionalAs(f.values, 'proxy-layout', 'layout') };
  // Options are checked before the cluster is read: a mistake fails fast and plainly.
  checkModeOptions(kernelMode, renderOpts);
  const state = await fetchClusterState(resolveKubeconfig(f.values.get('kubeconfig'), f.values.get('data-dir')));
  const input = rulesInput(state, { ...optional(f.values, 'node'), ...optionalAs(f.values, 'cluster-cidr', 'clusterCIDR') });
  process.stdout.write(kernelMode.render(input, renderOpts));
  return 0;
}

async function trace(argv: string[]): Promise<number> {
  const f = parseFlags(argv, traceFlags);
  if (f.bools.has('help')) {
    process.stdout.write(proxyUsage);
    return 0;
  }
  if (f.positional.length !== 1) throw new UsageError('proxy trace needs one Service: <namespace/name> or <name> (namespace default)');
  const target = f.positional[0]!;
  const [namespace, name] = target.includes('/') ? (target.split('/', 2) as [string, string]) : ['default', target];
  const mode = f.values.get('mode') ?? 'iptables';
  if (!isProxyModeName(mode)) throw new UsageError(`--mode must be one of ${proxyModeNames.join(', ')}, not ${JSON.stringify(mode)}`);
  const layout = layoutFlag(f.values);
  const state = await fetchClusterState(resolveKubeconfig(f.values.get('kubeconfig'), f.values.get('data-dir')));
  const input = rulesInput(state, { ...optional(f.values, 'node'), ...optionalAs(f.values, 'cluster-cidr', 'clusterCIDR') });
  try {
    process.stdout.write(
      traceService(input, {
        namespace,
        name,
        mode,
        ...optional(f.values, 'port'),
        ...optional(f.values, 'from'),
        ...optionalAs(f.values, 'ipvs-scheduler', 'ipvsScheduler'),
        ...(layout ? { layout } : {}),
      }),
    );
  } catch (e) {
    process.stderr.write(`kubesvc proxy trace: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

/** `{ [name]: value }` when the flag was given, so optional properties stay absent (exactOptionalPropertyTypes). */
function optional<K extends string>(values: Map<string, string>, name: K): { [P in K]?: string } {
  return optionalAs(values, name, name);
}

function optionalAs<K extends string>(values: Map<string, string>, flag: string, key: K): { [P in K]?: string } {
  const v = values.get(flag);
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}

/** `kubesvc proxy ...`; returns the exit code. */
export async function proxyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'rules':
      return rules(rest);
    case 'trace':
      return trace(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(proxyUsage);
      return sub === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown proxy command ${JSON.stringify(sub)}; use rules or trace`);
  }
}

/** --proxy-layout when given, checked (a usage error names the layouts). */
export function layoutFlag(values: Map<string, string>): ProxyLayout | undefined {
  const v = values.get('proxy-layout');
  if (v === undefined) return undefined;
  try {
    return proxyLayout(v);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** A bad option value (a RangeError from the mode) is the user's mistake: a usage error. */
export function checkModeOptions(mode: ProxyMode, opts: RenderOptions): void {
  try {
    mode.checkOptions?.(opts);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}
