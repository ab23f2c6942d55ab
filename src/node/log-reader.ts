// Reads a CRI-format container log for pods/log: tail, since, timestamps and follow (until the
// run that writes the file ends, across the writer's rotations).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { isBeingWritten, onLogComplete } from './logs.js';
import type { LogOptions as StreamingLogOptions } from '../streaming/runtime.js';

/** The kubelet API's log options, and a time too. */
export interface LogOptions extends StreamingLogOptions {
  /** RFC 3339; the later of sinceSeconds and sinceTime applies. */
  sinceTime?: string;
  /** One of the container's streams only (attach keeps them apart); both when absent. */
  stream?: 'stdout' | 'stderr';
}

interface Entry {
  time: string;
  stream: string;
  partial: boolean;
  text: string;
}

function parseLine(line: string): Entry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream: line.slice(a + 1, b), partial: tag === 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

function render(e: Entry, timestamps: boolean): string {
  return (timestamps ? `${e.time} ` : '') + e.text + (e.partial ? '' : '\n');
}

/**
 * One log file read from where the last read ended. A follower holds the file open: when the
 * writer rotates it (renames it and starts a new one at the same path), the follower reads what is
 * left of the renamed file and goes on at the start of the new one — one read later, so that
 * writes still queued for the renamed file when it was renamed (they land in it: the writer's
 * descriptor follows it) are read first, in order.
 */
export class LogFile {
  private fd: number | undefined;
  private offset = 0;
  /** The new file at the path, opened when a rotation was seen; read from the next read on. */
  private next: number | undefined;

  constructor(private readonly path: string) {
    this.fd = LogFile.open(path);
  }

  private static open(path: string): number | undefined {
    try {
      return openSync(path, 'r');
    } catch {
      return undefined;
    }
  }

  /**
   * What was written since the last read. Bytes, not text: a read may end inside a character.
   * `last`: the writer has finished (every write landed), so a rotation just seen is followed at once.
   */
  read(last = false): Buffer {
    const parts = [this.readOpen()];
    // A rotation seen by the last read: the renamed file was just read once more, on to the new one.
    if (this.next !== undefined) this.switchTo(this.next, parts);
    // Rotated: the path names another file now (the one just switched to may have been rotated too).
    if (this.fd === undefined || this.rotated()) {
      const fd = LogFile.open(this.path);
      if (fd !== undefined && (this.fd === undefined || last)) this.switchTo(fd, parts);
      else if (fd !== undefined) this.next = fd;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private switchTo(fd: number, parts: Buffer[]): void {
    if (this.fd !== undefined) {
      parts.push(this.readOpen());
      closeSync(this.fd);
    }
    this.fd = fd;
    this.next = undefined;
    this.offset = 0;
    parts.push(this.readOpen());
  }

  private readOpen(): Buffer {
    if (this.fd === undefined) return Buffer.alloc(0);
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - this.offset);
    const n = readSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += n;
    return buf.subarray(0, n);
  }

  private rotated(): boolean {
    try {
      return statSync(this.path).ino !== fstatSync(this.fd!).ino;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.next !== undefined) closeSync(this.next);
    this.fd = this.next = undefined;
  }
}

export function readLogFile(path: string, opts: LogOptions = {}): Readable {
  const out = new PassThrough();
  if (opts.limitBytes !== undefined && opts.limitBytes > 0) return limit(readLogFile(path, { ...opts, limitBytes: undefined }), opts.limitBytes);
  const timestamps = !!opts.timestamps;
  let since = -Infinity;
  if (opts.sinceSeconds !== undefined) since = Date.now() - opts.sinceSeconds * 1000;
  if (opts.sinceTime) since = Math.max(since, Date.parse(opts.sinceTime));
  const keep = (e: Entry) => (!opts.stream || e.stream === opts.stream) && (since === -Infinity || Date.parse(e.time) >= since);

  const file = new LogFile(path);
  // Bytes up to the last newline are decoded; the rest waits for its line's end.
  let carry = Buffer.alloc(0);
  const take = (chunk: Buffer): Entry[] => {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const end = bytes.lastIndexOf(0x0a) + 1;
    carry = Buffer.from(bytes.subarray(end));
    if (end === 0) return [];
    const lines = bytes.toString('utf8', 0, end - 1).split('\n');
    return lines.map(parseLine).filter((e): e is Entry => !!e && keep(e));
  };
  let first = take(file.read(!opts.follow));
  if (opts.tailLines !== undefined && opts.tailLines >= 0) first = opts.tailLines === 0 ? [] : first.slice(-opts.tailLines);
  out.write(first.map((e) => render(e, timestamps)).join(''));

  if (!opts.follow || !isBeingWritten(path)) {
    file.close();
    out.end();
    return out;
  }
  // Poll rather than fs.watch: it behaves the same on every filesystem and a log line 200 ms late is fine.
  const poll = (last = false) => {
    const entries = take(file.read(last));
    if (entries.length) out.write(entries.map((e) => render(e, timestamps)).join(''));
  };
  const timer = setInterval(() => poll(), 200);
  const cancel = onLogComplete(path, () => {
    clearInterval(timer);
    poll(true);
    file.close();
    out.end();
  });
  out.on('close', () => {
    clearInterval(timer);
    cancel();
    file.close();
  });
  return out;
}

/** Passes at most `max` bytes through, then ends (and stops a follower). */
function limit(src: Readable, max: number): Readable {
  const out = new PassThrough();
  let left = max;
  src.on('data', (chunk: Buffer | string) => {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (left <= 0) return;
    out.write(buf.subarray(0, left));
    left -= Math.min(left, buf.length);
    if (left <= 0) {
      out.end();
      src.destroy();
    }
  });
  src.on('end', () => out.end());
  out.on('close', () => src.destroy());
  return out;
}
