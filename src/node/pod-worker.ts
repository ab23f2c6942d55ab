// One pod on this node, as the kubelet's pod worker: a level-triggered sync (one at a time per pod)
// that gives the pod its IP, starts containers, restarts them under the restart policy with
// crash-loop back-off, runs their probes, writes the pod's status when it changed, and on deletion
// stops every container (SIGTERM, grace period, SIGKILL) before removing the pod from the API.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, ContainerStatus, Pod, PodStatus, Service } from '../api/core.js';
import { goDuration, type CrashBackoff } from './backoff.js';
import { containerStatus, newContainerRun, shouldRestart, type ContainerRun } from './container-run.js';
import { buildContainerEnv, ContainerConfigError, expandCommand, servicesForPod } from './env.js';
import type { PodEventSink } from './events.js';
import type { PodIPAllocator } from './ipam.js';
import type { PodNetwork } from './pod-network.js';
import type { NetworkReleaser } from './network-release.js';
import { ContainerLogWriter, containerLogPath, loggedOutputBytes } from './logs.js';
import { processEnv } from './runtime/proc-env.js';
import { metaTime, podConditions, podPhase, stableJSON, withTransitionTimes } from './pod-status.js';
import { startProbes, stopProbes } from './container-probes.js';
import { terminationMessage } from './termination-message.js';
import { lifecycleOf, runHook } from './lifecycle.js';
import { ensureImage } from './image-pull.js';
import type { DockerConfigAuths, ImagePuller, PulledImage } from './runtime/image-puller.js';
import { imageKind } from './runtime/images.js';
import { CreateContainerError, ImageNotRunnableError, StartError, stopContainer, type ContainerHandle, type ContainerMount, type ContainerRuntime, type ExitStatus } from './runtime/types.js';
import { noPodObjects, type PodObjects } from './pod-objects.js';
import { VolumeManager, VolumeSetUpError } from './volumes/manager.js';
import { readOnlyVolumes } from './volumes/persistent-volume.js';
import { containerMounts } from './volumes/container-mounts.js';
import { enterMountsPrefix, mountNamespaceSupport } from './runtime/mount-namespace.js';
import { logger, errorText } from '../util/log.js';
import { linuxContainerResources } from './runtime/linux-resources.js';

const log = logger('node');

/** How long after a failed sandbox (IP or network) the worker tries again. */
const sandboxRetryMs = 5000;
/** How long after a failed volume setup the worker tries again (object changes kick it sooner). */
const volumeRetryMs = 2000;

export interface PodWorkerDeps {
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  runtime: ContainerRuntime;
  ipam: PodIPAllocator;
  /** Creates and removes the pod's network and says how its processes start inside it. */
  podNetwork: PodNetwork;
  /**
   * Tears the pod's network down and only then releases its IP, retrying a failed tearDown on its
   * own: it is the agent's, so the retry goes on after the agent has forgotten this worker.
   */
  releaser: NetworkReleaser;
  backoff: CrashBackoff;
  /** Pulls OCI images (absent: only built-in images and kubesvc.io/host run). */
  imagePuller?: ImagePuller;
  /** The image pull back-off, per pod and image (10 s doubling to 300 s). */
  imageBackoff: CrashBackoff;
  /** The pod's imagePullSecrets, decoded, in order. */
  pullSecrets(pod: Pod): Promise<DockerConfigAuths[]>;
  events: PodEventSink;
  /** ConfigMaps, Secrets and node allocatable, for env and volumes (default: none). */
  objects?: PodObjects;
  /** Sets the pod's volumes up and refreshes them on every sync (default: one of the worker's own). */
  volumes?: VolumeManager;
  /** When the pod's projected tokens must be renewed, if it has any. */
  tokenRefreshAt?(uid: string): number | undefined;
  /** Every Service the agent knows (the pod's own are picked from them). */
  services(): Service[];
  /** Environment every container starts from (PATH and the like from the agent's host). */
  baseEnv: Record<string, string>;
  clusterDNS?: string;
  clusterDomain?: string;
  /** Writes the status subresource; resolves undefined when the pod is gone. */
  writeStatus(pod: Pod, status: PodStatus): Promise<Pod | undefined>;
  /** The final delete (grace period 0) once every container has stopped. */
  deletePod(pod: Pod): Promise<void>;
  /** Milliseconds per second of probe settings (tests shorten it). */
  probeSecondMs: number;
  /** The worker is done: the pod is gone from the API and from this node. */
  onFinished(uid: string): void;
}

function podRef(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

export class PodWorker {
  readonly uid: string;
  private pod: Pod;
  private readonly runs = new Map<string, ContainerRun>();
  /** Init containers, run one after another before the pod's containers. */
  private readonly initRuns = new Map<string, ContainerRun>();
  /** Every init container has completed (they do not run again for this pod). */
  private initialized = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private lastWritten: string | undefined;
  private startTime: string | undefined;
  private podIP: string | undefined;
  private syncing = false;
  private dirty = false;
  /** Another sync after one failed (e.g. a status write). */
  private retryTimer: NodeJS.Timeout | undefined;
  /**
   * Another try at the sandbox (IP, network). Its own timer, not retryTimer: a later failed sync
   * replacing retryTimer with its 1 s kick must not cancel it, or the kick would hit the
   * networkRetryAt gate and nothing would try again.
   */
  private sandboxTimer: NodeJS.Timeout | undefined;
  /** The pod has reached Succeeded/Failed: nothing runs any more. */
  private terminal = false;
  /** Deletion or shutdown is under way: no container starts any more. */
  private stopping = false;
  private finished = false;
  private terminating = false;
  private cleaned = false;
  /** Why the agent failed the pod itself (activeDeadlineSeconds), for status.reason/message. */
  private failure: { reason: string; message: string } | undefined;
  private sandboxError: string | undefined;
  /** The pod's volumes (name → path on this machine) once they were all set up. */
  private volumePaths: Map<string, string> | undefined;
  private volumeError: string | undefined;
  private volumeTimer: NodeJS.Timeout | undefined;
  /** podNetwork.setUp succeeded for this pod (hostNetwork pods need none). */
  private networkReady = false;
  /** A setUp under way: a tearDown waits for it, or it could recreate what the tearDown removed. */
  private networkSetUp: Promise<void> | undefined;
  /**
   * After a failed setUp, not before this time (ms): other kicks (e.g. the echo of the status
   * write) must not turn the 5 s retry into a tight loop against a failing network.
   */
  private networkRetryAt = 0;
  /** podNetwork.tearDown has run: the pod's network is gone for good. */
  private networkGone = false;
  /**
   * The argv prefix every process of the pod starts behind (containers, exec sessions, exec probes
   * and hooks), so all of them run in the pod's network. Fixed for the pod: its uid and
   * hostNetwork cannot change.
   */
  readonly execPrefix: string[];
  private readonly objects: PodObjects;
  private readonly volumes: VolumeManager;

  constructor(
    pod: Pod,
    private readonly d: PodWorkerDeps,
  ) {
    this.pod = pod;
    this.uid = pod.metadata.uid!;
    this.execPrefix = d.podNetwork.execPrefix(pod);
    this.objects = d.objects ?? noPodObjects;
    this.volumes = d.volumes ?? new VolumeManager(d.dataDir, this.objects, async () => undefined);
    this.adoptPreviousStatus(pod);
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata.name ?? '';
  }

  /** The pod's IP once it has one. */
  get ip(): string | undefined {
    return this.podIP;
  }

  get current(): Pod {
    return this.pod;
  }

  containerRun(name: string): ContainerRun | undefined {
    return this.runs.get(name) ?? this.initRuns.get(name);
  }

  private allRuns(): ContainerRun[] {
    return [...this.initRuns.values(), ...this.runs.values()];
  }

  /** The processes this pod's containers run now. */
  get handles(): ContainerHandle[] {
    return this.allRuns().flatMap((r) => (r.handle ? [r.handle] : []));
  }

  /**
   * An agent restarted after its containers were killed: carry on from the status the previous
   * agent wrote (same IP, same start time, restart counts go on, the lost run is the last state).
   */
  private adoptPreviousStatus(pod: Pod): void {
    const st = pod.status;
    if (!st) return;
    if (st.phase === 'Succeeded' || st.phase === 'Failed') {
      this.terminal = true;
      this.lastWritten = stableJSON(st);
    }
    this.startTime = st.startTime;
    if (st.podIP && !this.terminal && this.d.ipam.claim(this.uid, st.podIP)) this.podIP = st.podIP;
    if (!this.terminal && this.adoptRunning(pod)) return;
    // Init containers run again: their work belonged to the sandbox the previous agent lost.
    for (const cs of st.containerStatuses ?? []) {
      const spec = pod.spec.containers.find((c) => c.name === cs.name);
      if (spec) this.runs.set(cs.name, this.lostRun(spec, cs));
    }
  }

  /** A container the previous agent reported whose process did not survive it: restarts go on from its status. */
  private lostRun(spec: Container, cs: ContainerStatus): ContainerRun {
    const run = newContainerRun(spec);
    run.restartCount = cs.restartCount ?? 0;
    run.state = cs.state ?? run.state;
    run.lastState = cs.lastState ?? {};
    if (cs.state?.running || cs.state?.terminated || cs.lastState?.terminated) {
      run.everStarted = true;
      if (cs.state?.running) {
        // Its process went with the previous agent: report it as ended, exit code unknown.
        run.state = {
          terminated: { exitCode: 137, reason: 'Unknown', startedAt: cs.state.running.startedAt, finishedAt: metaTime(), containerID: cs.containerID },
        };
        run.finishedAt = Date.now();
      }
    }
    if (cs.containerID) run.containerID = cs.containerID.replace(/^[a-z-]+:\/\//, '');
    return run;
  }

  /**
   * The previous agent was killed and left this pod's containers running: take them over where
   * they are, as a restarted kubelet keeps its containers (same process and container id, no
   * restart, the log goes on, probes resume). A container whose process is gone is restarted as
   * usual by the first sync. False when nothing of the pod runs any more.
   */
  private adoptRunning(pod: Pod): boolean {
    const rt = this.d.runtime;
    if (!rt.leftover || !rt.adopt) return false;
    // Without its IP the pod's processes would be in a sandbox this agent cannot give back.
    if (!this.podIP && !pod.spec.hostNetwork) return false;
    const st = pod.status ?? {};
    const adopted: [ContainerRun, ContainerHandle, ContainerStatus | undefined][] = [];
    for (const c of pod.spec.containers) {
      const left = rt.leftover(this.uid, c.name);
      if (!left) continue;
      const path = containerLogPath(this.d.dataDir, this.uid, c.name, left.attempt);
      const handle = rt.adopt(left.id, loggedOutputBytes(path));
      if (!handle) continue;
      const cs = st.containerStatuses?.find((x) => x.name === c.name);
      const run = newContainerRun(c);
      run.restartCount = left.attempt;
      run.everStarted = true;
      run.containerID = handle.id;
      run.handle = handle;
      run.env = processEnv(handle.pid);
      // The last state belongs to this run only if the status the previous agent wrote was of it.
      if (cs?.containerID === `${rt.name}://${handle.id}`) run.lastState = cs.lastState ?? {};
      run.state = { running: { startedAt: metaTime(handle.startedAt) } };
      run.logWriter = new ContainerLogWriter(path, handle.stdout, handle.stderr);
      adopted.push([run, handle, cs?.containerID === `${rt.name}://${handle.id}` ? cs : undefined]);
    }
    if (adopted.length === 0) return false;
    log.info(`pod ${this.namespace}/${this.name}: adopted ${adopted.length} running container(s) of the previous agent`);
    // Its sandbox lives on, so its init containers stay done (they ran before these started).
    for (const ic of pod.spec.initContainers ?? []) {
      const ics = st.initContainerStatuses?.find((x) => x.name === ic.name);
      const run = newContainerRun(ic);
      if (ics) {
        run.restartCount = ics.restartCount ?? 0;
        run.state = ics.state ?? run.state;
        run.lastState = ics.lastState ?? {};
        run.everStarted = true;
        if (ics.containerID) run.containerID = ics.containerID.replace(/^[a-z-]+:\/\//, '');
      }
      this.initRuns.set(ic.name, run);
    }
    this.initialized = true;
    for (const [run, handle, cs] of adopted) {
      // Started and ready carry over until the probes say otherwise, so the pod's endpoints do not
      // flap: the process has been answering all along.
      run.started = cs?.started ?? !run.spec.startupProbe;
      run.ready = run.started && (cs?.ready ?? !run.spec.readinessProbe);
      this.runs.set(run.spec.name, run);
      this.watchRun(run, handle);
    }
    // The others (their process is gone) restart from their last status, as without adoption.
    for (const cs of st.containerStatuses ?? []) {
      if (this.runs.has(cs.name)) continue;
      const spec = pod.spec.containers.find((c) => c.name === cs.name);
      if (spec) this.runs.set(cs.name, this.lostRun(spec, cs));
    }
    return true;
  }

  /** A newer version of the pod from the informer. */
  update(pod: Pod): void {
    this.pod = pod;
    for (const c of pod.spec.containers) {
      const run = this.runs.get(c.name);
      if (!run) continue;
      // Only the image may change on a running pod. As the kubelet (container hash changed), the
      // container is killed and started again with the new spec, whatever the restart policy.
      const changed = (run.spec.image ?? '') !== (c.image ?? '');
      run.spec = c;
      if (changed && run.handle && !pod.metadata.deletionTimestamp) {
        run.restartAnyway = true;
        this.event(c.name, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
        void this.killContainer(run, run.handle, (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
      } else if (changed && !run.handle && run.state.waiting) {
        // A container that could not be created may be runnable with the new image.
        run.lastEvent = undefined;
      }
    }
    for (const c of pod.spec.initContainers ?? []) {
      const run = this.initRuns.get(c.name);
      if (run) run.spec = c;
    }
    this.kick();
  }

  kick(): void {
    this.dirty = true;
    if (!this.syncing) void this.loop();
  }

  private async loop(): Promise<void> {
    this.syncing = true;
    try {
      while (this.dirty && !this.finished) {
        this.dirty = false;
        try {
          await this.sync();
        } catch (e) {
          log.warn(`pod ${this.namespace}/${this.name}: sync failed, retrying: ${errorText(e)}`);
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.kick(), 1000);
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  private async sync(): Promise<void> {
    if (this.pod.metadata.deletionTimestamp && !this.terminating && !this.finished) {
      this.terminating = true;
      await this.terminate();
      return;
    }
    if (this.stopping || this.finished) return;
    if (this.terminal) {
      await this.writeStatus();
      return;
    }
    // The kubelet's startTime: when it first took the pod on, before any container starts.
    this.startTime ??= metaTime();
    // A pod restored after an agent restart claimed its IP from status; its network is set up
    // again (idempotently) here all the same, before any container starts.
    if (!this.ensureIP() || !(await this.ensureNetwork())) {
      for (const c of this.pod.spec.containers) if (!this.runs.has(c.name)) this.runs.set(c.name, newContainerRun(c));
      await this.writeStatus();
      return;
    }
    if (this.stopping) return;
    if (!(await this.ensureVolumes())) {
      for (const c of this.pod.spec.containers) if (!this.runs.has(c.name)) this.runs.set(c.name, newContainerRun(c));
      await this.writeStatus();
      return;
    }
    if (this.stopping) return;
    this.armDeadline();
    if (!this.initialized) this.initialized = await this.syncInit();
    for (const c of this.pod.spec.containers) {
      let run = this.runs.get(c.name);
      if (!run) {
        run = newContainerRun(c, this.initialized ? 'ContainerCreating' : 'PodInitializing');
        this.runs.set(c.name, run);
      }
      if (!this.initialized || this.stopping) continue;
      if (run.handle || run.restartTimer) continue;
      if (!run.everStarted) {
        if (run.state.waiting?.reason === 'PodInitializing') run.state = { waiting: { reason: 'ContainerCreating' } };
        await this.startContainer(run);
        continue;
      }
      const exit = run.state.terminated;
      if (!exit && !run.state.waiting) continue;
      const exitCode = exit?.exitCode ?? run.lastState.terminated?.exitCode ?? 0;
      if (run.restartAnyway) {
        run.restartAnyway = false;
        await this.startContainer(run);
        continue;
      }
      if (!shouldRestart(this.pod.spec.restartPolicy, exitCode)) continue;
      this.restartWithBackoff(run);
      if (!run.restartTimer) await this.startContainer(run);
    }
    if (this.stopping) return;
    const phase = podPhase(this.pod, this.containerStatuses(), false, this.initStatuses());
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Nothing will run again (every process has exited): the pod's network goes, as the
      // kubelet tears down the sandbox.
      this.terminal = true;
      await this.releaseNetwork();
    }
    await this.writeStatus();
  }

  /** The pod's "sandbox": its IP. False (and retried later) when the pod CIDR is full. */
  private ensureIP(): boolean {
    if (this.podIP) return true;
    try {
      this.podIP = this.pod.spec.hostNetwork ? this.d.nodeIP : this.d.ipam.allocate(this.uid);
      return true;
    } catch (e) {
      this.sandboxFailed(e);
      return false;
    }
  }

  /**
   * The rest of the sandbox: podNetwork.setUp with the pod's IP, once per pod (hostNetwork pods
   * use the node's network). False (and retried later) when it fails.
   */
  private async ensureNetwork(): Promise<boolean> {
    if (this.networkReady || this.pod.spec.hostNetwork) return true;
    // Torn down already (the pod finished while this sync ran): it must not come back.
    if (this.networkGone) return false;
    const wait = this.networkRetryAt - Date.now();
    if (wait > 0) {
      // Too early for another setUp; make sure something comes back when it is time.
      this.sandboxTimer ??= setTimeout(() => this.sandboxKick(), wait);
      return false;
    }
    const setUp = this.d.podNetwork.setUp(this.pod, this.podIP!);
    this.networkSetUp = setUp;
    try {
      await setUp;
    } catch (e) {
      // A little under the timer's delay: a timer may fire a millisecond early by Date.now().
      this.networkRetryAt = Date.now() + sandboxRetryMs - 100;
      this.sandboxFailed(e);
      return false;
    } finally {
      this.networkSetUp = undefined;
    }
    // Torn down while setUp ran (the pod was removed meanwhile): no container may start in it.
    if (this.networkGone) return false;
    this.networkReady = true;
    this.sandboxError = undefined;
    return true;
  }

  /**
   * The kubelet's WaitForAttachAndMount plus its per-sync remount: every volume is set up (or
   * refreshed: new ConfigMap data, labels, tokens) on each sync. Until all have been set up once
   * no container starts (FailedMount, retried); a later failure leaves running containers alone.
   */
  private async ensureVolumes(): Promise<boolean> {
    clearTimeout(this.volumeTimer);
    this.volumeTimer = undefined;
    if (!this.pod.spec.volumes?.length) {
      this.volumePaths ??= new Map();
      return true;
    }
    try {
      this.volumePaths = await this.volumes.setUp(this.podForEnv());
      this.volumeError = undefined;
      const refresh = this.d.tokenRefreshAt?.(this.uid);
      // Unref'd: a token refresh due in minutes must not keep a stopped agent's process alive.
      if (refresh !== undefined) this.volumeTimer = setTimeout(() => this.kick(), Math.max(1000, refresh - Date.now())).unref();
      return true;
    } catch (e) {
      const message = e instanceof VolumeSetUpError ? e.message : `MountVolume.SetUp failed: ${errorText(e)}`;
      if (this.volumeError !== message) this.event(undefined, 'Warning', 'FailedMount', message);
      this.volumeError = message;
      this.volumeTimer = setTimeout(() => this.kick(), volumeRetryMs).unref();
      return this.volumePaths !== undefined;
    }
  }

  /**
   * The argv prefix of processes run beside a container (exec, exec probes, hooks): the pod's
   * network, and the container's mount namespace when it has volumes, so they see its files.
   */
  containerExecPrefix(run: ContainerRun): string[] {
    const pid = run.handle?.pid;
    // The spec, not this run's mounts: a run adopted from a previous agent has them too.
    if (!(run.spec.volumeMounts as unknown[] | undefined)?.length || pid === undefined) return this.execPrefix;
    const support = mountNamespaceSupport();
    return support.kind === 'none' ? this.execPrefix : [...this.execPrefix, ...enterMountsPrefix(pid, support)];
  }

  private sandboxKick(): void {
    this.sandboxTimer = undefined;
    this.kick();
  }

  /** FailedCreatePodSandBox (once per distinct message) and another try in 5 s. */
  private sandboxFailed(e: unknown): void {
    const message = `Failed to create pod sandbox: ${e instanceof Error ? e.message : String(e)}`;
    if (this.sandboxError !== message) this.event(undefined, 'Warning', 'FailedCreatePodSandBox', message);
    this.sandboxError = message;
    clearTimeout(this.sandboxTimer);
    this.sandboxTimer = setTimeout(() => this.sandboxKick(), sandboxRetryMs);
  }

  /**
   * The pod's network goes once its processes are gone: podNetwork.tearDown, then its IP back to
   * the pool (not before, or another pod could get the IP while this one's netns still holds it).
   * A failed tearDown is never thrown (the pod must still finish): the releaser keeps the IP
   * reserved and retries the tearDown until it succeeds, whether or not this worker still exists.
   */
  private async releaseNetwork(): Promise<void> {
    if (this.pod.spec.hostNetwork) {
      // It has the node's network and IP: nothing to tear down, nothing of IPAM's to hold back.
      this.d.ipam.release(this.uid);
      return;
    }
    if (this.networkGone) return;
    this.networkGone = true;
    await this.networkSetUp?.catch(() => undefined);
    this.networkReady = false;
    await this.d.releaser.release(this.uid, `pod ${this.namespace}/${this.name}`);
  }

  /**
   * Runs init containers in order, each to successful completion before the next; a failed one is
   * restarted (with back-off) unless the pod's restartPolicy is Never. True once all completed.
   */
  private async syncInit(): Promise<boolean> {
    for (const c of this.pod.spec.initContainers ?? []) {
      let run = this.initRuns.get(c.name);
      if (!run) {
        run = newContainerRun(c);
        this.initRuns.set(c.name, run);
      }
      if (run.handle || run.restartTimer || this.stopping) return false;
      if (!run.everStarted) {
        await this.startContainer(run);
        return false;
      }
      const exit = run.state.terminated;
      if (exit?.exitCode === 0) continue;
      if (!exit && !run.state.waiting) return false;
      if (this.pod.spec.restartPolicy === 'Never') return false;
      this.restartWithBackoff(run);
      if (!run.restartTimer) await this.startContainer(run);
      return false;
    }
    return true;
  }

  /** activeDeadlineSeconds: counted from startTime; when it passes, the pod fails (DeadlineExceeded). */
  private armDeadline(): void {
    const secs = this.pod.spec.activeDeadlineSeconds;
    if (this.deadlineTimer || secs === undefined || this.terminal) return;
    this.startTime ??= metaTime();
    const left = Date.parse(this.startTime) + secs * 1000 - Date.now();
    this.deadlineTimer = setTimeout(() => void this.deadlineExceeded(), Math.max(0, left));
  }

  private async deadlineExceeded(): Promise<void> {
    if (this.stopping || this.terminal || this.finished) return;
    const message = 'Pod was active on the node longer than the specified deadline';
    this.event(undefined, 'Normal', 'DeadlineExceeded', message);
    this.stopping = true;
    await this.stopAll((this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, true);
    this.terminal = true;
    await this.releaseNetwork();
    this.failure = { reason: 'DeadlineExceeded', message };
    this.stopping = false;
    this.kick();
  }

  /** Either clears the container for an immediate restart or puts it in CrashLoopBackOff. */
  private restartWithBackoff(run: ContainerRun): void {
    const key = `${this.uid}/${run.spec.name}`;
    const remaining = this.d.backoff.remainingMs(key, run.finishedAt ?? 0);
    if (remaining <= 0) {
      this.d.backoff.next(key);
      return;
    }
    const delay = goDuration(this.d.backoff.delayMs(key));
    if (run.state.terminated) run.lastState = run.state;
    run.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${run.spec.name} pod=${podRef(this.pod)}`,
      },
    };
    this.event(run.spec.name, 'Warning', 'BackOff', `Back-off restarting failed container ${run.spec.name} in pod ${podRef(this.pod)}`);
    run.restartTimer = setTimeout(() => {
      run.restartTimer = undefined;
      this.kick();
    }, remaining);
  }

  private event(container: string | undefined, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.d.events.podEvent(this.pod, container, type, reason, message);
  }

  /** The pod as a container's env and fieldRefs see it: with the addresses it is about to get. */
  private podForEnv(): Pod {
    return {
      ...this.pod,
      status: {
        ...(this.pod.status ?? {}),
        podIP: this.podIP,
        podIPs: this.podIP ? [{ ip: this.podIP }] : [],
        hostIP: this.d.nodeIP,
        hostIPs: [{ ip: this.d.nodeIP }],
      },
    };
  }

  private waitWith(run: ContainerRun, reason: string, message: string): void {
    if (run.state.terminated) run.lastState = run.state;
    run.state = { waiting: { reason, message } };
    if (run.lastEvent !== message) {
      run.lastEvent = message;
      this.event(run.spec.name, 'Warning', 'Failed', reason === 'ImageNotRunnable' ? message : `Error: ${message}`);
    }
  }

  /**
   * An OCI image is pulled first (when the agent can pull); a failed pull leaves the container
   * waiting, with a sync scheduled when its back-off says.
   */
  private async pullImage(run: ContainerRun): Promise<PulledImage | undefined> {
    const outcome = await ensureImage({
      pod: this.pod,
      container: run.spec,
      puller: this.d.imagePuller,
      backoff: this.d.imageBackoff,
      pullSecrets: () => this.d.pullSecrets(this.pod),
      event: (type, reason, message) => {
        // A sync that finds the same state again does not repeat its events.
        const key = `${reason}:${message}`;
        if (run.lastEvent === key && type === 'Warning') return;
        if (type === 'Warning') run.lastEvent = key;
        this.event(run.spec.name, type, reason, message);
      },
    });
    if ('pulled' in outcome) return outcome.pulled;
    if (run.state.terminated) run.lastState = run.state;
    run.state = { waiting: outcome.waiting };
    if (outcome.retryMs !== undefined) {
      run.restartTimer = setTimeout(() => {
        run.restartTimer = undefined;
        this.kick();
      }, outcome.retryMs);
    }
    return undefined;
  }

  private async startContainer(run: ContainerRun): Promise<void> {
    const c: Container = run.spec;
    const image = c.image ?? '';
    try {
      this.d.runtime.check({ image, command: c.command, args: c.args });
    } catch (e) {
      if (e instanceof ImageNotRunnableError) return this.waitWith(run, e.reason, e.message);
      throw e;
    }
    const oci = imageKind(image) === 'oci' && this.d.imagePuller !== undefined;
    let pulled: PulledImage | undefined;
    if (oci) {
      pulled = await this.pullImage(run);
      if (!pulled || this.stopping) return;
      run.imageID = pulled.imageID;
      try {
        // What the image and the container say together must make a process (command, user).
        this.d.runtime.check({ image, command: c.command, args: c.args, pulled });
      } catch (e) {
        if (e instanceof CreateContainerError) return this.waitWith(run, e.reason, e.message);
        throw e;
      }
    } else {
      this.event(c.name, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    }
    let env: Record<string, string>;
    let mounts: ContainerMount[];
    try {
      const pod = this.podForEnv();
      env = buildContainerEnv(
        {
          pod,
          container: c,
          nodeName: this.d.nodeName,
          services: servicesForPod(pod, this.d.services()),
          clusterDNS: this.d.clusterDNS,
          clusterDomain: this.d.clusterDomain,
          podNetwork: this.d.podNetwork.kind,
          objects: this.objects,
          warn: (reason, message) => this.event(undefined, 'Warning', reason, message),
        },
        // An OCI image brings its own PATH and the rest (the image's Env); the machine's is for processes here.
        oci ? {} : this.d.baseEnv,
      );
      mounts = containerMounts(c, this.volumePaths ?? new Map(), env, readOnlyVolumes(this.pod));
    } catch (e) {
      if (e instanceof ContainerConfigError) return this.waitWith(run, e.reason, e.message);
      throw e;
    }
    const before = { restartCount: run.restartCount, everStarted: run.everStarted, lastState: run.lastState };
    if (run.everStarted) {
      run.restartCount++;
      if (run.state.terminated) run.lastState = run.state;
    }
    run.everStarted = true;
    run.lastEvent = undefined;
    const id = randomBytes(16).toString('hex');
    run.containerID = id;
    run.env = env;
    const { command, args } = expandCommand(c, env);
    this.event(c.name, 'Normal', 'Created', `Created container: ${c.name}`);
    let handle: ContainerHandle;
    try {
      handle = await this.d.runtime.start({
        id,
        podUID: this.uid,
        podName: this.name,
        namespace: this.namespace,
        containerName: c.name,
        attempt: run.restartCount,
        image,
        command,
        args,
        workingDir: c.workingDir,
        env,
        execPrefix: this.execPrefix,
        mounts,
        hostname: this.pod.spec.hostname || this.name,
        ...(pulled ? { pulled } : {}),
        ...(c.resources ? { resources: linuxContainerResources(c) } : {}),
      });
    } catch (e) {
      if (e instanceof CreateContainerError) {
        // Nothing ran: undo the start's bookkeeping, so the next try is not counted as a restart.
        Object.assign(run, before);
        run.state = { waiting: { reason: e.reason, message: e.message } };
        if (run.lastEvent !== e.message) this.event(c.name, 'Warning', 'Failed', `Error: ${e.message}`);
        run.lastEvent = e.message;
        this.volumeTimer ??= setTimeout(() => this.kick(), volumeRetryMs).unref();
        return;
      }
      if (!(e instanceof StartError || e instanceof ImageNotRunnableError)) throw e;
      const now = metaTime();
      run.state = { terminated: { exitCode: 128, reason: e.reason, message: e.message, startedAt: '1970-01-01T00:00:00Z', finishedAt: now, containerID: `${this.d.runtime.name}://${id}` } };
      run.finishedAt = Date.now();
      this.event(c.name, 'Warning', 'Failed', `Error: ${e.message}`);
      this.kick();
      return;
    }
    if (this.stopping) {
      // Deleted while starting: this run goes at once with the others.
      this.d.runtime.signal(handle, 'SIGKILL');
    }
    run.handle = handle;
    run.logWriter = new ContainerLogWriter(containerLogPath(this.d.dataDir, this.uid, c.name, run.restartCount), handle.stdout, handle.stderr);
    run.state = { running: { startedAt: metaTime(handle.startedAt) } };
    run.started = !c.startupProbe;
    run.ready = run.started && !c.readinessProbe;
    this.event(c.name, 'Normal', 'Started', `Started container ${c.name}`);
    // kubesvc's own word (upstream has no such event): the limits the user set do not hold here.
    if (handle.limitsNotEnforced) this.event(c.name, 'Warning', 'ResourceLimitsNotEnforced', `Resource limits of container ${c.name} are not enforced: ${handle.limitsNotEnforced}`);
    this.watchRun(run, handle);
    const postStart = lifecycleOf(c).postStart;
    if (postStart) void this.runPostStart(run, handle, postStart);
  }

  /** A running container's probes, and what happens when its process ends. */
  private watchRun(run: ContainerRun, handle: ContainerHandle): void {
    const c = run.spec;
    startProbes(run, handle, {
      podIP: () => this.podIP ?? this.d.nodeIP,
      execPrefix: this.containerExecPrefix(run),
      secondMs: this.d.probeSecondMs,
      unhealthy: (message) => this.event(c.name, 'Warning', 'Unhealthy', message),
      failed: (type, probe) => {
        this.event(c.name, 'Normal', 'Killing', `Container ${c.name} failed ${type} probe, will be restarted`);
        const grace = probe.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
        void this.killContainer(run, handle, grace * 1000);
      },
      changed: () => this.kick(),
    });
    void handle.exited.then((exit) => this.onExit(run, handle, exit));
  }

  private hookContext(run: ContainerRun) {
    return { podIP: this.podIP ?? this.d.nodeIP, container: run.spec, env: run.env ?? {}, podRef: podRef(this.pod), execPrefix: this.containerExecPrefix(run), inContainer: run.handle?.execArgv };
  }

  /** A failing postStart hook kills the container; it restarts as its restart policy says. */
  private async runPostStart(run: ContainerRun, handle: ContainerHandle, hook: NonNullable<ReturnType<typeof lifecycleOf>['postStart']>): Promise<void> {
    const grace = (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const failure = await runHook(hook, this.hookContext(run), grace);
    if (!failure || run.handle !== handle) return;
    this.event(run.spec.name, 'Warning', 'FailedPostStartHook', failure);
    this.event(run.spec.name, 'Normal', 'Killing', `FailedPostStartHook`);
    await stopContainer(this.d.runtime, handle, grace);
  }

  /**
   * Stops one run as the kubelet's killContainer: the preStop hook first, within the grace
   * period, then SIGTERM and SIGKILL after what is left of it (at least 2 s, as upstream).
   */
  private async killContainer(run: ContainerRun, handle: ContainerHandle, graceMs: number): Promise<ExitStatus> {
    const preStop = lifecycleOf(run.spec).preStop;
    let left = graceMs;
    if (preStop && graceMs > 0) {
      const t0 = Date.now();
      const failure = await Promise.race([
        runHook(preStop, this.hookContext(run), graceMs),
        handle.exited.then(() => undefined),
      ]);
      if (failure) this.event(run.spec.name, 'Warning', 'FailedPreStopHook', failure);
      left = Math.max(2000, graceMs - (Date.now() - t0));
    }
    return stopContainer(this.d.runtime, handle, left);
  }

  private async onExit(run: ContainerRun, handle: ContainerHandle, exit: ExitStatus): Promise<void> {
    if (run.handle !== handle) return;
    stopProbes(run);
    // The log must be complete before its tail can become the termination message.
    await run.logWriter?.closed();
    if (run.handle !== handle) return;
    run.handle = undefined;
    run.ready = false;
    run.started = false;
    run.finishedAt = exit.finishedAt.getTime();
    run.state = {
      terminated: {
        exitCode: exit.exitCode,
        reason: exit.unknown ? 'ContainerStatusUnknown' : exit.oomKilled ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error',
        startedAt: metaTime(handle.startedAt),
        finishedAt: metaTime(exit.finishedAt),
        containerID: `${this.d.runtime.name}://${handle.id}`,
      },
    };
    if (exit.unknown) run.state.terminated!.message = 'The container was adopted after a restart of the node agent, which cannot observe its exit code';
    const message = terminationMessage(run.spec, exit.exitCode, run.logWriter?.path);
    if (message) run.state.terminated!.message = message;
    this.kick();
  }

  /** Sorted by name, as the kubelet sorts them. */
  private containerStatuses(): ContainerStatus[] {
    return [...this.runs.values()]
      .filter((r) => this.pod.spec.containers.some((c) => c.name === r.spec.name))
      .map((r) => containerStatus(r, this.d.runtime.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** In spec order, as the kubelet keeps them. */
  private initStatuses(): ContainerStatus[] {
    return (this.pod.spec.initContainers ?? []).map((c) => {
      const run = this.initRuns.get(c.name) ?? newContainerRun(c);
      return containerStatus(run, this.d.runtime.name);
    });
  }

  private buildStatus(terminalNow = false): PodStatus {
    const statuses = this.containerStatuses();
    const initStatuses = this.initStatuses();
    const phase = this.failure ? 'Failed' : podPhase(this.pod, statuses, terminalNow || this.terminal, initStatuses);
    const now = metaTime();
    this.startTime ??= now;
    const sandbox = !!this.podIP && (this.networkReady || !!this.pod.spec.hostNetwork) && !this.terminal && !terminalNow;
    const status: PodStatus = {
      ...(this.pod.status ?? {}),
      phase,
      conditions: withTransitionTimes(this.pod.status?.conditions, podConditions(this.pod, statuses, phase, sandbox, initStatuses), now),
      hostIP: this.d.nodeIP,
      hostIPs: [{ ip: this.d.nodeIP }],
      startTime: this.startTime,
      containerStatuses: statuses,
    };
    if (initStatuses.length) status.initContainerStatuses = initStatuses;
    if (this.failure) {
      status.reason = this.failure.reason;
      status.message = this.failure.message;
    }
    if (this.podIP) {
      status.podIP = this.podIP;
      status.podIPs = [{ ip: this.podIP }];
    }
    return status;
  }

  private async writeStatus(terminalNow = false): Promise<void> {
    const status = this.buildStatus(terminalNow);
    const text = stableJSON(status);
    const known = this.lastWritten ?? stableJSON(this.pod.status ?? {});
    if (text === known) return;
    const updated = await this.d.writeStatus(this.pod, status);
    this.lastWritten = text;
    if (updated && !this.pod.metadata.deletionTimestamp) this.pod = { ...this.pod, status: updated.status as PodStatus };
  }

  /** The pod was deleted (it has a deletionTimestamp): stop everything, then remove it. */
  private async terminate(): Promise<void> {
    this.stopping = true;
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.stopAll(grace * 1000, true);
    try {
      await this.writeStatus(true);
    } catch (e) {
      log.debug(`pod ${this.namespace}/${this.name}: final status: ${errorText(e)}`);
    }
    // The pod must go from the API even if the server is briefly unavailable.
    for (let attempt = 0; !this.cleaned; attempt++) {
      try {
        await this.d.deletePod(this.pod);
        break;
      } catch (e) {
        if (attempt % 10 === 0) log.warn(`pod ${this.namespace}/${this.name}: deleting: ${errorText(e)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await this.cleanUp();
  }

  /** The pod vanished from the API (force-deleted): stop its containers quickly and forget it. */
  async removed(): Promise<void> {
    this.stopping = true;
    const grace = Math.max(2, this.pod.metadata.deletionGracePeriodSeconds ?? 0);
    await this.stopAll(Math.min(grace, this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, false);
    await this.cleanUp();
  }

  /** The agent stops: end every process (grace capped at `maxGraceMs`), keep the pod's records. */
  async shutdown(maxGraceMs: number): Promise<void> {
    this.stopping = true;
    this.finished = true;
    this.cleaned = true;
    const grace = (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    await this.stopAll(Math.min(grace, maxGraceMs), false);
  }

  private async stopAll(graceMs: number, announce: boolean): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.sandboxTimer);
    this.sandboxTimer = undefined;
    clearTimeout(this.deadlineTimer);
    const waits: Promise<unknown>[] = [];
    for (const run of this.allRuns()) {
      clearTimeout(run.restartTimer);
      run.restartTimer = undefined;
      stopProbes(run);
      run.ready = false;
      if (!run.handle) continue;
      if (announce) this.event(run.spec.name, 'Normal', 'Killing', `Stopping container ${run.spec.name}`);
      waits.push(announce ? this.killContainer(run, run.handle, graceMs) : stopContainer(this.d.runtime, run.handle, graceMs));
      if (run.logWriter) waits.push(run.logWriter.closed());
    }
    await Promise.all(waits);
    // Exit handlers run on the same tick as `exited` settles; let them record the final states.
    await new Promise((r) => setImmediate(r));
  }

  /** After stopAll: every process of the pod is gone, so its network can go too. */
  private async cleanUp(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.finished = true;
    await this.releaseNetwork();
    this.d.backoff.forgetPrefix(`${this.uid}/`);
    clearTimeout(this.volumeTimer);
    this.volumes.tearDown(this.uid);
    rmSync(join(this.d.dataDir, 'pods', this.uid), { recursive: true, force: true });
    this.d.onFinished(this.uid);
  }
}
