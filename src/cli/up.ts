// `kubesvc up`: the whole cluster in one process — datastore, API server, and (as they are
// built) controllers, node agent, kube-proxy and DNS — ready in well under a second.
import type { ImagePuller } from '../node/runtime/image-puller.js';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { openBackend } from '../storage/registry.js';
import { startCompactor } from '../storage/compactor.js';
import type { Backend } from '../storage/backend.js';
import { ensurePki, ensureServiceAccountKey } from '../apiserver/pki.js';
import { allowLoopbackAddresses } from '../api/validation/ip.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { ApiServer } from '../apiserver/server.js';
import { startComponents, type Components, type NodeInfo } from './components.js';
import { OciImagePuller } from '../node/oci-images/puller.js';
import { checkNetnsSupport } from './netns-nodes.js';
import { checkIPVSSupport, ipvsUnsupportedMessage } from '../proxy/ipvs/index.js';
import { isProxyModeName, proxyMode as proxyModeOf, proxyModeNames } from '../proxy/modes.js';
import { checkModeOptions, layoutFlag } from './proxy-rules.js';
import { defaultProxyLayout, type ProxyLayout } from '../proxy/options.js';
import { logger, errorText } from '../util/log.js';
import { parseFlags, flagHelp, UsageError, type FlagSpec } from './flags.js';
import { apiServingFlags, parseApiServingFlags } from './api-serving-flags.js';
import { checkRegistryHost, checkRegistryMirror } from './registry-flags.js';
import { controlPlaneFlags, parseControlPlaneFlags, type ControlPlaneFlagValues } from './control-plane-flags.js';
import { checkCIDR, defaultPlans, parsePortRangeFlag, type NetworkMode } from './address-plan.js';
import { processAlive } from '../util/process-alive.js';
import { indexedIP } from '../apiserver/allocators/ipv4.js';
import { onStopSignals, StartAborted, throwIfStopped } from './stop-signals.js';
import { runningClusters, registerCluster, withRegistryLock } from './cluster-registry.js';
import { choosePlan, loopbackCandidates, portFlag as portFlagName, readSavedPlan, savePlan, tcpPortFree, type Ports, type PortKind, type Ranges } from './cluster-plan.js';

const log = logger('kubesvc');

export const upFlags: FlagSpec[] = [
  { name: 'data-dir', metavar: 'DIR', help: 'where the cluster keeps its state, certificates and kubeconfig', default: '~/.kubesvc' },
  { name: 'api-port', metavar: 'N', help: 'API server port on 127.0.0.1 (0 picks a free one)', default: '6443, or a free one when taken' },
  { name: 'proxy-mode', metavar: 'MODE', help: 'kube-proxy mode: userspace (loopback), iptables, nftables or ipvs (netns)', default: 'userspace (loopback), iptables (netns)' },
  { name: 'network', metavar: 'MODE', help: 'loopback (no privileges) or netns (root, Linux: nodes and pods in network namespaces)', default: 'loopback' },
  { name: 'ipvs-scheduler', metavar: 'NAME', help: 'ipvs mode: rr, wrr, lc, wlc, sh, dh, sed or nq', default: 'rr' },
  { name: 'proxy-layout', metavar: 'LAYOUT', help: 'iptables, nftables: inline (no chain per endpoint; loads ~4x faster at 10,000 Services) or upstream (kube-proxy\'s layout, rule for rule)', default: 'inline' },
  { name: 'insecure-registry', metavar: 'HOST:PORT', repeated: true, help: 'pull images from this registry over plain HTTP (registries on 127.0.0.0/8 always are)' },
  { name: 'registry-mirror', metavar: 'URL', repeated: true, help: 'try this registry before Docker Hub for docker.io images (as containerd\'s mirrors)' },
  { name: 'nodes', metavar: 'N', help: 'netns mode: how many nodes (network namespaces <prefix>-node-1..N)', default: '1' },
  { name: 'netns-prefix', metavar: 'NAME', help: 'netns mode: prefix of the namespaces kubesvc creates (`kubesvc down --prefix` takes the same)', default: 'kubesvc' },
  { name: 'service-cidr', metavar: 'CIDR', help: 'ClusterIP range', default: '127.96.0.0/16 (loopback), 10.96.0.0/12 (netns); next to a running cluster, a free one' },
  { name: 'pod-cidr', metavar: 'CIDR', help: 'pod IP range, a /24 per node', default: '127.244.0.0/16 (loopback), 10.244.0.0/16 (netns); next to a running cluster, a free one' },
  { name: 'lb-pool', metavar: 'CIDR|RANGE', help: 'LoadBalancer IPs', default: '127.240.0.0/24 (loopback), 172.30.1.0/24 (netns); next to a running cluster, a free one' },
  { name: 'service-node-port-range', metavar: 'RANGE', help: 'NodePort range', default: '30000-32767' },
  { name: 'datastore', metavar: 'URL', help: 'sqlite, sqlite:///path/state.db or etcd://host:port,...', default: 'sqlite' },
  { name: 'cluster-domain', metavar: 'DOMAIN', help: 'the DNS domain of Services and pods', default: 'cluster.local' },
  { name: 'proxy-metrics-port', metavar: 'N', help: "kube-proxy's /metrics port on 127.0.0.1 (0 picks a free one)", default: '10249, or a free one when taken' },
  { name: 'kubelet-port', metavar: 'N', help: "the first node's kubelet API port (HTTPS on its node IP; 0 picks a free one); other nodes get free ones", default: '10250, or a free one when taken' },
  { name: 'proxy-healthz-port', metavar: 'N', help: "kube-proxy's /healthz port on 127.0.0.1 (0 picks a free one)", default: '10256, or a free one when taken' },
  ...apiServingFlags,
  { name: 'disable', metavar: 'ADDON', repeated: true, help: "do not run this addon (as k3s's --disable): ingress (the built-in ingress controller, which also serves the Gateway API; its CRDs are not installed either)" },
  ...controlPlaneFlags,
  { name: 'help', boolean: true, help: 'show this help' },
];

export const upUsage = `Usage: kubesvc up [flags]

Starts a cluster in the foreground and writes DIR/kubeconfig.yaml for kubectl.
Stop it with Ctrl-C (SIGINT) or SIGTERM — also while it is starting: the API server stops taking
connections, answers the requests it already has (up to 10 s), ends watches cleanly, then pods
are stopped and the data flushed; a second signal exits at once. Starting again with the same
--data-dir resumes the same cluster. Files in the data dir are created 0600, directories 0700.

Several clusters on one machine: give each its own --data-dir. Ranges and ports you do not set
are moved off those of a cluster already running here (127.97.0.0/16, 127.245.0.0/16,
127.240.1.0/24, ... and free ports), and \`up\` says which; the data dir remembers them
(address-plan.json), so the cluster keeps them on restart. A range you set, or one a cluster's
objects already hold addresses from, that a running cluster uses is refused, naming that
cluster's data dir and pid. NodePorts answer on 127.0.0.1 for every loopback cluster: give
each its own --service-node-port-range if both use NodePorts.

--network loopback (the default) needs no privileges: one node, pods are processes with their
own 127.x addresses, and the userspace kube-proxy carries Service traffic.
--network netns (root, Linux) builds what a real node is: each node a network namespace on the
host bridge kubesvc0 (172.30.0.1 on the host, node n at 172.30.0.(10+n)), each pod a namespace
with a 10.244.n.x address on its node's cni0, and kube-proxy programming iptables, nftables or
(where the kernel has it) IPVS inside every node. Each node's agent and kube-proxy run as a
\`kubesvc agent\` process inside its namespace, joined over HTTPS with a token as another machine
would; they pull images through this process (DIR/image-service.sock). A clean stop (or \`kubesvc down\`) removes all of it.
After a kill -9 the pods keep running; starting the same cluster again (same --data-dir,
--netns-prefix, --nodes and ranges) adopts them where they are, with their namespaces and IPs.

Flags:
${flagHelp(upFlags)}
`;

export const apiserverUsage = `Usage: kubesvc apiserver [flags]

Starts the API server alone (datastore, registry, allocators; no controllers, node agent, proxy or
DNS), in the foreground, and writes DIR/kubeconfig.yaml. It takes the flags of \`kubesvc up\`;
those of the other components are ignored.

Flags:
${flagHelp(upFlags)}
`;

export interface UpOptions {
  dataDir: string;
  apiPort: number;
  proxyMode: string;
  network: NetworkMode;
  serviceCIDR: string;
  podCIDR: string;
  lbPool: string;
  nodePortRange: { base: number; size: number };
  nodePortRangeText: string;
  datastore: string;
  clusterDomain: string;
  proxyMetricsPort: number;
  /** The first node's kubelet API port (a free one when taken unless given); 0: a free one. */
  kubeletPort: number;
  kubeletPortSet: boolean;
  proxyHealthzPort: number;
  nodes: number;
  netnsPrefix: string;
  ipvsScheduler: string;
  /** --proxy-layout: how the iptables and nftables modes lay out their rules. */
  proxyLayout: ProxyLayout;
  /** --insecure-registry: registries (besides those on 127.0.0.0/8) pulled from over plain HTTP. */
  insecureRegistries: string[];
  /** --registry-mirror: tried before Docker Hub. */
  registryMirrors: string[];
  /** What the user passed; the rest may be moved off what another running cluster holds. */
  set: Partial<Ranges & Ports>;
  /** Set by startCluster: what it moved off another cluster's ranges or ports, and why. */
  planNotes?: string[];
  maxRequestsInFlight: number;
  maxMutatingRequestsInFlight: number;
  /** Pulls OCI images (set by code, not a flag: the image store's wiring, or a test's puller). */
  imagePuller?: ImagePuller;
  /** --anonymous-auth. */
  anonymousAuth: boolean;
  /** --disable: addons not to run. */
  disable: string[];
  /** --leader-elect*, --node-monitor-*, --default-*-toleration-seconds. */
  controlPlane?: ControlPlaneFlagValues;
}

export function portFlag(f: { values: Map<string, string> }, name: string, def: number): number {
  const text = f.values.get(name);
  if (text === undefined) return def;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number, not ${JSON.stringify(text)}`);
  return n;
}

export function parseUpOptions(argv: string[]): UpOptions | 'help' {
  const f = parseFlags(argv, upFlags);
  if (f.bools.has('help')) return 'help';
  if (f.positional.length) throw new UsageError(`unexpected argument: ${f.positional[0]}`);
  const network = (f.values.get('network') ?? 'loopback') as NetworkMode;
  if (network !== 'loopback' && network !== 'netns') throw new UsageError(`--network must be loopback or netns, not ${JSON.stringify(network)}`);
  const proxyMode = f.values.get('proxy-mode') ?? (network === 'netns' ? 'iptables' : 'userspace');
  if (!isProxyModeName(proxyMode)) {
    throw new UsageError(`--proxy-mode must be ${proxyModeNames.slice(0, -1).join(', ')} or ${proxyModeNames.at(-1)}, not ${JSON.stringify(proxyMode)}`);
  }
  const mode = proxyModeOf(proxyMode);
  // ipvs is checked against the kernel first (startCluster): that is the more useful message here.
  if (network === 'loopback' && mode.kernel && proxyMode !== 'ipvs') {
    throw new UsageError(
      `--proxy-mode ${proxyMode} programs the kernel of each node's network namespace, which needs --network netns (root); ` +
        `use --network netns, or --proxy-mode userspace (the default), or \`kubesvc proxy rules --mode ${proxyMode}\` to see the rules it would program`,
    );
  }
  if (network === 'netns' && !mode.kernel) {
    throw new UsageError('--proxy-mode userspace listens in kubesvc\'s own network namespace and cannot serve pods in theirs; with --network netns use iptables (the default), nftables, or ipvs where the kernel has IPVS');
  }
  const ipvsScheduler = f.values.get('ipvs-scheduler') ?? 'rr';
  checkModeOptions(proxyModeOf('ipvs'), { ipvsScheduler });
  const layout = layoutFlag(f.values) ?? defaultProxyLayout;
  const nodesText = f.values.get('nodes') ?? '1';
  const nodes = Number(nodesText);
  if (!/^\d+$/.test(nodesText) || nodes < 1 || nodes > 200) throw new UsageError(`--nodes must be a number from 1 to 200, not ${JSON.stringify(nodesText)}`);
  if (network === 'loopback' && nodes !== 1) throw new UsageError('--nodes: loopback mode runs one node; more nodes need --network netns');
  const netnsPrefix = f.values.get('netns-prefix') ?? 'kubesvc';
  if (!/^[a-z0-9][a-z0-9-]{0,11}$/.test(netnsPrefix)) {
    throw new UsageError(`--netns-prefix must be 1-12 lower-case letters, digits and -, starting with a letter or digit, not ${JSON.stringify(netnsPrefix)}`);
  }
  const plan = defaultPlans[network];
  const podCIDR = checkCIDR('pod-cidr', f.values.get('pod-cidr') ?? plan.podCIDR);
  if (network === 'netns' && !podCIDR.endsWith('/16')) {
    throw new UsageError(`--pod-cidr: netns mode gives node n the /24 x.y.n.0/24 of a /16, so the pod range must be a /16 such as 10.244.0.0/16, not ${podCIDR}`);
  }
  const apiPort = portFlag(f, 'api-port', 6443);
  const rangeText = f.values.get('service-node-port-range') ?? '30000-32767';
  const dataDir = resolve((f.values.get('data-dir') ?? '~/.kubesvc').replace(/^~(?=$|\/)/, homedir()));
  const serviceCIDR = checkCIDR('service-cidr', f.values.get('service-cidr') ?? plan.serviceCIDR);
  const proxyMetricsPort = portFlag(f, 'proxy-metrics-port', 10249);
  const kubeletPort = portFlag(f, 'kubelet-port', 10250);
  const proxyHealthzPort = portFlag(f, 'proxy-healthz-port', 10256);
  const set: Partial<Ranges & Ports> = {
    ...(f.values.has('service-cidr') ? { serviceCIDR } : {}),
    ...(f.values.has('pod-cidr') ? { podCIDR } : {}),
    ...(f.values.has('lb-pool') ? { lbPool: f.values.get('lb-pool')! } : {}),
    ...(f.values.has('api-port') ? { apiPort } : {}),
    ...(f.values.has('proxy-metrics-port') ? { proxyMetricsPort } : {}),
    ...(f.values.has('proxy-healthz-port') ? { proxyHealthzPort } : {}),
  };
  return {
    dataDir,
    apiPort,
    proxyMode,
    network,
    serviceCIDR,
    podCIDR,
    lbPool: f.values.get('lb-pool') ?? plan.lbPool,
    nodePortRange: parsePortRangeFlag(rangeText),
    nodePortRangeText: rangeText,
    datastore: f.values.get('datastore') ?? 'sqlite',
    clusterDomain: f.values.get('cluster-domain') ?? 'cluster.local',
    proxyMetricsPort,
    proxyHealthzPort,
    kubeletPort,
    kubeletPortSet: f.values.has('kubelet-port'),
    nodes,
    netnsPrefix,
    ipvsScheduler,
    proxyLayout: layout,
    insecureRegistries: (f.lists.get('insecure-registry') ?? []).map(checkRegistryHost),
    registryMirrors: (f.lists.get('registry-mirror') ?? []).map(checkRegistryMirror),
    set,
    ...parseApiServingFlags(f),
    disable: (f.lists.get('disable') ?? []).map((a) => {
      if (a !== 'ingress') throw new UsageError(`--disable takes ingress, not ${JSON.stringify(a)}`);
      return a;
    }),
    controlPlane: parseControlPlaneFlags(f.values),
  };
}

/** One kubesvc per data dir: a second one would hand out the same IPs and ports. */
export function takeLock(dataDir: string): () => void {
  const file = join(dataDir, 'kubesvc.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new UsageError(
        `another kubesvc (pid ${pid}) is running with data dir ${dataDir}; stop it first, or pass a different --data-dir`,
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      /* already gone */
    }
  };
}


/** Resolves once every readiness check passes; after `ms` says which did not. */
export async function waitReady(api: ApiServer, ms: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    throwIfStopped(signal);
    const r = api.ready();
    if (r.ok) return;
    if (Date.now() > deadline) {
      log.warn(`not every component is ready yet: ${r.lines.filter((l) => l.startsWith('[-]')).join(', ')}`);
      return;
    }
    await new Promise((res) => setTimeout(res, 10));
  }
}

export interface Cluster {
  api: ApiServer;
  kubeconfig: string;
  /** Empty for `kubesvc apiserver`. */
  nodes: NodeInfo[];
  dnsEndpoint: { host: string; port: number } | undefined;
  /** The first node's kube-proxy /metrics and /healthz ports on 127.0.0.1 (picked when 0 or taken). */
  proxyPorts: { metrics: number; healthz: number } | undefined;
  /** Starts the addons (ingress controller, Gateway API) in the background: once ready. */
  installAddons(): void;
  stop(): Promise<void>;
}

/** Starts everything; resolves once /readyz would answer ok. */
/** `only: 'apiserver'` starts the API server alone (`kubesvc apiserver`), for separate components. */
/**
 * `signal` (a stop signal during start-up) makes it stop what has started and throw StartAborted;
 * it is checked between steps, so each step that started something has registered its stop.
 */
export async function startCluster(o: UpOptions, only?: 'apiserver', signal?: AbortSignal): Promise<Cluster> {
  if (o.network === 'netns' && only !== 'apiserver') checkNetnsSupport();
  if (o.proxyMode === 'ipvs') {
    // Stop before anything starts when the kernel cannot do what the mode needs.
    const ipvs = checkIPVSSupport();
    if (!ipvs.ok) throw new UsageError(ipvsUnsupportedMessage(ipvs.reason!));
    if (o.network !== 'netns') {
      throw new UsageError('--proxy-mode ipvs programs IPVS inside each node\'s network namespace, which needs --network netns (root)');
    }
  }
  allowLoopbackAddresses(o.network === 'loopback');
  const existing = existsSync(join(o.dataDir, 'state.db')) || existsSync(join(o.dataDir, 'kubeconfig.yaml'));
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const unlock = takeLock(o.dataDir);
  let unregister = () => {};
  let backend: Backend | undefined;
  let api: ApiServer | undefined;
  let compactor: { stop(): void } | undefined;
  let components: Components | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Clients first: stop taking requests and let those in flight finish (their writes are
      // acknowledged, never reset). Then pods (the node agent ends their processes, reporting
      // through the in-process client), then the stores they report to.
      // Nodes that are processes of their own are clients too, but ones that report their pods'
      // ends: they go first, while the API server still answers them.
      await components?.stopNodes().catch((e) => log.error('stopping the nodes', e));
      await api?.stopServing().catch((e) => log.error('draining the API server', e));
      await components?.stop();
      compactor?.stop();
      await api?.stop().catch((e) => log.error('stopping the API server', e));
      await backend?.close().catch((e) => log.error('closing the datastore', e));
      unregister();
      unlock();
    })());
  try {
    // A second cluster on this machine gets ranges and ports of its own (or a clear refusal).
    const plan = await withRegistryLock(async () => {
      const chosen = await choosePlan({
        defaults: { ...defaultPlans[o.network], apiPort: 6443, proxyMetricsPort: 10249, proxyHealthzPort: 10256 },
        // `kubesvc apiserver` runs no kube-proxy: its ports are nobody's business there.
        set: only === 'apiserver' ? { proxyMetricsPort: o.proxyMetricsPort, proxyHealthzPort: o.proxyHealthzPort, ...o.set } : o.set,
        saved: readSavedPlan(o.dataDir),
        existing,
        // netns mode's ranges live in the nodes' namespaces behind kubesvc0: its own lock (one per
        // network namespace) and route check refuse a second one, with the more useful message.
        others: o.network === 'netns' ? [] : runningClusters(),
        candidates: o.network === 'loopback' ? loopbackCandidates() : { serviceCIDR: [], podCIDR: [], lbPool: [] },
        portFree: (port) => tcpPortFree(port),
      });
      unregister = registerCluster({
        dataDir: o.dataDir,
        serviceCIDR: chosen.serviceCIDR,
        podCIDR: chosen.podCIDR,
        lbPool: chosen.lbPool,
        apiPort: chosen.apiPort,
        proxyMetricsPort: chosen.proxyMetricsPort,
        proxyHealthzPort: chosen.proxyHealthzPort,
      });
      return chosen;
    });
    for (const note of plan.notes) log.warn(`another cluster runs on this machine: ${note}`);
    Object.assign(o, {
      serviceCIDR: plan.serviceCIDR,
      podCIDR: plan.podCIDR,
      lbPool: plan.lbPool,
      apiPort: plan.apiPort,
      proxyMetricsPort: plan.proxyMetricsPort,
      proxyHealthzPort: plan.proxyHealthzPort,
    });
    o.planNotes = plan.notes;
    throwIfStopped(signal);
    // Pods reach the server through the `kubernetes` Service (as kubeadm, its ClusterIP is in the
    // certificate); in netns mode nodes reach it through the bridge.
    const sans = [indexedIP(o.serviceCIDR, 1), ...(o.network === 'netns' ? [defaultPlans.netns.nodeIP] : [])];
    const pki = await ensurePki(o.dataDir, { sans: { dns: [], ips: sans } });
    // Generated (on a first start) off the event loop while the datastore starts.
    const serviceAccountKey = ensureServiceAccountKey(o.dataDir);
    serviceAccountKey.catch(() => undefined);
    throwIfStopped(signal);
    backend = openBackend(o.datastore, { dataDir: o.dataDir });
    await backend.start();
    throwIfStopped(signal);
    compactor = startCompactor(backend, { intervalMs: 5 * 60_000, keepRevisions: 1000 });
    api = new ApiServer({
      backend,
      host: '127.0.0.1',
      port: o.apiPort,
      tls: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert },
      kubeletClient: { cert: pki.kubeletClientCert, key: pki.kubeletClientKey },
      serviceCIDR: o.serviceCIDR,
      nodePortRange: o.nodePortRange,
      advertiseAddress: defaultPlans[o.network].nodeIP,
      limits: { maxRequestsInFlight: o.maxRequestsInFlight, maxMutatingRequestsInFlight: o.maxMutatingRequestsInFlight },
      serviceAccountLookup: true,
      serviceAccountKey: await serviceAccountKey,
      anonymousAuth: o.anonymousAuth,
      ...(o.controlPlane ? { defaultTolerationSeconds: o.controlPlane.defaultTolerationSeconds } : {}),
    });
    await api.start();
    savePlan(o.dataDir, { serviceCIDR: o.serviceCIDR, podCIDR: o.podCIDR, lbPool: o.lbPool, apiPort: api.port });
    throwIfStopped(signal);
    if (only !== 'apiserver') {
      // The node agent keeps pod logs and state under these; only the owner may read them.
      privateDir(join(o.dataDir, o.network === 'netns' ? 'nodes' : 'node'));
      components = await startComponents(api, {
        dataDir: o.dataDir,
        network: o.network,
        nodeIP: defaultPlans[o.network].nodeIP,
        podCIDR: o.podCIDR,
        serviceCIDR: o.serviceCIDR,
        nodes: o.nodes,
        netnsPrefix: o.netnsPrefix,
        ipvsScheduler: o.ipvsScheduler,
        proxyLayout: o.proxyLayout,
        apiPort: api.port,
        lbPool: o.lbPool,
        proxyMode: o.proxyMode,
        proxyMetricsPort: o.proxyMetricsPort,
        kubeletPort: o.kubeletPort,
        kubeletPortSet: o.kubeletPortSet,
        proxyHealthzPort: o.proxyHealthzPort,
        clusterDNS: api.allocations.serviceIP(10),
        clusterDomain: o.clusterDomain,
        // Ports 80 and 443 need root (or CAP_NET_BIND_SERVICE) on the pod and on the LoadBalancer IP.
        ...(o.disable.includes('ingress') ? {} : { ingress: ingressPorts() }),
        // Every image that is not built in is pulled into DATA/images, shared by all pods.
        imagePuller: o.imagePuller ?? new OciImagePuller({ dir: join(o.dataDir, 'images'), insecureRegistries: o.insecureRegistries, registryMirrors: o.registryMirrors }),
        ...(o.controlPlane ? { leaderElection: o.controlPlane.leaderElection, nodeLifecycle: o.controlPlane.nodeLifecycle, clusterSigningDurationMs: o.controlPlane.clusterSigningDurationMs } : {}),
      });
      throwIfStopped(signal);
    }
    await waitReady(api, 10_000, signal);
    const kubeconfig = join(o.dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    throwIfStopped(signal);
    const proxy = components?.proxies[0];
    const proxyPorts = proxy ? { metrics: proxy.metricsPort, healthz: proxy.healthzPort } : undefined;
    return { api, kubeconfig, nodes: components?.nodes ?? [], dnsEndpoint: components?.dnsEndpoint, proxyPorts, installAddons: () => components?.installAddons(), stop };
  } catch (e) {
    await stop();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw addressInUse(e as NodeJS.ErrnoException & { port?: number; address?: string }, o);
    throw e;
  }
}

/** Creates `dir` 0700, and tightens it when an older kubesvc made it 0755. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Names the port that is taken and the flag that moves it (not every EADDRINUSE is the API port). */
function addressInUse(e: NodeJS.ErrnoException & { port?: number; address?: string }, o: UpOptions): UsageError {
  const where = `${e.address ?? '127.0.0.1'}:${e.port ?? '?'}`;
  const kinds: PortKind[] = ['apiPort', 'proxyMetricsPort', 'proxyHealthzPort'];
  const kind = kinds.find((k) => o[k] === e.port && o[k] !== 0);
  if (kind) {
    const holder = runningClusters().find((r) => r[kind] === e.port);
    return new UsageError(
      `port ${e.port} on ${e.address ?? '127.0.0.1'} (--${portFlagName[kind]}) is already in use${holder ? ` by the kubesvc cluster running with data dir ${holder.dataDir} (pid ${holder.pid})` : ''}; ` +
        `stop what uses it or pass another --${portFlagName[kind]} (0 picks a free one)`,
    );
  }
  return new UsageError(`${where} is already in use: ${e.message}`);
}

export async function up(argv: string[], only?: 'apiserver', wiring: Pick<UpOptions, 'imagePuller'> = {}): Promise<number> {
  const parsed = parseUpOptions(argv);
  if (parsed === 'help') {
    process.stdout.write(only === 'apiserver' ? apiserverUsage : upUsage);
    return 0;
  }
  const o: UpOptions = { ...parsed, ...wiring };
  const t0 = performance.now();
  // Before anything starts: a signal during start-up stops what has started.
  const signals = onStopSignals();
  let cluster: Cluster;
  try {
    cluster = await startCluster(o, only, signals.signal);
  } catch (e) {
    if (e instanceof StartAborted) {
      log.info('stopped');
      return 0;
    }
    throw e;
  }
  const ms = performance.now() - t0;
  const dns = cluster.api.allocations.serviceIP(10);
  process.stdout.write(
    [
      `kubesvc is ready (${(ms / 1000).toFixed(2)}s)`,
      `  API server     ${cluster.api.url}`,
      `  kubeconfig     ${cluster.kubeconfig}`,
      `  live view      ${cluster.api.url}/ui/ (log in with \`kubesvc ui${o.dataDir === join(homedir(), '.kubesvc') ? '' : ` --data-dir ${o.dataDir}`}\`)`,
      cluster.dnsEndpoint
        ? `  cluster DNS    ${dns} (kube-dns.kube-system, domain ${o.clusterDomain}; served from ${cluster.dnsEndpoint.host}:${cluster.dnsEndpoint.port})`
        : `  cluster DNS    ${dns} (reserved for kube-dns; not started by \`kubesvc apiserver\`)`,
      `  service CIDR   ${o.serviceCIDR}`,
      `  pod CIDR       ${o.podCIDR}`,
      `  LB pool        ${o.lbPool}`,
      `  NodePorts      ${o.nodePortRangeText}`,
      ...(o.disable.includes('ingress')
        ? []
        : [
            `  ingress        IngressClass and GatewayClass kubesvc, on kube-system/kubesvc-ingress's LB IP, HTTP ${ingressPorts().http}, HTTPS ${ingressPorts().https}${
              ingressPorts().http === 80 ? '' : ' (ports below 1024 need root)'
            }`,
          ]),
      ...(o.planNotes ?? []).map((n, i) => `  ${i === 0 ? 'moved off      ' : '               '}${n}`),
      ...cluster.nodes.map((n, i) => `  ${i === 0 ? 'node' + (cluster.nodes.length > 1 ? 's ' : '  ') : '      '}         ${n.name} (${n.ip}${n.namespace ? `, pods ${n.podCIDR}` : ''})`),
      // The layout only shapes the iptables and nftables rules.
      ...(cluster.nodes.length ? [`  proxy mode     ${o.proxyMode}${o.proxyMode === 'iptables' || o.proxyMode === 'nftables' ? ` (${o.proxyLayout} layout)` : ''}`] : []),
      ...(cluster.proxyPorts ? [`  kube-proxy     metrics 127.0.0.1:${cluster.proxyPorts.metrics}, healthz 127.0.0.1:${cluster.proxyPorts.healthz}`] : []),
      ...(o.network === 'netns' && cluster.nodes.length
        ? [`  host bridge    kubesvc0 ${defaultPlans.netns.nodeIP} (routes to pods, Services and LB IPs go through it)`]
        : []),
      `  datastore      ${o.datastore === 'sqlite' ? `sqlite (${join(o.dataDir, 'state.db')})` : o.datastore}`,
      '',
      `Try: KUBECONFIG=${cluster.kubeconfig} kubectl get svc -A`,
      ...(o.network === 'netns' && cluster.nodes[0]?.namespace
        ? [
            `     ip netns exec ${cluster.nodes[0].namespace} ${
              o.proxyMode === 'nftables' ? 'nft list table ip kube-proxy' : o.proxyMode === 'ipvs' ? 'ipvsadm -Ln' : 'iptables-save -t nat'
            }   # the rules kube-proxy wrote in a node`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  cluster.installAddons();
  await signals.received;
  await cluster.stop().catch((e) => log.error('stopping', e));
  log.info('stopped');
  return 0;
}

export { errorText };

/** Where the built-in ingress controller serves: 80 and 443 as root, else high ports it can bind. */
function ingressPorts(): { http: number; https: number } {
  return process.getuid?.() === 0 ? { http: 80, https: 443 } : { http: 8080, https: 8443 };
}
