// The OCI runtime: every run of a container is a bundle (config.json generated from the container
// and its image, a root filesystem over the image's) run by crun. The shim the agent spawns is
// `crun run` in the foreground behind a tiny sh (cli.ts): it lives as long as the container, in its
// own process group with the container's stdout/stderr going to files, so a killed agent leaves
// the container running and a new agent adopts it from the record file plus crun's own state.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../../util/log.js';
import { processAlive, procStartTime } from '../../../util/process-alive.js';
import { FileTail } from '../file-tail.js';
import { findLeftover, takeLeftover, whenGone } from '../leftovers.js';
import { PidFiles, type PidRecord } from '../pidfiles.js';
import {
  ImageNotRunnableError,
  StartError,
  type ContainerConfig,
  type ContainerHandle,
  type ContainerRuntime,
  type ExitStatus,
  type LeftoverContainer,
  type OutputOffsets,
} from '../types.js';
import { hasLimits } from '../linux-resources.js';
import { ContainerCgroup, detectCgroups, type CgroupMode } from './cgroups.js';
import { Crun, findRuntime } from './cli.js';
import { ociSpec } from './oci-spec.js';
import { netnsName, writePodFiles } from './pod-files.js';
import { processSpec } from './process-spec.js';
import { prepareRootfs, removeBundle, type RootfsKind } from './rootfs.js';

const log = logger('crun');

/** How often an adopted container's shim (not this agent's child) is checked. */
const adoptedPollMs = 500;
/** How long `crun run` may take to create the container before the start counts as failed. */
const createTimeoutMs = 60_000;

/** The record file: the shim's PID (PidRecord.pid) and the container's init PID. */
interface CrunRecord extends PidRecord {
  initPid: number;
}

/** Init PIDs of every running container, for the exit hook below. */
const liveInits = new Set<number>();
let exitHooked = false;
/** What container root filesystems are here (said once in the log). */
let rootfsKind: RootfsKind | undefined;
let rootlessUserWarned = false;
let limitsWarned = false;

function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // An agent that exits without stopping its pods takes their containers along (a SIGKILL of the
  // agent cannot be caught: the next agent adopts or cleans up then). The PID namespace ends with
  // its init.
  process.on('exit', () => {
    for (const pid of liveInits) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

export class CrunRuntime implements ContainerRuntime {
  readonly name = 'crun';
  private readonly crun: Crun;
  private readonly dir: string;
  private readonly records: PidFiles;
  private readonly live = new Map<string, { handle: ContainerHandle; initPid: number }>();
  private readonly leftovers = new Map<string, CrunRecord>();
  private readonly signalled = new Map<string, NodeJS.Signals>();
  /** cgroup v1 or v2, or why there are none: found out at the first container with resources. */
  private cgroupMode: CgroupMode | { unavailable: string } | undefined;

  constructor(dataDir: string, binary = findRuntime()) {
    this.dir = join(dataDir, 'crun');
    this.records = new PidFiles(join(this.dir, 'containers'));
    if (!binary) throw new Error('crun is not installed (Debian package crun): OCI images cannot run');
    this.crun = new Crun(binary, join(this.dir, 'state'), process.getuid?.() !== 0);
  }

  private cgroups(): CgroupMode | { unavailable: string } {
    return (this.cgroupMode ??= detectCgroups(this.crun.rootless));
  }

  /** The container's cgroup, when this machine has them (it may not exist: no resources were set). */
  private cgroupOf(id: string): ContainerCgroup | undefined {
    const mode = this.cgroups();
    return 'unavailable' in mode ? undefined : new ContainerCgroup(mode, id);
  }

  private bundle(id: string): string {
    return join(this.dir, 'bundles', id);
  }

  private outputPath(id: string, stream: 'stdout' | 'stderr'): string {
    return join(this.dir, 'containers', `${id}.${stream}`);
  }

  private removeOutput(id: string): void {
    rmSync(this.outputPath(id, 'stdout'), { force: true });
    rmSync(this.outputPath(id, 'stderr'), { force: true });
  }

  check(config: Pick<ContainerConfig, 'image' | 'command' | 'args' | 'pulled'>): void {
    // Before the pull nothing is known; after it, the process must be derivable.
    const pulled = config.pulled;
    if (pulled) processSpec({ image: pulled.config, command: config.command, args: config.args, env: {}, rootfs: pulled.rootfs });
  }

  async start(config: ContainerConfig): Promise<ContainerHandle> {
    const pulled = config.pulled;
    if (!pulled) throw new ImageNotRunnableError(`image "${config.image}" has not been pulled`);
    const proc = processSpec({
      image: pulled.config,
      command: config.command,
      args: config.args,
      workingDir: config.workingDir,
      env: config.env,
      hostname: config.hostname,
      rootfs: pulled.rootfs,
    });
    const bundle = this.bundle(config.id);
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    try {
      const kind = await prepareRootfs(bundle, pulled.rootfs);
      if (kind !== rootfsKind) log.info(`container root filesystems: ${kind === 'overlay' ? 'overlayfs over the image' : 'a copy of the image'}`);
      rootfsKind = kind;
      const ns = netnsName(config.execPrefix);
      const etcFiles = await writePodFiles(bundle, { hostname: config.hostname, podIP: config.env.POD_IP, netns: ns });
      if (this.crun.rootless && (proc.user.uid !== 0 || proc.user.gid !== 0)) {
        // Rootless, the user namespace maps only root (to the agent's uid): nothing else exists.
        if (!rootlessUserWarned) log.warn(`rootless: containers run as root inside (the agent's uid outside); an image's User (${pulled.config.User}) is not used`);
        rootlessUserWarned = true;
        proc.user = { uid: 0, gid: 0 };
      }
      const spec = ociSpec({
        process: proc,
        rootfs: join(bundle, 'rootfs'),
        hostname: config.hostname,
        netns: ns ? `/run/netns/${ns}` : undefined,
        etcFiles,
        mounts: config.mounts ?? [],
        rootless: this.crun.rootless,
      });
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      let cgroupProcs: string[] = [];
      let limitsNotEnforced: string | undefined;
      if (config.resources) {
        const mode = this.cgroups();
        if (!('unavailable' in mode)) cgroupProcs = new ContainerCgroup(mode, config.id).create(config.resources);
        else if (hasLimits(config.resources)) {
          limitsNotEnforced = mode.unavailable;
          if (!limitsWarned) log.warn(`container resource limits are not enforced: ${mode.unavailable}`);
          limitsWarned = true;
        }
      }
      const handle = await this.run(config, bundle, cgroupProcs);
      return limitsNotEnforced ? { ...handle, limitsNotEnforced } : handle;
    } catch (e) {
      this.cgroupOf(config.id)?.remove();
      await this.crun.delete(config.id);
      await removeBundle(bundle);
      throw e;
    }
  }

  /** Spawns the shim and waits until crun has started the container (its PID file) or failed. */
  private async run(config: ContainerConfig, bundle: string, cgroupProcs: string[]): Promise<ContainerHandle> {
    const id = config.id;
    const pidFile = join(bundle, 'init.pid');
    const exitFile = join(bundle, 'exit');
    this.records.ensureDir();
    const outPath = this.outputPath(id, 'stdout');
    const errPath = this.outputPath(id, 'stderr');
    const outFd = openSync(outPath, 'a', 0o600);
    const errFd = openSync(errPath, 'a', 0o600);
    const argv = this.crun.shimArgv(bundle, id, pidFile, exitFile, cgroupProcs);
    let shim: ReturnType<typeof spawn>;
    try {
      shim = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', outFd, errFd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    let shimExit: number | null | undefined;
    const shimExited = new Promise<number>((resolve) => {
      shim.once('error', () => resolve((shimExit = 127)));
      shim.once('exit', (code, signal) => resolve((shimExit = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
    });
    const initPid = await waitForPidFile(pidFile, () => shimExit !== undefined);
    if (initPid === undefined) {
      // crun failed before the process ran (exec not found, bad mount...): its words are in stderr.
      if (shimExit === undefined) shim.kill('SIGKILL');
      await shimExited;
      const message = readFileSync(errPath, 'utf8').trim().split('\n').pop() || `crun exited with ${shimExit}`;
      this.removeOutput(id);
      throw new StartError(`failed to create containerd task: failed to create shim task: OCI runtime create failed: ${message}`);
    }
    const startedAt = new Date();
    hookProcessExit();
    liveInits.add(initPid);
    const rec: CrunRecord = {
      pid: shim.pid!,
      initPid,
      containerID: id,
      podUID: config.podUID,
      container: config.containerName,
      attempt: config.attempt,
      startedAt: startedAt.toISOString(),
      procStart: procStartTime(shim.pid!),
    };
    this.records.write(rec);
    const stdout = new FileTail(outPath);
    const stderr = new FileTail(errPath);
    const exited = shimExited.then((code) => this.ended(rec, [stdout, stderr], { exitCode: code, finishedAt: new Date() }));
    return this.track(rec, { id, pid: initPid, startedAt, stdout, stderr, exited });
  }

  private track(rec: CrunRecord, h: Omit<ContainerHandle, 'execArgv'>): ContainerHandle {
    const handle: ContainerHandle = { ...h, execArgv: (command, cwd) => this.crun.execArgv(rec.containerID, command, cwd) };
    this.live.set(rec.containerID, { handle, initPid: rec.initPid });
    return handle;
  }

  /** The container has ended: crun's state, the bundle, the record and the output files go. */
  private async ended(rec: CrunRecord, output: FileTail[], status: ExitStatus): Promise<ExitStatus> {
    const id = rec.containerID;
    liveInits.delete(rec.initPid);
    const sent = this.signalled.get(id);
    if (sent && status.exitCode > 128) status.signal = sent;
    this.live.delete(id);
    this.signalled.delete(id);
    await this.crun.delete(id);
    // Asked before the cgroup goes: did the kernel kill it for its memory limit?
    const cgroup = this.cgroupOf(id);
    if (cgroup?.oomKilled()) status.oomKilled = true;
    cgroup?.remove();
    await removeBundle(this.bundle(id));
    this.records.remove(id);
    this.removeOutput(id);
    for (const t of output) t.finish();
    return status;
  }

  signal(handle: ContainerHandle, signal: NodeJS.Signals): void {
    const live = this.live.get(handle.id);
    if (!live) return;
    this.signalled.set(handle.id, signal);
    this.crun.kill(handle.id, signal).catch(() => {
      // crun no longer knows it (it is exiting): the init PID is what it would have signalled.
      if (processAlive(live.initPid)) {
        try {
          process.kill(live.initPid, signal);
        } catch {
          /* gone */
        }
      }
    });
  }

  recoverLeftovers(): void {
    for (const r of this.records.list()) {
      const rec = r as CrunRecord;
      if (this.live.has(rec.containerID)) continue;
      const alive = PidFiles.stillOurs(rec) && existsSync(join(this.crun.root, rec.containerID));
      if (alive && existsSync(this.outputPath(rec.containerID, 'stdout'))) this.leftovers.set(rec.containerID, rec);
    }
  }

  leftover(podUID: string, containerName: string): LeftoverContainer | undefined {
    return findLeftover(this.leftovers.values(), podUID, containerName);
  }

  adopt(id: string, offsets: OutputOffsets): ContainerHandle | undefined {
    const taken = takeLeftover(this.leftovers, id, (s) => this.outputPath(id, s), offsets);
    if (!taken) return undefined;
    const { rec, stdout, stderr } = taken;
    hookProcessExit();
    liveInits.add(rec.initPid);
    // Not our child: the shim is watched, and the status it wrote on its way out is read.
    const exited = whenGone(rec, adoptedPollMs)
      .then(() => readFile(join(this.bundle(id), 'exit'), 'utf8'))
      .then((t) => {
        const exitCode = Number(t.trim());
        if (!Number.isInteger(exitCode)) throw new Error(`exit file says ${t}`);
        return { exitCode, finishedAt: new Date() } as ExitStatus;
      })
      .catch(() => ({ exitCode: 137, unknown: true, finishedAt: new Date() }) as ExitStatus)
      .then((status) => this.ended(rec, [stdout, stderr], status));
    return this.track(rec, { id, pid: rec.initPid, startedAt: new Date(rec.startedAt ?? Date.now()), stdout, stderr, exited });
  }

  async cleanupLeftovers(): Promise<number> {
    let n = 0;
    this.leftovers.clear();
    const known = new Set<string>();
    for (const r of this.records.list()) {
      const rec = r as CrunRecord;
      known.add(rec.containerID);
      if (this.live.has(rec.containerID)) continue;
      if (PidFiles.stillOurs(rec)) n++;
      await this.destroy(rec.containerID);
      this.records.remove(rec.containerID);
    }
    // Containers crun still has under our root with no record (the agent died between the two).
    for (const c of await this.crun.list()) {
      if (known.has(c.id) || this.live.has(c.id)) continue;
      n++;
      await this.destroy(c.id);
    }
    return n;
  }

  private async destroy(id: string): Promise<void> {
    await this.crun.kill(id, 'SIGKILL').catch(() => undefined);
    await this.crun.delete(id);
    this.cgroupOf(id)?.remove();
    await removeBundle(this.bundle(id));
    this.removeOutput(id);
  }

  /** Containers started or adopted by this runtime that have not exited yet. */
  get running(): ContainerHandle[] {
    return [...this.live.values()].map((l) => l.handle);
  }
}

/** The container's init PID once crun wrote it; undefined if `failed()` first (bounded by a timeout). */
async function waitForPidFile(path: string, failed: () => boolean): Promise<number | undefined> {
  const deadline = Date.now() + createTimeoutMs;
  for (let delay = 2; Date.now() < deadline; delay = Math.min(delay * 2, 50)) {
    try {
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      /* not yet */
    }
    if (failed()) return undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
  return undefined;
}
