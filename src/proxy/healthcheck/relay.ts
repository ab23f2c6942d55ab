// healthCheckNodePorts for a node that is a network namespace. kubesvc runs every node's proxy in
// the host namespace, where it cannot bind a node's address; so one small child process per node
// runs inside the node (`ip netns exec`), listens on the node's ports, and asks this process for
// each answer over a pipe. The child starts with the first port and stops with the proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { logger } from '../../util/log.js';

const log = logger('proxy');

export interface HealthAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HealthListener {
  close(): Promise<void>;
}

/** Starts answering on host:port with whatever `answer` gives at the time of each request. */
export type HealthListen = (host: string, port: number, answer: () => HealthAnswer) => Promise<HealthListener>;

/** The compiled child: next to this module in the tsc output; from the bundle (dist/bundle/), under dist/src/. */
function childPath(): string {
  const here = new URL('.', import.meta.url);
  const dir = here.pathname.endsWith('/proxy/healthcheck/') ? here : new URL('../src/proxy/healthcheck/', here);
  return fileURLToPath(new URL('relay-child.js', dir));
}

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

export class NetnsHealthRelay {
  private child: ChildProcess | undefined;
  private readonly answers = new Map<string, () => HealthAnswer>();
  private readonly waiting = new Map<string, Waiter>();
  private seq = 0;
  private stopped = false;

  /** @param prefix argv that enters the node's namespace, e.g. [<abs ip>, 'netns', 'exec', 'kubesvc-node-1'] */
  constructor(private readonly prefix: readonly string[]) {}

  readonly listen: HealthListen = async (host, port, answer) => {
    if (this.stopped) throw new Error('health relay stopped');
    const key = `${host}:${port}#${++this.seq}`;
    this.answers.set(key, answer);
    try {
      await this.call({ op: 'listen', key, host, port }, key);
    } catch (e) {
      this.answers.delete(key);
      throw e;
    }
    return {
      close: async () => {
        this.answers.delete(key);
        if (this.child) await this.call({ op: 'close', key }, key).catch(() => undefined);
      },
    };
  };

  async stop(): Promise<void> {
    this.stopped = true;
    this.child?.stdin?.end();
    this.child?.kill();
    this.child = undefined;
  }

  private call(msg: object, key: string): Promise<void> {
    const child = this.ensureChild();
    return new Promise((resolve, reject) => {
      this.waiting.set(key, { resolve, reject });
      child.stdin!.write(`${JSON.stringify(msg)}\n`);
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const [file, ...args] = [...this.prefix, process.execPath, childPath()];
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => log.warn(`cannot start the health-check relay: ${e.message}`));
    createInterface({ input: child.stdout! }).on('line', (line) => this.onMessage(child, line));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      for (const [key, w] of this.waiting) {
        this.waiting.delete(key);
        w.reject(new Error(`health relay exited (${signal ?? code})`));
      }
      if (!this.stopped) log.warn(`the health-check relay in ${this.prefix.at(-1)} exited (${signal ?? code}); it restarts with the next port`);
    });
    return child;
  }

  private onMessage(child: ChildProcess, line: string): void {
    let m: { op: string; key?: string; id?: number; message?: string };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      return;
    }
    if (m.op === 'req' && m.id !== undefined) {
      const answer = this.answers.get(m.key ?? '');
      const a = answer ? answer() : { status: 503, headers: {}, body: '' };
      child.stdin!.write(`${JSON.stringify({ op: 'res', id: m.id, ...a })}\n`);
      return;
    }
    const w = this.waiting.get(m.key ?? '');
    if (!w) return;
    this.waiting.delete(m.key!);
    if (m.op === 'listen-error') w.reject(new Error(m.message ?? 'listen failed'));
    else w.resolve();
  }
}
