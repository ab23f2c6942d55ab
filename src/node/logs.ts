// Container logs on disk in the CRI log format (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`), one
// file per run: DATA/pods/<uid>/<container>/<restartCount>.log. The current and the previous run
// are kept (for `kubectl logs --previous`), as the kubelet keeps them.
import { createWriteStream, mkdirSync, readFileSync, rmSync, truncateSync, type WriteStream } from 'node:fs';
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

const maxLineBytes = 16384;
const newline = Buffer.from('\n');

/**
 * How many bytes of each stream of a run a log holds (every F line is its text and a newline, a P
 * line its text alone), so an adopted container's output resumes right after. A last line cut
 * short (the agent was killed mid-write) is cut off the file: it is read again from the output.
 */
export function loggedOutputBytes(path: string): { stdout: number; stderr: number } {
  const counted = { stdout: 0, stderr: 0 };
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return counted;
  }
  const complete = data.lastIndexOf(0x0a) + 1;
  if (complete < data.length) truncateSync(path, complete);
  let start = 0;
  while (start < complete) {
    const end = data.indexOf(0x0a, start);
    // `<time> <stream> <F|P> <text>`: the text starts after the third space.
    const s1 = data.indexOf(0x20, start);
    const s2 = s1 < 0 ? -1 : data.indexOf(0x20, s1 + 1);
    const s3 = s2 < 0 ? -1 : data.indexOf(0x20, s2 + 1);
    if (s3 >= 0 && s3 < end) {
      const stream = data.toString('latin1', s1 + 1, s2);
      const full = data[s2 + 1] === 0x46; // 'F'
      if (stream === 'stdout' || stream === 'stderr') counted[stream] += end - (s3 + 1) + (full ? 1 : 0);
    }
    start = end + 1;
  }
  return counted;
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
  /** The bytes of each stream since its last newline: lines are written whole, as bytes (not decoded). */
  private readonly partial: Record<'stdout' | 'stderr', Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private open = 2;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  /**
   * Writes `stdout`/`stderr` of one run to `path`, removing the run before the previous one. An
   * adopted run appends to the log its previous agent wrote (its streams start where that ends).
   */
  constructor(
    readonly path: string,
    stdout: Readable,
    stderr: Readable,
  ) {
    mkdirSync(join(path, '..'), { recursive: true });
    const n = Number(/(\d+)\.log$/.exec(path)?.[1] ?? 0);
    if (n >= 2) rmSync(join(path, '..', `${n - 2}.log`), { force: true });
    this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    writing.set(path, new Set());
    this.done = new Promise((r) => (this.resolveDone = r));
    this.pipe('stdout', stdout);
    this.pipe('stderr', stderr);
  }

  private pipe(stream: 'stdout' | 'stderr', src: Readable): void {
    src.on('data', (chunk: Buffer | string) => this.write(stream, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
    const end = () => {
      if (this.partial[stream].length) this.line(stream, 'P', this.partial[stream]);
      this.partial[stream] = Buffer.alloc(0);
      if (--this.open === 0) this.finish();
    };
    src.once('end', end);
    src.once('error', end);
  }

  /**
   * The lines a read brought, in one write to the file with one timestamp (they were read at the
   * same moment): a chatty container (an ingress controller's access log, thousands of lines a
   * second) costs a write per read instead of a file write and a Date per line.
   */
  private write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let text = this.partial[stream].length ? Buffer.concat([this.partial[stream], chunk]) : chunk;
    const parts: Buffer[] = [];
    const prefixes: Partial<Record<'F' | 'P', Buffer>> = {};
    let time: string | undefined;
    const record = (tag: 'F' | 'P', line: Buffer) => {
      time ??= rfc3339Nano(new Date());
      parts.push((prefixes[tag] ??= Buffer.from(`${time} ${stream} ${tag} `)), line, newline);
    };
    for (let nl = text.indexOf(0x0a); nl >= 0; nl = text.indexOf(0x0a)) {
      record('F', text.subarray(0, nl));
      text = text.subarray(nl + 1);
    }
    // A very long line without a newline is written in parts, as CRI runtimes split at 16 KiB.
    while (text.length > maxLineBytes) {
      record('P', text.subarray(0, maxLineBytes));
      text = text.subarray(maxLineBytes);
    }
    if (parts.length) this.out.write(Buffer.concat(parts));
    this.partial[stream] = Buffer.from(text);
  }

  private line(stream: string, tag: 'F' | 'P', text: Buffer): void {
    this.out.write(Buffer.concat([Buffer.from(`${rfc3339Nano(new Date())} ${stream} ${tag} `), text, newline]));
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
