// The node agent (kubesvc's kubelet): registers its Node, keeps its Lease fresh, and runs the pods
// bound to it as processes through a ContainerRuntime, one PodWorker per pod.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Node, Pod, PodStatus, Secret, Service } from '../api/core.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import { isNotFound, isStatusError } from '../machinery/status.js';
import { logger, errorText } from '../util/log.js';
import { AgentConnector } from './connector.js';
import type { StreamingRuntime } from '../streaming/runtime.js';
import { defaultKubeletPort, KubeletServer, type KubeletHost } from './kubelet/server.js';
import { CrashBackoff, type BackoffOptions } from './backoff.js';
import { KubeletEventRecorder, type PodEventSink } from './events.js';
import { PodIPAllocator } from './ipam.js';
import { NetworkReleaser, type NetworkReleaserOptions } from './network-release.js';
import { renewLeaseRetrying } from './lease.js';
import { newNode, nodeAllocatable, nodeCapacity, nodeStatus, statusWithoutHeartbeats } from './node-object.js';
import { referencedObjects, type PodObjects } from './pod-objects.js';
import { claimVolumesFrom } from './volumes/persistent-volume.js';
import { VolumeManager } from './volumes/manager.js';
import { ServiceAccountTokens } from './volumes/service-account-tokens.js';
import { metaTime, stableJSON } from './pod-status.js';
import { PodWorker } from './pod-worker.js';
import { loopbackPodNetwork, type PodNetwork } from './pod-network.js';
import { writeStatus } from './status-writer.js';
import { registerLogSource, type PodLogInfo } from './read-logs.js';
import { ProcessRuntime } from './runtime/process.js';
import type { ContainerHandle, ContainerRuntime } from './runtime/types.js';
import type { ImagePuller } from './runtime/image-puller.js';
import { RuntimePerImage } from './runtime/per-image.js';
import { CrunRuntime } from './runtime/crun/runtime.js';
import { pullSecrets } from './pull-secrets.js';
import { ObjectWatches } from './object-watches.js';

export { readLogs, type LogOptions } from './read-logs.js';

const log = logger('node');

export interface NodeAgentOptions {
  nodeName: string;
  nodeIP: string;
  podCIDR: string;
  dataDir: string;
  clusterDNS?: string;
  clusterDomain?: string;
  /** Crash-loop back-off (default 10 s doubling to 300 s, as upstream). */
  backoff?: BackoffOptions;
  /** Lease renewal interval (default 10 s). */
  leaseRenewMs?: number;
  /** How often the Node status in the API is checked against the agent's (default 10 s). */
  nodeStatusUpdateMs?: number;
  /** Milliseconds per second of probe settings (default 1000; tests shorten it). */
  probeSecondMs?: number;
  /** Longest grace period stop() gives a pod's containers (default 10 s). */
  shutdownGraceMs?: number;
  /**
   * Another runtime (default: processes on this machine for built-in images and kubesvc.io/host,
   * and with an imagePuller, crun for every other image).
   */
  runtime?: ContainerRuntime;
  /**
   * Pulls OCI images. Absent: only built-in images and kubesvc.io/host run; other images wait,
   * saying kubesvc was started without image pulling.
   */
  imagePuller?: ImagePuller;
  /** The image pull back-off (default 10 s doubling to 300 s, as upstream). */
  imageBackoff?: BackoffOptions;
  /** Where pod events go (default: Events written through the client). */
  events?: PodEventSink;
  /**
   * How pods get their network (default loopbackPodNetwork: the machine's stack, an address each).
   * In netns mode every process of a pod starts inside the pod's network namespace.
   */
  podNetwork?: PodNetwork;
  /** Back-off of a failed pod network tearDown's retries (default 1 s doubling to 60 s). */
  networkRelease?: NetworkReleaserOptions;
  /** The kubelet API this agent serves (HTTPS on the node IP); absent: none (unit tests of the agent alone). */
  kubeletServer?: KubeletServing;
}

export interface KubeletServing {
  /** Serving certificate and key, signed by the cluster CA for the node's IP and name. */
  cert: string;
  key: string;
  /** The cluster CA, which signs callers' client certificates. */
  clientCA: string;
  /** --port (default 10250); 0 picks a free one. */
  port?: number;
  /** --address: where to listen (default the node IP). */
  address?: string;
  /** When the port is taken, listen on a free one instead (`up`'s default port, as its other well-known ports). */
  freePortIfTaken?: boolean;
}

/** How often the Node status is written even when nothing changed (upstream's nodeStatusReportFrequency). */
const nodeStatusReportMs = 5 * 60_000;
const nodeStatusCheckMs = 10_000;

export class NodeAgent {
  readonly runtime: ContainerRuntime;
  readonly ipam: PodIPAllocator;
  readonly podNetwork: PodNetwork;
  /** Tears pods' networks down and frees their IPs after; retries outlive the pods' workers. */
  readonly releaser: NetworkReleaser;
  private readonly backoff: CrashBackoff;
  private readonly imageBackoff: CrashBackoff;
  private readonly events: PodEventSink;
  private readonly workers = new Map<string, PodWorker>();
  /** Pods this agent has finished (stopped and deleted): late informer updates must not revive them. */
  private readonly finished = new Set<string>();
  private pods: Informer<Pod> | undefined;
  private services: Informer<Service> | undefined;
  /** The ConfigMaps and Secrets this node's pods reference, one watch each (object-watches.ts). */
  private readonly configMaps: ObjectWatches<ConfigMap>;
  private readonly secrets: ObjectWatches<Secret>;
  /** ConfigMaps, Secrets and allocatable as env and volumes read them (the kubelet's managers). */
  readonly objects: PodObjects;
  readonly volumes: VolumeManager;
  private readonly tokens: ServiceAccountTokens;
  private node: Node | undefined;
  private lastNodeReport = 0;
  private timers: NodeJS.Timeout[] = [];
  private unregisterLogs: (() => void) | undefined;
  private kubelet: KubeletServer | undefined;
  /** This node's kube-proxy's /metrics, which the kubelet API passes on at /metrics/proxy (setProxyMetricsPort). */
  private proxyMetricsURL: string | undefined;
  /** The port the kubelet API listens on, reported in the Node's daemonEndpoints. */
  private kubeletPort = defaultKubeletPort;
  private stopped = false;
  private readonly opts: NodeAgentOptions;

  constructor(
    private readonly client: Client,
    private readonly informers: InformerFactory,
    opts: NodeAgentOptions,
  ) {
    this.opts = opts;
    mkdirSync(opts.dataDir, { recursive: true });
    this.runtime = opts.runtime ?? defaultRuntime(opts.dataDir, !!opts.imagePuller);
    this.ipam = new PodIPAllocator(opts.podCIDR, join(opts.dataDir, 'pod-ips.json'));
    this.podNetwork = opts.podNetwork ?? loopbackPodNetwork;
    this.releaser = new NetworkReleaser(this.podNetwork, this.ipam, opts.networkRelease);
    this.backoff = new CrashBackoff(opts.backoff ?? { initialMs: 10_000, maxMs: 300_000 });
    this.imageBackoff = new CrashBackoff(opts.imageBackoff ?? { initialMs: 10_000, maxMs: 300_000 });
    this.events = opts.events ?? new KubeletEventRecorder(client, opts.nodeName);
    this.configMaps = new ObjectWatches<ConfigMap>(client, R.configmaps, (pods) => this.objectChanged(pods));
    this.secrets = new ObjectWatches<Secret>(client, R.secrets, (pods) => this.objectChanged(pods));
    this.objects = {
      configMap: (ns, name) => this.configMaps.get(ns, name),
      secret: (ns, name) => this.secrets.get(ns, name),
      allocatable: () => (this.node?.status?.allocatable as Record<string, string> | undefined) ?? nodeAllocatable(nodeCapacity(opts.dataDir)),
    };
    const toldUnserved = new Set<string>();
    this.tokens = new ServiceAccountTokens(client, (pod, message) => {
      if (toldUnserved.has(pod.metadata.uid!)) return;
      toldUnserved.add(pod.metadata.uid!);
      this.events.podEvent(pod, undefined, 'Warning', 'FailedMount', `serviceAccountToken projection left out: ${message}`);
    });
    this.volumes = new VolumeManager(opts.dataDir, this.objects, (pod, p) => this.tokens.token(pod, p), undefined, claimVolumesFrom(client));
  }

  get nodeName(): string {
    return this.opts.nodeName;
  }

  async start(): Promise<void> {
    if (this.runtime instanceof ProcessRuntime) await this.runtime.init();
    // What a killed agent left running is adopted by the pods' workers, which the informer below
    // creates; whatever none of them takes over is stopped once they all exist.
    this.runtime.recoverLeftovers?.();
    // The kubelet API first: the Node reports its port.
    if (this.opts.kubeletServer) await this.startKubeletServer(this.opts.kubeletServer);
    await this.registerNode();
    await this.renewLease();
    this.every(this.opts.leaseRenewMs ?? 10_000, () => this.renewLease());
    this.every(this.opts.nodeStatusUpdateMs ?? nodeStatusCheckMs, () => this.updateNodeStatus());

    this.services = this.informers.informer<Service>(R.services);
    this.pods = this.informers.informer<Pod>(R.pods, { fieldSelector: `spec.nodeName=${this.opts.nodeName}` });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (_o, p) => this.podChanged(p),
      onDelete: (p) => this.podDeleted(p),
    });
    this.informers.start();
    await Promise.all([this.pods.synced(), this.services.synced()]);
    const leftovers = await this.runtime.cleanupLeftovers();
    if (leftovers) log.warn(`stopped ${leftovers} container process(es) a previous agent left running that no pod on this node adopted`);
    this.forgetStalePods();
    this.unregisterLogs = registerLogSource({ podLogInfo: (ns, name) => this.podLogInfo(ns, name) });
    log.info(`node ${this.opts.nodeName} ready (pod CIDR ${this.opts.podCIDR})`);
  }

  /** Where the node's kube-proxy (started after the agent) serves its metrics on 127.0.0.1. */
  setProxyMetricsPort(port: number): void {
    this.proxyMetricsURL = `http://127.0.0.1:${port}/metrics`;
  }

  /** The kubelet API's renewed serving certificate (the kubelet's serving certificate rotation). */
  setServingCertificate(cert: string, key: string): void {
    this.kubelet?.setCertificate(cert, key);
  }

  /** Stops every pod's processes (SIGTERM, grace, SIGKILL); the pods stay bound for the next start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unregisterLogs?.();
    await this.kubelet?.stop();
    this.configMaps.stop();
    this.secrets.stop();
    const grace = this.opts.shutdownGraceMs ?? 10_000;
    await Promise.all([...this.workers.values()].map((w) => w.shutdown(grace)));
    this.workers.clear();
    // Pending tearDown retries stop; their IPs stay reserved in IPAM's file for the next agent.
    this.releaser.stop();
    // Anything that escaped its worker (e.g. started during shutdown) goes too.
    const rt = this.runtime as ContainerRuntime & { running?: ContainerHandle[] };
    const running = rt.running ?? [];
    for (const h of running) rt.signal(h, 'SIGKILL');
    await Promise.all(running.map((h) => h.exited));
    if (this.events instanceof KubeletEventRecorder) await this.events.flush();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      fn()
        .catch((e) => log.warn(errorText(e)))
        .finally(() => (busy = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  // ---- Node and Lease ----

  private params() {
    return { nodeName: this.opts.nodeName, nodeIP: this.opts.nodeIP, podCIDR: this.opts.podCIDR, dataDir: this.opts.dataDir, kubeletPort: this.kubeletPort };
  }

  private async registerNode(): Promise<void> {
    const now = metaTime();
    try {
      this.node = await this.client.create<Node>(R.nodes, undefined, newNode(this.params(), now));
    } catch (e) {
      if (!(isStatusError(e) && e.code === 409)) throw e;
      this.node = await this.client.get<Node>(R.nodes, undefined, this.opts.nodeName);
      const spec = this.node.spec ?? {};
      if (spec.podCIDR && spec.podCIDR !== this.opts.podCIDR) {
        log.warn(`node ${this.opts.nodeName} has podCIDR ${spec.podCIDR} in the API; this agent uses ${this.opts.podCIDR}`);
      } else if (!spec.podCIDR) {
        this.node = await this.client.patch<Node>(R.nodes, undefined, this.opts.nodeName, 'merge', {
          spec: { podCIDR: this.opts.podCIDR, podCIDRs: [this.opts.podCIDR] },
        });
      }
    }
    // Create may drop status (as upstream's does for some fields): write it through /status too.
    await this.updateNodeStatus(true);
  }

  /**
   * Every 10 s: compares the Node's status in the API with what this agent reports and writes it
   * when they differ (someone else, e.g. the node lifecycle controller, may have changed it), and
   * at least every 5 minutes, as the kubelet does.
   */
  private async updateNodeStatus(force = false): Promise<void> {
    const now = metaTime();
    let current: Node;
    try {
      current = await this.client.get<Node>(R.nodes, undefined, this.opts.nodeName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return this.reRegister();
    }
    const same =
      stableJSON(statusWithoutHeartbeats(current.status)) === stableJSON(statusWithoutHeartbeats(nodeStatus(this.params(), current.status, now)));
    if (!force && same && Date.now() - this.lastNodeReport < nodeStatusReportMs) {
      this.node = current;
      return;
    }
    const written = await writeStatus<Node>(this.client, R.nodes, undefined, this.opts.nodeName, (cur) => nodeStatus(this.params(), cur.status, now));
    if (!written) return this.reRegister();
    this.node = written;
    this.lastNodeReport = Date.now();
  }

  /** Someone deleted our Node: register again, as the kubelet does. */
  private async reRegister(): Promise<void> {
    this.node = undefined;
    await this.registerNode();
  }

  private async renewLease(): Promise<void> {
    await renewLeaseRetrying(this.client, this.opts.nodeName, () => this.node, { stopped: () => this.stopped });
  }

  // ---- pods ----

  private podChanged(pod: Pod): void {
    if (this.stopped || pod.spec?.nodeName !== this.opts.nodeName) return;
    const uid = pod.metadata.uid!;
    if (this.finished.has(uid)) return;
    const w = this.workers.get(uid);
    if (w) {
      // A changed reference (e.g. a volume added by an update) is watched from now on.
      void this.watchObjects(pod).catch((e) => log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${errorText(e)}`));
      w.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    // A finished pod that is being deleted needs no worker: the API server removes it at once.
    if ((phase === 'Succeeded' || phase === 'Failed') && pod.metadata.deletionTimestamp) return;
    const worker = new PodWorker(pod, {
      nodeName: this.opts.nodeName,
      nodeIP: this.opts.nodeIP,
      dataDir: this.opts.dataDir,
      runtime: this.runtime,
      ipam: this.ipam,
      podNetwork: this.podNetwork,
      releaser: this.releaser,
      backoff: this.backoff,
      imagePuller: this.opts.imagePuller,
      imageBackoff: this.imageBackoff,
      pullSecrets: (p) => pullSecrets(this.client, p),
      events: this.events,
      objects: this.objects,
      volumes: this.volumes,
      tokenRefreshAt: (id) => this.tokens.nextRefresh(id),
      services: () => this.services?.lister.list() ?? [],
      baseEnv: this.baseEnv(),
      clusterDNS: this.opts.clusterDNS,
      clusterDomain: this.opts.clusterDomain,
      writeStatus: (p, s) => this.writePodStatus(p, s),
      deletePod: (p) => this.deletePod(p),
      probeSecondMs: this.opts.probeSecondMs ?? 1000,
      onFinished: (id) => this.forget(id),
    });
    this.workers.set(uid, worker);
    // The first sync waits for the objects the pod names to be listed: one that exists must not be
    // reported missing (CreateContainerConfigError) only because its watch had not started.
    void this.watchObjects(pod).then(
      () => worker.kick(),
      (e) => {
        log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${errorText(e)}`);
        worker.kick();
      },
    );
  }

  private async watchObjects(pod: Pod): Promise<void> {
    const refs = referencedObjects(pod);
    const uid = pod.metadata.uid!;
    const ns = pod.metadata.namespace ?? 'default';
    const listed = Promise.all([this.configMaps.reference(uid, ns, refs.configMaps), this.secrets.reference(uid, ns, refs.secrets)]);
    // A watch that cannot list (refused, API down) must not hold the pod back for ever: it then
    // reports what it cannot find, and starts once the watch delivers the object.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([listed, new Promise<void>((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }

  /** A ConfigMap or Secret changed: the pods referencing it sync again (mounted files, env for the next start). */
  private objectChanged(podUIDs: ReadonlySet<string>): void {
    for (const uid of podUIDs) this.workers.get(uid)?.kick();
  }

  private forget(uid: string): void {
    this.tokens.forget(uid);
    this.configMaps.forget(uid);
    this.secrets.forget(uid);
    this.workers.delete(uid);
    this.finished.add(uid);
    if (this.finished.size > 10_000) this.finished.delete(this.finished.values().next().value!);
  }

  private podDeleted(pod: Pod): void {
    const w = this.workers.get(pod.metadata.uid!);
    if (!w) return;
    this.forget(pod.metadata.uid!);
    void w.removed().catch((e) => log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${errorText(e)}`));
  }

  /**
   * The pods this agent has something of: a worker, or an IP (held until its network is torn
   * down). In netns mode, a sandbox an earlier run left for a pod outside this set is nobody's.
   */
  podUIDs(): string[] {
    return [...new Set([...this.workers.keys(), ...this.ipam.uids()])];
  }

  /** Drops IPs and log directories of pods that are no longer on this node. */
  private forgetStalePods(): void {
    const live = new Set(this.pods!.lister.list().map((p) => p.metadata.uid!));
    // Not ipam.retain: such a pod's network may still be there (deleted while the agent was
    // down, or its tearDown was still being retried), and its IP must not go to another pod
    // before the network is gone. tearDown of a network that is already gone is a no-op.
    for (const uid of this.ipam.uids()) {
      if (!live.has(uid)) void this.releaser.release(uid, `pod ${uid} (gone from this node)`);
    }
    const podsDir = join(this.opts.dataDir, 'pods');
    let uids: string[] = [];
    try {
      uids = readdirSync(podsDir);
    } catch {
      /* none yet */
    }
    for (const uid of uids) if (!live.has(uid)) rmSync(join(podsDir, uid), { recursive: true, force: true });
  }

  private baseEnv(): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    return env;
  }

  private async writePodStatus(pod: Pod, status: PodStatus): Promise<Pod | undefined> {
    return writeStatus<Pod>(this.client, R.pods, pod.metadata.namespace, pod.metadata.name!, (cur) => {
      // Conditions others own (e.g. DisruptionTarget) stay; ours replace theirs of the same type.
      const ours = new Set((status.conditions ?? []).map((c) => c.type));
      const others = (cur.status?.conditions ?? []).filter((c) => !ours.has(c.type));
      return { ...status, conditions: [...(status.conditions ?? []), ...others] };
    });
  }

  private async deletePod(pod: Pod): Promise<void> {
    try {
      await this.client.delete(R.pods, pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (e) {
      // Gone already, or a new pod of the same name (its uid differs): nothing left to do.
      if (isNotFound(e) || (isStatusError(e) && e.code === 409)) return;
      throw e;
    }
  }

  private podLogInfo(namespace: string, name: string): PodLogInfo | undefined {
    const w = [...this.workers.values()].find((x) => x.namespace === namespace && x.name === name);
    if (!w) return undefined;
    return {
      dataDir: this.opts.dataDir,
      uid: w.uid,
      containers: w.current.spec.containers.map((c) => c.name),
      container: (c) => {
        const all = [...w.current.spec.containers, ...(w.current.spec.initContainers ?? [])];
        if (!all.some((x) => x.name === c)) return undefined;
        const run = w.containerRun(c);
        return { restartCount: run?.restartCount ?? 0, everStarted: run?.everStarted ?? false, waitingReason: run?.state.waiting?.reason };
      },
    };
  }

  private async startKubeletServer(s: KubeletServing): Promise<void> {
    const host: KubeletHost = {
      runtime: this.streamingRuntime(),
      pods: () => [...this.workers.values()].map((w) => w.current),
      podProcesses: () =>
        [...this.workers.values()].map((w) => ({
          pod: w.current,
          containers: w.current.spec.containers.flatMap((c) => {
            const h = w.containerRun(c.name)?.handle;
            return h ? [{ name: c.name, pid: h.pid, startedAt: h.startedAt }] : [];
          }),
        })),
      proxyMetricsURL: () => this.proxyMetricsURL,
    };
    const options = { nodeName: this.opts.nodeName, address: s.address ?? this.opts.nodeIP, port: s.port ?? defaultKubeletPort, cert: s.cert, key: s.key, clientCA: s.clientCA, client: this.client };
    let server = new KubeletServer(options, host);
    try {
      this.kubeletPort = await server.start();
    } catch (e) {
      if (!(s.freePortIfTaken && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw e;
      server = new KubeletServer({ ...options, port: 0 }, host);
      this.kubeletPort = await server.start();
    }
    this.kubelet = server;
  }

  /** What the kubelet API serves containerLogs, exec and portForward from (tests use it directly too). */
  streamingRuntime(): StreamingRuntime {
    return new AgentConnector((ns, name) => this.podWorker(ns, name));
  }

  /** Where this node's kubelet API listens. */
  get kubeletEndpoint(): { address: string; port: number } | undefined {
    return this.kubelet ? { address: this.opts.kubeletServer?.address ?? this.opts.nodeIP, port: this.kubeletPort } : undefined;
  }

  /** The worker of a pod on this node (tests and the exec/port-forward handlers use it). */
  podWorker(namespace: string, name: string): PodWorker | undefined {
    return [...this.workers.values()].find((x) => x.namespace === namespace && x.name === name);
  }
}

/** Processes for built-in images and kubesvc.io/host; with image pulling, crun for the rest. */
function defaultRuntime(dataDir: string, pulling: boolean): ContainerRuntime {
  const processes = new ProcessRuntime(dataDir);
  return pulling ? new RuntimePerImage(processes, new CrunRuntime(dataDir)) : processes;
}
