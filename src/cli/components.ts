// Starts the cluster's components on top of a running API server: what kube-controller-manager,
// kube-scheduler, the kubelet and kube-proxy would be on a real node — in this process, except
// netns mode's nodes, which are `kubesvc agent` processes in their namespaces (netns-agents.ts).
// Each component here sees the cluster only through an in-process Client of its own identity (as
// upstream runs it: controllers as their kube-system ServiceAccounts, the scheduler and kube-proxy
// as their users, each kubelet as system:node:<name>, cluster DNS as CoreDNS's ServiceAccount)
// and informers on that client, so RBAC, the Node authorizer and NodeRestriction hold for them.
import type { ImagePuller } from '../node/runtime/image-puller.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ApiServer } from '../apiserver/server.js';
import { LocalClient } from '../apiserver/local-client.js';
import { InformerFactoryImpl } from '../client/informer.js';
import { controllerManagerServiceAccounts, type ControllerManagerOptions } from '../controllers/manager.js';
import { runControlPlane, type LeaderElectionOptions } from '../controllers/control-plane.js';
import { ensureServiceAccounts } from '../controllers/common/service-accounts.js';
import { identities, type ComponentIdentity } from '../apiserver/auth/component-identity.js';
import { coreDNSServiceAccount, loadBalancerServiceAccount, localPathServiceAccount } from '../apiserver/auth/addon-policy.js';
import { installDefaultClasses, installIngressController, installMetricsReader } from './addons.js';
import { startGatewayAPIInstall } from './gateway-api.js';
import { legacyClaims } from '../apiserver/auth/serviceaccount/claims.js';
import { NodeAgent } from '../node/agent.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../proxy/index.js';
import type { NetworkMode } from './address-plan.js';
import { setUpNetnsCluster } from './netns-nodes.js';
import { forwardTCP } from './tcp-forward.js';
import { ensureKubeletServingCertificate, signCertificateRequest } from '../apiserver/pki.js';
import { errorText, logger } from '../util/log.js';
import { startClusterDNS, dnsEndpointIP as loopbackDNSEndpointIP } from './cluster-dns.js';
import { serveImages } from '../node/runtime/image-service.js';
import { startNodeProcesses } from './netns-agents.js';
import { releaseMemory } from '../util/release-memory.js';

const log = logger('kubesvc');

export interface ComponentOptions {
  dataDir: string;
  network: NetworkMode;
  /** Loopback mode's one node address. */
  nodeIP: string;
  /** The cluster's pod range; node n gets the n-th /24 of it. */
  podCIDR: string;
  serviceCIDR: string;
  lbPool: string;
  proxyMode: string;
  /** 0 picks free ports (tests run several clusters at once). */
  proxyMetricsPort: number;
  proxyHealthzPort: number;
  /** The first node's kubelet API port (others get free ones); unless set, a free one when taken. */
  kubeletPort?: number;
  kubeletPortSet?: boolean;
  clusterDNS: string;
  clusterDomain: string;
  /** netns mode: how many nodes, and the prefix of their namespaces. */
  nodes?: number;
  netnsPrefix?: string;
  /** ipvs mode's scheduler (--ipvs-scheduler). */
  ipvsScheduler?: string;
  /** iptables and nftables modes: the rule layout (--proxy-layout). */
  proxyLayout?: string;
  /** netns mode: the API server's port on 127.0.0.1, relayed on the bridge for nodes and pods. */
  apiPort?: number;
  /** Pulls OCI images for every node's agent (absent: built-in images and kubesvc.io/host only). */
  imagePuller?: ImagePuller;
  /** --leader-elect and its timings (default: on, upstream's 15 s / 10 s / 2 s). */
  leaderElection?: Partial<LeaderElectionOptions>;
  /** --node-monitor-grace-period and the eviction flags. */
  nodeLifecycle?: ControllerManagerOptions['nodeLifecycle'];
  /** --cluster-signing-duration. */
  clusterSigningDurationMs?: number;
  /** The built-in ingress controller and the ports it serves HTTP and HTTPS on (absent: not installed). */
  ingress?: { http: number; https: number };
}

export interface NodeInfo {
  name: string;
  ip: string;
  podCIDR: string;
  /** netns mode: the node's network namespace. */
  namespace?: string;
}

export interface Components {
  nodes: NodeInfo[];
  proxies: RunningProxy[];
  /** Where the DNS server itself answers (the kube-dns Service's endpoint). */
  dnsEndpoint: { host: string; port: number };
  /**
   * Stops the nodes that run as processes of their own (netns mode), while the API server still
   * serves them: they report their pods' ends on the way. stop() does it too, if not done before.
   */
  stopNodes(): Promise<void>;
  /** Starts installing the addons (the ingress controller, the Gateway API): call once the cluster is ready. */
  installAddons(): void;
  stop(): Promise<void>;
}

/** The node's name: the machine's host name, made a valid DNS-1123 subdomain as the kubelet requires. */
export function defaultNodeName(): string {
  const name = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'kubesvc-node';
}

/** The n-th /24 inside a /16 (or larger) pod range: 127.244.0.0/16, 1 → 127.244.1.0/24. */
export function nodePodCIDR(podCIDR: string, n: number): string {
  const [base] = podCIDR.split('/');
  const o = base!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${(o[2]! + n) & 255}.0/24`;
}

/** Like Promise.all, but waits for every start to settle so each one's stop is registered before a failure is thrown. */
async function settleAll<T>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

interface NodePlan extends NodeInfo {
  dataDir: string;
}

/**
 * Components running in this process on one API server: each with a client of its own identity and
 * informers on it; stopped in the reverse order of their start.
 */
class InProcessComponents {
  readonly root: LocalClient;
  private readonly factories: InformerFactoryImpl[] = [];
  private readonly stops: (() => Promise<void> | void)[] = [];

  constructor(readonly api: ApiServer) {
    this.root = new LocalClient(api);
  }

  /** A client acting as `identity` and informers reading with it (upstream: one factory per binary). */
  side(identity: ComponentIdentity) {
    const client = this.root.as(identity);
    const informers = new InformerFactoryImpl(client);
    this.factories.push(informers);
    return { client, informers };
  }

  onStop(fn: () => Promise<void> | void): void {
    this.stops.push(fn);
  }

  startInformers(): void {
    for (const f of this.factories) f.start();
  }

  async stop(): Promise<void> {
    for (const s of this.stops.splice(0).reverse()) {
      try {
        await s();
      } catch (e) {
        log.error('stopping a component', e);
      }
    }
    for (const f of this.factories) f.stop();
  }
}

export interface ControlPlaneComponentOptions {
  dataDir: string;
  lbPool?: string;
  clusterDNS: string;
  clusterDomain: string;
  /** Where the DNS server listens; whether it answers on the ClusterIP too; whether kube-dns follows every API server. */
  dns: { endpointIP: string; answerOnClusterIP: boolean; followAPIServers?: boolean };
  leaderElection?: Partial<LeaderElectionOptions>;
  nodeLifecycle?: ControllerManagerOptions['nodeLifecycle'];
  clusterSigningDurationMs?: number;
  ingress?: { http: number; https: number };
}

/**
 * What kubeadm installs and the control plane runs beside the API server: the addons'
 * ServiceAccounts and default classes, cluster DNS, kube-controller-manager and kube-scheduler
 * (each under its Lease, so on several servers exactly one of each acts).
 */
async function startControlPlane(set: InProcessComponents, o: ControlPlaneComponentOptions): Promise<{ dnsEndpoint: { host: string; port: number }; installAddons: () => void }> {
  const { api, root } = set;
  const installer = root.as(identities.installer);
  await ensureServiceAccounts(installer, 'kube-system', [coreDNSServiceAccount.name, loadBalancerServiceAccount.name, localPathServiceAccount.name]);
  await installDefaultClasses(installer);
  await installMetricsReader(installer);
  // The ingress controller (a pod) and the Gateway API (400 KB of CRDs) go in once the cluster is
  // ready, as k3s deploys its addons after the server is up: starting a pod's process and
  // validating the CRDs on a 2-core machine would otherwise add half a second to a first `up`.
  let addons: Promise<void> | undefined;
  const ingress = o.ingress;
  const installAddons = () => {
    if (addons || !ingress) return;
    addons = installIngressController(installer, ingress)
      .then(() => startGatewayAPIInstall(installer))
      // Parsing and compiling 400 KB of CRDs leaves garbage behind that an idle server would
      // keep: collect it and give the pages back (139-140 -> 132-134 MiB idle RSS, loopback).
      .then(() => releaseMemory())
      .catch((e: unknown) => log.error('installing the ingress controller', e));
    set.onStop(() => addons);
  };
  const dnsSide = set.side(identities.coreDNS);
  const dns = await startClusterDNS(installer, dnsSide.informers, {
    clusterIP: o.clusterDNS,
    endpointIP: o.dns.endpointIP,
    clusterDomain: o.clusterDomain,
    answerOnClusterIP: o.dns.answerOnClusterIP,
    ...(o.dns.followAPIServers ? { followAPIServers: set.side(identities.installer).informers } : {}),
  });
  set.onStop(() => dns.stop());
  api.addReadyCheck('dns', () => dns.ready());
  // kube-controller-manager and kube-scheduler, each under its Lease: the manager's informers read with its own
  // credentials, each controller acts as its ServiceAccount, the scheduler as itself.
  const kcmClient = root.as(identities.controllerManager);
  await ensureServiceAccounts(kcmClient, 'kube-system', controllerManagerServiceAccounts);
  const lbClient = root.as(identities.loadBalancer);
  const clientFor = (sa: string) => (sa === loadBalancerServiceAccount.name ? lbClient : root.as(identities.controller(sa)));
  const controlPlane = runControlPlane(kcmClient, {
    rootCA: api.opts.tls.ca,
    clusterSigning: (pem, opts) => signCertificateRequest(o.dataDir, pem, { ...opts, ...(o.clusterSigningDurationMs ? { maxDurationMs: o.clusterSigningDurationMs } : {}) }),
    clientFor,
    legacyTokens: (sa, secretName) => api.serviceAccountTokens.sign(legacyClaims(sa, secretName)),
    // k3s runs local-path-provisioner as a pod under its own ServiceAccount; here it runs beside the controllers, as that account.
    localPath: {
      storageDir: join(o.dataDir, 'storage'),
      client: root.as({ user: identities.controller(localPathServiceAccount.name).user, userAgent: 'local-path-provisioner' }),
    },
    ...(o.lbPool ? { lbPool: o.lbPool } : {}),
    loadBalancerClient: lbClient,
    schedulerClient: root.as(identities.scheduler),
    ...(o.leaderElection ? { leaderElection: o.leaderElection } : {}),
    ...(o.nodeLifecycle ? { nodeLifecycle: o.nodeLifecycle } : {}),
  });
  set.onStop(() => controlPlane.stop());
  return { dnsEndpoint: dns.addresses[0]!, installAddons };
}

/** `kubesvc server`: the control plane alone; nodes join it as `kubesvc agent`s. */
export async function startControlPlaneComponents(api: ApiServer, o: ControlPlaneComponentOptions): Promise<{ dnsEndpoint: { host: string; port: number }; stop(): Promise<void> }> {
  const set = new InProcessComponents(api);
  try {
    const { dnsEndpoint } = await startControlPlane(set, o);
    set.startInformers();
    return { dnsEndpoint, stop: () => set.stop() };
  } catch (e) {
    await set.stop();
    throw e;
  }
}

export async function startComponents(api: ApiServer, o: ComponentOptions): Promise<Components> {
  const set = new InProcessComponents(api);
  const stop = () => set.stop();
  try {
    let dnsEndpointIP = loopbackDNSEndpointIP(o.podCIDR);
    let plans: NodePlan[];
    /** netns mode: once the agents have adopted their pods, the earlier run's sandboxes no pod claimed go. */
    let removeUnclaimedPods: ((claimed: Set<string>) => Promise<void>) | undefined;
    let netnsNodes: { hostIP: string } | undefined;
    if (o.network === 'netns') {
      const net = await setUpNetnsCluster({
        prefix: o.netnsPrefix ?? 'kubesvc',
        nodes: o.nodes ?? 1,
        podCIDR: o.podCIDR,
        serviceCIDR: o.serviceCIDR,
        lbPool: o.lbPool,
        dataDir: o.dataDir,
      });
      // Registered first so it runs last: the namespaces go after the pods' processes.
      set.onStop(() => net.teardown());
      dnsEndpointIP = net.hostIP;
      removeUnclaimedPods = (claimed) => net.removeUnclaimedPods(claimed);
      if (o.apiPort !== undefined) {
        const relay = await forwardTCP(net.hostIP, api.port, { host: '127.0.0.1', port: api.port });
        set.onStop(() => relay.close());
      }
      netnsNodes = { hostIP: net.hostIP };
      plans = net.nodes.map((node) => ({
        name: node.namespace,
        ip: node.nodeIP,
        podCIDR: node.podCIDR,
        namespace: node.namespace,
        dataDir: join(o.dataDir, 'nodes', node.namespace),
      }));
    } else {
      plans = [{ name: defaultNodeName(), ip: o.nodeIP, podCIDR: nodePodCIDR(o.podCIDR, 1), dataDir: join(o.dataDir, 'node') }];
    }
    const { dnsEndpoint, installAddons } = await startControlPlane(set, {
      dataDir: o.dataDir,
      lbPool: o.lbPool,
      clusterDNS: o.clusterDNS,
      clusterDomain: o.clusterDomain,
      dns: { endpointIP: dnsEndpointIP, answerOnClusterIP: o.network !== 'netns' },
      ...(o.leaderElection ? { leaderElection: o.leaderElection } : {}),
      ...(o.nodeLifecycle ? { nodeLifecycle: o.nodeLifecycle } : {}),
      ...(o.clusterSigningDurationMs ? { clusterSigningDurationMs: o.clusterSigningDurationMs } : {}),
      ...(o.ingress ? { ingress: o.ingress } : {}),
    });
    if (netnsNodes) {
      // Each node a `kubesvc agent` process in its namespace, pulling images through this process.
      const imageService = o.imagePuller ? await serveImages(o.imagePuller, join(o.dataDir, 'image-service.sock')) : undefined;
      if (imageService) set.onStop(() => imageService.close());
      const processes = await startNodeProcesses({
        server: `https://${netnsNodes.hostIP}:${api.port}`,
        caPem: api.opts.tls.ca,
        installer: set.root.as(identities.installer),
        nodes: plans.map((p) => ({ name: p.name, namespace: p.namespace!, dataDir: p.dataDir })),
        prefix: o.netnsPrefix ?? 'kubesvc',
        podCIDR: o.podCIDR,
        serviceCIDR: o.serviceCIDR,
        proxyMode: o.proxyMode,
        ...(o.ipvsScheduler ? { ipvsScheduler: o.ipvsScheduler } : {}),
        ...(o.proxyLayout ? { proxyLayout: o.proxyLayout } : {}),
        ...(imageService ? { imageService: imageService.path } : {}),
        tokenFile: join(o.dataDir, 'nodes', 'join-token'),
      });
      set.onStop(() => processes.stop());
      for (const p of plans) api.addReadyCheck(plans.length === 1 ? 'node' : `node-${p.name}`, () => processes.ready(p.name));
      // A sandbox that will not go is a leftover for `kubesvc down`, not a reason to stop the cluster.
      await removeUnclaimedPods?.(await processes.claimedPods()).catch((e) => log.warn(`removing pod namespaces no pod claims: ${errorText(e)}`));
      set.startInformers();
      return {
        nodes: plans.map(({ name, ip, podCIDR, namespace }) => ({ name, ip, podCIDR, ...(namespace ? { namespace } : {}) })),
        proxies: [],
        dnsEndpoint,
        stopNodes: () => processes.stop(),
        installAddons,
        stop,
      };
    }
    const proxySide = set.side(identities.kubeProxy);
    // Nodes start side by side (each agent waits for its informers; each proxy for its first listeners).
    const agents = await settleAll(
      plans.map(async (plan, i) => {
        const kubelet = set.side(identities.node(plan.name));
        const serving = await ensureKubeletServingCertificate(o.dataDir, plan.dataDir, plan.name, { dns: [plan.name], ips: [plan.ip] });
        const agent = new NodeAgent(kubelet.client, kubelet.informers, {
          nodeName: plan.name,
          nodeIP: plan.ip,
          podCIDR: plan.podCIDR,
          dataDir: plan.dataDir,
          clusterDNS: o.clusterDNS,
          clusterDomain: o.clusterDomain,
          ...(o.imagePuller ? { imagePuller: o.imagePuller } : {}),
          kubeletServer: {
            cert: serving.certPem,
            key: serving.keyPem,
            clientCA: api.opts.tls.ca,
            address: plan.ip,
            port: i === 0 ? (o.kubeletPort ?? 10250) : 0,
            freePortIfTaken: !o.kubeletPortSet,
          },
        });
        set.onStop(() => agent.stop());
        await agent.start();
        return agent;
      }),
    );
    const mode = o.proxyMode as ProxyOptions['mode'];
    const proxies = await settleAll(
      plans.map(async (plan, i) => {
        const proxy = await startProxy(proxySide.client, proxySide.informers, {
          nodeName: plan.name,
          nodeIP: plan.ip,
          mode,
          // One set of well-known ports on 127.0.0.1: the first node's proxy has them.
          metricsPort: i === 0 ? o.proxyMetricsPort : 0,
          healthzPort: i === 0 ? o.proxyHealthzPort : 0,
        });
        set.onStop(() => proxy.stop());
        agents[i]!.setProxyMetricsPort(proxy.metricsPort);
        api.addReadyCheck(plans.length === 1 ? 'kube-proxy' : `kube-proxy-${plan.name}`, () => proxy.ready());
        return proxy;
      }),
    );
    set.startInformers();
    return {
      nodes: plans.map(({ name, ip, podCIDR, namespace }) => ({ name, ip, podCIDR, ...(namespace ? { namespace } : {}) })),
      proxies,
      dnsEndpoint,
      stopNodes: async () => undefined,
      installAddons,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
