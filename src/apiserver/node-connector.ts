// How the API server reaches a node for what only the node can do — container logs, exec,
// port-forward — as kube-apiserver reaches the kubelet. In `kubesvc up` the node agent runs in
// the same process and registers itself; separate node processes will register a connector that
// speaks HTTP to their agent.
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

export interface NodeConnector {
  /** The container's log as a stream (ends at once unless follow). Throws StatusError for bad requests. */
  logs(namespace: string, pod: string, container: string, opts: LogOptions): Promise<Readable>;
  exec(req: ExecRequest): Promise<ExecSession>;
  /** A connection to the pod's IP on `port`, for port-forward. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
}

/** Node name → its connector. */
export class NodeConnectors {
  private readonly byNode = new Map<string, NodeConnector>();
  register(nodeName: string, c: NodeConnector): () => void {
    this.byNode.set(nodeName, c);
    return () => {
      if (this.byNode.get(nodeName) === c) this.byNode.delete(nodeName);
    };
  }
  get(nodeName: string): NodeConnector | undefined {
    return this.byNode.get(nodeName);
  }
}
