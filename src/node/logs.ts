// Container logs on disk in the CRI log format (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`), one
// file per run: DATA/pods/<uid>/<container>/<restartCount>.log. The current and the previous run
// are kept (for `kubectl logs --previous`), as the kubelet keeps them.
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export function containerLogDir(dataDir: string, podUID: string, container: string): string {
  return join(dataDir, 'pods', podUID, container);
}

export function containerLogPath(dataDir: string, podUID: string, container: string, restartCount: number): string {
  return join(containerLogDir(dataDir, podUID, container), `${restartCount}.log`);
}

/** Go's RFC3339Nano drops trailing zeros of the fraction. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.?0*Z$/, 'Z');
}

/** Paths of logs still being written, so a follower knows when a log is complete. */
const writing = new Map<string, Set<() => void>>();

export function isBeingWritten(path: string): boolean {
  return writing.has(path);
}

/** Calls `fn` once `path` is complete (at once when it is not being written). */
export function onLogComplete(path: string, fn: () => void): () => void {
  const set = writing.get(path);
  if (!set) {
    queueMicrotask(fn);
    return () => {};
  }
  set.add(fn);
  return () => set.delete(fn);
}

export class ContainerLogWriter {
  private readonly out: WriteStream;
  private readonly partial = { stdout: '', stderr: '' };
  private open = 2;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  /** Writes `stdout`/`stderr` of one run to `path`, removing the run before the previous one. */
  constructor(
    readonly path: string,
    stdout: Readable,
    stderr: Readable,
  ) {
    mkdirSync(join(path, '..'), { recursive: true });
    const n = Number(/(\d+)\.log$/.exec(path)?.[1] ?? 0);
    if (n >= 2) rmSync(join(path, '..', `${n - 2}.log`), { force: true });
    this.out = createWriteStream(path, { flags: 'a' });
    writing.set(path, new Set());
    this.done = new Promise((r) => (this.resolveDone = r));
    this.pipe('stdout', stdout);
    this.pipe('stderr', stderr);
  }

  private pipe(stream: 'stdout' | 'stderr', src: Readable): void {
    src.setEncoding('utf8');
    src.on('data', (chunk: string) => this.write(stream, chunk));
    const end = () => {
      if (this.partial[stream]) this.line(stream, 'P', this.partial[stream]);
      this.partial[stream] = '';
      if (--this.open === 0) this.finish();
    };
    src.once('end', end);
    src.once('error', end);
  }

  private write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.line(stream, 'F', l);
    // A very long line without a newline is written in parts, as CRI runtimes split at 16 KiB.
    if (this.partial[stream].length > 16384) {
      this.line(stream, 'P', this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private line(stream: string, tag: 'F' | 'P', text: string): void {
    this.out.write(`${rfc3339Nano(new Date())} ${stream} ${tag} ${text}\n`);
  }

  private finish(): void {
    this.out.end(() => {
      const waiters = writing.get(this.path);
      writing.delete(this.path);
      for (const w of waiters ?? []) w();
      this.resolveDone();
    });
  }

  /** Resolves once both streams ended and the file is flushed. */
  closed(): Promise<void> {
    return this.done;
  }
}
