// What the kubelet's streaming server needs from the container runtime for containerLogs, exec
// and portForward (the role of upstream's CRI streaming runtime). The kubelet API serves
// these over HTTPS (src/node/kubelet); the API server reaches them only through that API.
import type { Readable, Writable, Duplex } from 'node:stream';

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ExecSession {
  /** Present when the request asked for stdin. */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a TTY (stderr is merged into stdout, as with a terminal). */
  stderr?: Readable;
  resize(width: number, height: number): void;
  /** Resolves when the command ends: its exit code, or the signal that ended it. */
  exit: Promise<{ code: number | null; signal?: string }>;
  kill(): void;
}

/** kubectl attach: the container's own output (and input) rather than a new command's. */
export interface AttachRequest {
  namespace: string;
  pod: string;
  container: string;
  stdin: boolean;
  tty: boolean;
}

export interface StreamingRuntime {
  /** The container's log as a stream (ends at once unless follow). Throws StatusError for bad requests. */
  logs(namespace: string, pod: string, container: string, opts: LogOptions): Promise<Readable>;
  exec(req: ExecRequest): Promise<ExecSession>;
  /** The running container's streams from now on; kill() detaches, leaving the container running. */
  attach(req: AttachRequest): Promise<ExecSession>;
  /** A connection to the pod's IP on `port`, for port-forward. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
}
