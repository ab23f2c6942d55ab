// Follows a file that a container process appends its stdout or stderr to, as a Readable of its
// bytes from a given offset. Containers write to files rather than to pipes into the agent, as a
// containerd shim holds their output for the kubelet: a pipe would break when the agent dies (the
// next write is EPIPE/SIGPIPE and kills the container), a file outlives it, and a restarted agent
// resumes reading where the log it had written ends.
import { execFile } from 'node:child_process';
import { closeSync, openSync, read, watch, type FSWatcher } from 'node:fs';
import { Readable } from 'node:stream';

const chunkBytes = 64 * 1024;
/** inotify wakes the tail; the poll only covers a watch that could not be set or missed an event. */
const pollMs = 1000;
/**
 * The least time between two reads that inotify starts. A container that writes a line per
 * request (agnhost serve-hostname logs each one) makes thousands of writes a second, and reading
 * after each cost the agent a thread-pool read, a log write and their garbage per line; one read
 * a few milliseconds later takes all of them. A write after a quiet spell is read at once.
 */
const coalesceMs = 5;
/** How long after the last output the read buffer is kept (an idle container's goes at its next poll). */
const keepBufferMs = pollMs;
/**
 * A container's output file would grow for the container's life (a chatty one by gigabytes an
 * hour) though the agent copies it into the container's log, which rotates. Every
 * `giveBackEveryBytes` read, the blocks before the read position, less a margin, go back to the
 * filesystem (fallocate --punch-hole: the file keeps its size and offsets; that range reads as
 * zeros). The margin covers output read but perhaps not yet written to the log: an agent killed
 * meanwhile resumes from the log's end and must find that output still there.
 */
const giveBackEveryBytes = 32 * 1024 * 1024;
const giveBackMarginBytes = 8 * 1024 * 1024;
/** fallocate is missing or the filesystem cannot punch holes: files grow, as they did before. */
let giveBackUnavailable = false;

export class FileTail extends Readable {
  private fd: number | undefined;
  private pos: number;
  /** The writer has exited: read to the end of the file, then end the stream. */
  private ending = false;
  private reading = false;
  /** Set while waiting for more data: calling it reads again. */
  private wake: (() => void) | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /**
   * What reads land in, kept while output flows and dropped at the first poll that finds none for
   * keepBufferMs (an idle container holds none). A fresh 64 KiB per read, two reads per write the
   * container makes, made a chatty container's output cost the agent's process a major GC every
   * few hundred ms: V8 collects to free buffers that live outside its heap once enough of them
   * were allocated. Dropped at each catch-up instead, a steady writer (an access log) still cost a
   * 64 KiB allocation every few milliseconds and a full collection every second or two.
   */
  private buf: Buffer | undefined;
  /** When the last read started, the timer of a read put off to coalesce writes, and whether a write was reported while a read was in flight. */
  private lastRead = -Infinity;
  /** When a read last brought output (see keepBufferMs). */
  private lastData = -Infinity;
  private coalescing: NodeJS.Timeout | undefined;
  private missed = false;
  /** Bytes at the start of the file given back to the filesystem, and whether a fallocate runs. */
  private givenBack = 0;
  private givingBack = false;

  /** Opens `path` now (it may be unlinked afterwards: the open descriptor keeps reading it). */
  constructor(
    readonly path: string,
    start = 0,
  ) {
    super({ highWaterMark: chunkBytes });
    this.pos = start;
    this.fd = openSync(path, 'r');
    try {
      this.watcher = watch(path, { persistent: false }, () => this.changed());
      this.watcher.on('error', () => this.unwatch());
    } catch {
      /* the poll below still covers it */
    }
  }

  private changed(): void {
    // A write reported while a read is in flight may have come after the read's end: the tail
    // looks again once that read finds nothing more (rather than at the next poll).
    if (!this.wake) {
      this.missed = true;
      return;
    }
    if (this.coalescing) return;
    const wait = this.lastRead + coalesceMs - performance.now();
    if (wait <= 0) {
      this.wake();
      return;
    }
    this.coalescing = setTimeout(() => {
      this.coalescing = undefined;
      this.wake?.();
    }, wait);
  }

  /**
   * Hands each read to `fn` as a view of the tail's read buffer, valid only during the call,
   * instead of pushing a copy of it: for a consumer that copies what it keeps (the container log
   * writer). A 64 KiB copy per read of a chatty container's output made the agent's process run a
   * scavenge every few hundred milliseconds (V8 counts new buffers' memory towards them). The
   * stream still ends ('end', once flowing) and fails ('error') as a Readable; it pushes no data.
   */
  deliverTo(fn: (view: Buffer) => void): void {
    this.consumer = fn;
  }

  private consumer: ((view: Buffer) => void) | undefined;

  /** The writer is gone: everything it wrote is in the file; end after reading it. */
  finish(): void {
    this.ending = true;
    this.wake?.();
  }

  /** Bytes of the file delivered so far (the offset the next read starts at). */
  get offset(): number {
    return this.pos;
  }

  override _read(): void {
    this.pump();
  }

  private pump(): void {
    if (this.reading || this.fd === undefined) return;
    this.reading = true;
    this.lastRead = performance.now();
    this.missed = false;
    this.wake = undefined;
    clearTimeout(this.timer);
    const buf = (this.buf ??= Buffer.allocUnsafe(chunkBytes));
    read(this.fd, buf, 0, chunkBytes, this.pos, (err, n) => {
      this.reading = false;
      if (this.destroyed) {
        this.close();
        return;
      }
      if (err) {
        this.destroy(err);
        return;
      }
      if (n > 0) {
        this.lastData = performance.now();
        this.pos += n;
        this.giveBack();
        if (this.consumer) {
          this.consumer(buf.subarray(0, n));
          // Nothing was pushed, so the stream will not ask for more: read on.
          this.pump();
          return;
        }
        // A copy of what was read (the buffer is read into again); push() asks for more (calls
        // _read) while the consumer keeps up.
        this.push(Buffer.from(buf.subarray(0, n)));
        return;
      }
      // Caught up: the buffer goes only once output has stopped for keepBufferMs (see `buf`).
      if (performance.now() - this.lastData >= keepBufferMs) this.buf = undefined;
      if (this.ending) {
        this.close();
        this.push(null);
        return;
      }
      this.wake = () => this.pump();
      this.timer = setTimeout(() => this.wake?.(), pollMs);
      if (this.missed) this.changed();
    });
  }

  private giveBack(): void {
    const upTo = Math.floor(Math.max(0, this.pos - giveBackMarginBytes) / 4096) * 4096;
    if (giveBackUnavailable || this.givingBack || upTo - this.givenBack < giveBackEveryBytes) return;
    this.givingBack = true;
    // By path, not descriptor: a file unlinked meanwhile (its container removed) frees itself.
    execFile('fallocate', ['--punch-hole', '--offset', String(this.givenBack), '--length', String(upTo - this.givenBack), this.path], { timeout: 10_000 }, (err, _out, stderr) => {
      this.givingBack = false;
      if (!err) this.givenBack = upTo;
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT' || /not supported/i.test(stderr)) giveBackUnavailable = true;
    });
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private close(): void {
    this.unwatch();
    clearTimeout(this.timer);
    clearTimeout(this.coalescing);
    this.wake = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.buf = undefined;
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    // A read in flight still uses the descriptor: its callback closes it.
    if (this.reading) {
      this.unwatch();
      clearTimeout(this.timer);
      clearTimeout(this.coalescing);
    } else {
      this.close();
    }
    cb(err);
  }
}
