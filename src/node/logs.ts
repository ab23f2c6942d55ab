// Container logs on disk in the CRI log format (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`), one
// file per run: DATA/pods/<uid>/<container>/<restartCount>.log. The current and the previous run
// are kept (for `kubectl logs --previous`), as the kubelet keeps them. A run's log is rotated as
// the kubelet rotates it (--container-log-max-size 10Mi, --container-log-max-files 5): at 10 MiB
// it becomes <restartCount>.log.<UTC time> and a new file starts; a run keeps its four newest
// rotated files. `kubectl logs` reads the current file, as upstream's does.
import { createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { logger } from '../util/log.js';
import { FileTail } from './runtime/file-tail.js';

const log = logger('node');

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

/** The kubelet's defaults: --container-log-max-size 10Mi, --container-log-max-files 5. */
export const containerLogMaxBytes = 10 * 1024 * 1024;
export const containerLogMaxFiles = 5;

type Streams = { stdout: number; stderr: number };

const addStreams = (a: Streams, b: Streams): Streams => ({ stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr });

/** Whether `name` (a file name in the log's directory) is one of the run's rotated logs, `<n>.log.<UTC time>`. */
function isRotatedLog(path: string, name: string): boolean {
  const prefix = `${basename(path)}.`;
  return name.startsWith(prefix) && /^\d{8}-\d{6}\.\d{3}$/.test(name.slice(prefix.length));
}

/** A run's rotated logs, oldest first. */
export function rotatedLogs(path: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((f) => isRotatedLog(path, f))
    .sort()
    .map((f) => join(dirname(path), f));
}

/**
 * Where a run's log keeps the bytes of each stream that went into its rotated files (those since
 * removed included), so an adopted container's output resumes at the right place.
 */
function rotatedBytesPath(path: string): string {
  return `${path}.rotated-bytes`;
}

/**
 * The file's contents: the bytes of each stream in the run's rotated files but the newest
 * (removed ones included), and the newest one's name. The newest is counted from what it holds
 * when the counts are read (by an agent adopting the run): writes may still have been in flight to
 * it when the previous agent died. Its name is written before the rename that makes it, so an agent
 * killed at any step of a rotation leaves counts that match the files: the name counts only once a
 * file of that name exists, and until then its bytes are in the current file.
 */
interface RotatedBytes extends Streams {
  latest?: string;
}

const streamsOf = (v: Partial<Streams> | undefined): Streams => ({ stdout: Number(v?.stdout) || 0, stderr: Number(v?.stderr) || 0 });

function readRotatedBytes(path: string): RotatedBytes {
  try {
    const v = JSON.parse(readFileSync(rotatedBytesPath(path), 'utf8')) as RotatedBytes;
    return { ...streamsOf(v), ...(typeof v.latest === 'string' ? { latest: v.latest } : {}) };
  } catch {
    return { stdout: 0, stderr: 0 };
  }
}

/** The newest rotated file the counts name, if it exists and is a rotated log of this run. */
function latestRotated(path: string, v: RotatedBytes): string | undefined {
  if (!v.latest || !isRotatedLog(path, v.latest)) return undefined;
  const file = join(dirname(path), v.latest);
  return existsSync(file) ? file : undefined;
}

function rotatedBytes(path: string): Streams {
  const v = readRotatedBytes(path);
  const latest = latestRotated(path, v);
  return latest ? addStreams(streamsOf(v), fileBytes(latest)) : streamsOf(v);
}

function writeRotatedBytes(path: string, v: RotatedBytes): void {
  const tmp = `${rotatedBytesPath(path)}.tmp`;
  writeFileSync(tmp, JSON.stringify(v), { mode: 0o600 });
  renameSync(tmp, rotatedBytesPath(path));
}

/** Removes a run's log with its rotated files. */
function removeRunLog(path: string): void {
  for (const f of [path, ...rotatedLogs(path), rotatedBytesPath(path)]) rmSync(f, { force: true });
}

/** `20261207-184500.123`: the kubelet's rotation suffix, with milliseconds (we rotate by size, not every 10 s). */
function rotationSuffix(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}`;
}

/**
 * How many bytes of each stream of a run its log holds, rotated files included (every F line is
 * its text and a newline, a P line its text alone), so an adopted container's output resumes
 * right after. A last line cut short (the agent was killed mid-write) is cut off the file: it is
 * read again from the output.
 */
export function loggedOutputBytes(path: string): Streams {
  return addStreams(rotatedBytes(path), fileBytes(path));
}

/** The same for one file of the log. */
function fileBytes(path: string): Streams {
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

/**
 * Buffers the records of a read are laid out in, given back once their write is done. A chatty
 * container (an ingress controller's access log, thousands of lines a second) made a Buffer per
 * line and a fresh output buffer per read, and the agent's process ran twice the scavenges.
 * At most `keptRecordBuffers` wait here.
 */
const recordBufferBytes = 256 * 1024;
const keptRecordBuffers = 8;
const freeRecordBuffers: Buffer[] = [];
const noRecords = Buffer.alloc(0);

function recordBuffer(size: number): Buffer {
  return size <= recordBufferBytes ? (freeRecordBuffers.pop() ?? Buffer.allocUnsafeSlow(recordBufferBytes)) : Buffer.allocUnsafeSlow(size);
}

function giveBackRecordBuffer(buf: Buffer): void {
  if (buf.length === recordBufferBytes && freeRecordBuffers.length < keptRecordBuffers) freeRecordBuffers.push(buf);
}

/**
 * CRI records of one stream read at one moment, with one timestamp, laid out for one write: the
 * whole lines in the first `fullBytes` of `text` (F), then `parts` pieces of `partBytes` each from
 * where they end (P: a line too long for one record, or, with `fullBytes` 0 and one part of all of
 * `text`, what is left when a stream ends). Built with no object per line: two copies each, into a
 * buffer from the pool above.
 */
class Records {
  /** What the records are laid out in: given back with giveBackRecordBuffer once written. */
  readonly buffer: Buffer;
  /** The records, a view of `buffer`. */
  readonly bytes: Buffer;
  /** Bytes of the stream's output the records hold: an F record's text and its newline, a P record's text. */
  readonly outputBytes: number;

  constructor(
    readonly stream: 'stdout' | 'stderr',
    text: Buffer,
    fullBytes: number,
    parts: number,
    partBytes: number,
  ) {
    const time = rfc3339Nano(new Date());
    const prefixF = Buffer.from(`${time} ${stream} F `, 'latin1');
    const prefixP = Buffer.from(`${time} ${stream} P `, 'latin1');
    let lines = 0;
    for (let nl = text.indexOf(0x0a); nl >= 0 && nl < fullBytes; nl = text.indexOf(0x0a, nl + 1)) lines++;
    const size = fullBytes + lines * prefixF.length + parts * (prefixP.length + partBytes + 1);
    this.buffer = size === 0 ? noRecords : recordBuffer(size);
    const out = this.buffer;
    let o = 0;
    let start = 0;
    for (let i = 0; i < lines; i++) {
      const nl = text.indexOf(0x0a, start);
      o += prefixF.copy(out, o);
      o += text.copy(out, o, start, nl + 1);
      start = nl + 1;
    }
    for (let i = 0; i < parts; i++) {
      o += prefixP.copy(out, o);
      o += text.copy(out, o, start, start + partBytes);
      out[o++] = 0x0a;
      start += partBytes;
    }
    this.bytes = out.subarray(0, o);
    this.outputBytes = fullBytes + parts * partBytes;
  }

  get empty(): boolean {
    return this.bytes.length === 0;
  }
}

export class ContainerLogWriter {
  private out: WriteStream;
  /** Bytes in the current file, and of each stream in it. */
  private size: number;
  private current: Streams;
  /** Files rotated away whose writes may still be in flight: finishing waits for them. */
  private readonly draining: Promise<void>[] = [];
  /** The file this writer last rotated away, with the bytes of each stream it wrote there. */
  private rotated: { file: string; bytes: Streams } | undefined;
  /** When the last rotation was named: the next is named at least a millisecond later, never over it. */
  private lastRotation = 0;
  /** The bytes of each stream since its last newline: lines are written whole, as bytes (not decoded). */
  private readonly partial: Record<'stdout' | 'stderr', Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private openStreams = 2;
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
    private readonly limits: { maxBytes: number; maxFiles: number } = { maxBytes: containerLogMaxBytes, maxFiles: containerLogMaxFiles },
  ) {
    mkdirSync(join(path, '..'), { recursive: true });
    const n = Number(/(\d+)\.log$/.exec(path)?.[1] ?? 0);
    if (n >= 2) removeRunLog(join(path, '..', `${n - 2}.log`));
    this.out = this.openLog();
    this.size = statSync(path).size;
    this.current = this.size > 0 ? fileBytes(path) : { stdout: 0, stderr: 0 };
    writing.set(path, new Set());
    this.done = new Promise((r) => (this.resolveDone = r));
    this.pipe('stdout', stdout);
    this.pipe('stderr', stderr);
  }

  private pipe(stream: 'stdout' | 'stderr', src: Readable): void {
    // write() copies what it keeps, so a container's output file can hand over views of its reads.
    if (src instanceof FileTail) src.deliverTo((view) => this.write(stream, view));
    src.on('data', (chunk: Buffer | string) => this.write(stream, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
    const end = () => {
      // What is left without a newline when the stream ends is a partial record.
      const rest = this.partial[stream];
      if (rest.length) this.append(new Records(stream, rest, 0, 1, rest.length));
      this.partial[stream] = Buffer.alloc(0);
      if (--this.openStreams === 0) this.finish();
    };
    src.once('end', end);
    src.once('error', end);
  }

  /** The lines a read brought, as records with one timestamp (they were read at the same moment). */
  private write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const text = this.partial[stream].length ? Buffer.concat([this.partial[stream], chunk]) : chunk;
    const fullBytes = text.lastIndexOf(0x0a) + 1;
    // A very long line without a newline is written in parts, as CRI runtimes split at 16 KiB.
    const parts = Math.max(0, Math.ceil((text.length - fullBytes - maxLineBytes) / maxLineBytes));
    this.append(new Records(stream, text, fullBytes, parts, maxLineBytes));
    this.partial[stream] = Buffer.from(text.subarray(fullBytes + parts * maxLineBytes));
  }

  /** Writes the records, rotating the file first when they would take it past the limit. */
  private append(records: Records): void {
    if (records.empty) return giveBackRecordBuffer(records.buffer);
    const bytes = records.bytes;
    if (this.size > 0 && this.size + bytes.length > this.limits.maxBytes) {
      try {
        this.rotate();
      } catch (e) {
        // The pod's log directory went away, or the disk refused: the log goes on in the current
        // file (an exception here would be thrown out of a stream's 'data' event, into the agent).
        log.warn(`${this.path}: not rotated: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.out.write(bytes, () => giveBackRecordBuffer(records.buffer));
    this.size += bytes.length;
    this.current[records.stream] += records.outputBytes;
  }

  /** The descriptor is opened now (not by the stream, later): a rename right after must not race its open. */
  private openLog(): WriteStream {
    const out = createWriteStream('', { fd: openSync(this.path, 'a', 0o600) });
    // A write that fails (a full disk) loses those lines, not the agent.
    out.on('error', (e) => log.warn(`${this.path}: ${e.message}`));
    return out;
  }

  /** Throws (nothing changed, the current file goes on) when the rename or the new file fails. */
  private rotate(): void {
    const next = Math.max(Date.now(), this.lastRotation + 1);
    const rotatedName = `${basename(this.path)}.${rotationSuffix(new Date(next))}`;
    const rotatedPath = join(dirname(this.path), rotatedName);
    const before = readRotatedBytes(this.path);
    // The newest rotated file so far joins the total: by what this writer wrote to it (writes may
    // still be in flight), or, rotated by an agent before this one, by what it holds.
    const newest = latestRotated(this.path, before);
    const done = newest ? addStreams(streamsOf(before), newest === this.rotated?.file ? this.rotated.bytes : fileBytes(newest)) : streamsOf(before);
    writeRotatedBytes(this.path, { ...done, latest: rotatedName });
    try {
      renameSync(this.path, rotatedPath);
    } catch (e) {
      writeRotatedBytes(this.path, before);
      throw e;
    }
    this.lastRotation = next;
    const old = this.out;
    try {
      this.out = this.openLog();
    } catch (e) {
      // No new file (no descriptor left, a full disk): the current one goes on under its own
      // name, and the next try comes after another limit's worth of output rather than per write.
      renameSync(rotatedPath, this.path);
      writeRotatedBytes(this.path, before);
      this.size = 0;
      throw e;
    }
    // Writes still queued on the old stream land in the renamed file: its descriptor follows it.
    this.draining.push(new Promise((r) => old.end(r)));
    this.rotated = { file: rotatedPath, bytes: this.current };
    this.size = 0;
    this.current = { stdout: 0, stderr: 0 };
    const files = rotatedLogs(this.path);
    // The newest rotated file stays whatever the limit (the kubelet requires at least 2 files):
    // its bytes are counted from it.
    for (const f of files.slice(0, Math.max(0, files.length - Math.max(1, this.limits.maxFiles - 1)))) rmSync(f, { force: true });
  }

  private finish(): void {
    this.out.end(async () => {
      await Promise.all(this.draining);
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
