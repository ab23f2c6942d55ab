// Reads a CRI-format container log for pods/log: tail, since, timestamps and follow (until the
// run that writes the file ends).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
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

function readFrom(path: string, offset: number): { text: string; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', size: offset };
  }
  try {
    const size = statSync(path).size;
    if (size <= offset) return { text: '', size: offset };
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.subarray(0, n).toString('utf8'), size: offset + n };
  } finally {
    closeSync(fd);
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

  let { text, size } = readFrom(path, 0);
  let carry = '';
  const take = (chunk: string): Entry[] => {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    return lines.map(parseLine).filter((e): e is Entry => !!e && keep(e));
  };
  let first = take(text);
  if (opts.tailLines !== undefined && opts.tailLines >= 0) first = opts.tailLines === 0 ? [] : first.slice(-opts.tailLines);
  out.write(first.map((e) => render(e, timestamps)).join(''));
  text = '';

  if (!opts.follow || !isBeingWritten(path)) {
    out.end();
    return out;
  }
  // Poll rather than fs.watch: it behaves the same on every filesystem and a log line 200 ms late is fine.
  const poll = () => {
    const r = readFrom(path, size);
    size = r.size;
    const entries = take(r.text);
    if (entries.length) out.write(entries.map((e) => render(e, timestamps)).join(''));
  };
  const timer = setInterval(poll, 200);
  const cancel = onLogComplete(path, () => {
    clearInterval(timer);
    poll();
    out.end();
  });
  out.on('close', () => {
    clearInterval(timer);
    cancel();
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
