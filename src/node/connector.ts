// What the kubelet API (src/node/kubelet) serves containerLogs, exec and portForward from on this
// node: the StreamingRuntime contract of src/streaming/runtime.ts over the pods' workers.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type { AttachRequest, ExecRequest, ExecSession, LogOptions, StreamingRuntime } from '../streaming/runtime.js';
import { errors } from '../machinery/status.js';
import { readLogs } from './read-logs.js';
import { commandArgv, lookPathOutsideVolumes, volumeMountPaths } from './runtime/exec-prefix.js';
import type { PodWorker } from './pod-worker.js';

const pods = { group: '', resource: 'pods' };

export class AgentConnector implements StreamingRuntime {
  constructor(private readonly worker: (namespace: string, pod: string) => PodWorker | undefined) {}

  async logs(namespace: string, pod: string, container: string, opts: LogOptions): Promise<Readable> {
    return readLogs(namespace, pod, container || undefined, opts);
  }

  private running(namespace: string, pod: string, container: string) {
    const w = this.worker(namespace, pod);
    if (!w) throw errors.notFound(pods, pod);
    const phase = w.current.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw errors.badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    const run = w.containerRun(container);
    if (!run) throw errors.badRequest(`container ${container} is not valid for pod ${pod}`);
    if (!run.handle) throw errors.badRequest(`unable to upgrade connection: container not found ("${container}")`);
    return { w, run };
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    const { w, run } = this.running(req.namespace, req.pod, req.container);
    if (req.command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
    const env = run.env ?? {};
    const cwd = run.spec.workingDir || undefined;
    const stdout = new PassThrough();
    const stderr = req.tty ? stdout : new PassThrough();
    const failed = (e: NodeJS.ErrnoException, file: string): { code: number } => {
      const msg = e.code === 'ENOENT' ? `exec: "${file}": executable file not found in $PATH` : e.message;
      stderr.write(`OCI runtime exec failed: ${msg}: unknown\r\n`);
      stdout.end();
      if (stderr !== stdout) stderr.end();
      return { code: 126 };
    };
    const session: ExecSession = {
      stdout,
      resize: () => {
        /* no pseudo-terminal here: nothing to resize */
      },
      exit: Promise.resolve({ code: 126 }),
      kill: () => {},
    };
    if (!req.tty) session.stderr = stderr;
    // The command runs beside the container's processes, with its environment and working dir,
    // and inside the pod's network (behind the pod network's prefix). Behind a prefix a missing
    // command would only be the prefix's exit code: check it first, so the error names it.
    const prefix = w.containerExecPrefix(run);
    const inContainer = run.handle!.execArgv;
    const missing = prefix.length > 0 && !inContainer ? lookPathOutsideVolumes(req.command[0]!, env, cwd, volumeMountPaths(run.spec)) : undefined;
    if (missing) {
      session.exit = Promise.resolve(failed(missing, req.command[0]!));
      // Input sent to a command that never started goes nowhere.
      if (req.stdin) session.stdin = new PassThrough().resume();
      return session;
    }
    const argv = commandArgv({ command: req.command, cwd, execPrefix: prefix, inContainer });
    const child = spawn(argv.file, argv.args, {
      env,
      cwd: inContainer ? undefined : cwd,
      detached: true,
      stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(stdout);
    // A terminal merges stderr into stdout.
    child.stderr!.pipe(stderr, { end: !req.tty });
    session.exit = new Promise<{ code: number | null; signal?: string }>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => resolve(failed(e, argv.file)));
      child.once('close', (code, signal) => resolve(signal ? { code, signal } : { code }));
    });
    session.kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    if (req.stdin && child.stdin) session.stdin = child.stdin;
    return session;
  }

  /**
   * The container's output from now on, as its log records it (our containers write to files, not
   * to a terminal we could share), each stream apart unless the client has a terminal; it ends
   * when the run ends. Containers here have no stdin to share: input is read and dropped.
   */
  async attach(req: AttachRequest): Promise<ExecSession> {
    this.running(req.namespace, req.pod, req.container);
    const follow = (stream?: 'stdout' | 'stderr') => readLogs(req.namespace, req.pod, req.container, { follow: true, tailLines: 0, ...(stream ? { stream } : {}) });
    const stdout = follow(req.tty ? undefined : 'stdout');
    const stderr = req.tty ? undefined : follow('stderr');
    const ended = (r: Readable) => new Promise<void>((resolve) => ['end', 'close', 'error'].forEach((e) => r.once(e, () => resolve())));
    const exit = Promise.all([ended(stdout), ...(stderr ? [ended(stderr)] : [])]).then(() => ({ code: 0 }));
    return {
      stdout,
      ...(stderr ? { stderr } : {}),
      ...(req.stdin ? { stdin: new PassThrough().resume() } : {}),
      resize: () => {},
      exit,
      // Detaching leaves the container running.
      kill: () => {
        stdout.destroy();
        stderr?.destroy();
      },
    };
  }

  async portForward(namespace: string, pod: string, port: number): Promise<Duplex> {
    const w = this.worker(namespace, pod);
    if (!w) throw errors.notFound(pods, pod);
    const ip = w.ip;
    if (!ip) throw errors.badRequest(`pod ${pod} has no IP yet`);
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: ip, port });
      sock.once('connect', () => resolve(sock));
      sock.once('error', (e: NodeJS.ErrnoException) =>
        reject(errors.internal(`error forwarding port ${port} to pod ${pod}: dial tcp ${ip}:${port}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`)),
      );
    });
  }
}
