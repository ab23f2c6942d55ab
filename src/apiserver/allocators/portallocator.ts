// NodePort allocation over a port range as upstream's portallocator with etcd storage: the whole
// range is one bitmap kept in storage as a legacy RangeAllocation (/registry/ranges/servicenodeports),
// changed only by compare-and-swap on its revision and retried after a lost race, so API servers
// sharing etcd never hand out one port twice. The lower band of min(max(16, size/32), 128) ports is
// kept for static requests (KEP-3668).
import { AllocationBitmap, rangeOffset } from './bitmap.js';
import { AllocatorError, portErrors } from './errors.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError, type Backend } from '../../storage/backend.js';
import { metaTime } from '../../machinery/time.js';

/** Where upstream keeps the NodePort bitmap. */
export const nodePortRangeKey = '/registry/ranges/servicenodeports';
/** A lost race is retried this many times before the write fails (each retry re-reads). */
const MAX_CAS_ATTEMPTS = 200;

export interface PortRange {
  base: number;
  size: number;
}

/** As net.PortRange.String(): "30000-32767", or "" for an empty range. */
export function formatPortRange(pr: PortRange): string {
  return pr.size === 0 ? '' : `${pr.base}-${pr.base + pr.size - 1}`;
}

/** Parses "30000-32767", "30000+2768" or "30000", as net.ParsePortRange. */
export function parsePortRange(s: string): PortRange {
  const v = s.trim();
  let m: RegExpExecArray | null;
  let base: number;
  let size: number;
  if ((m = /^(\d+)-(\d+)$/.exec(v))) {
    base = Number(m[1]);
    size = Number(m[2]) - base + 1;
  } else if ((m = /^(\d+)\+(\d+)$/.exec(v))) {
    base = Number(m[1]);
    size = Number(m[2]) + 1;
  } else if ((m = /^(\d+)$/.exec(v))) {
    base = Number(m[1]);
    size = 1;
  } else {
    throw new Error(`unable to parse port range: ${s}`);
  }
  if (base > 65535 || base + size - 1 > 65535 || size < 1) {
    throw new Error(`port range ${s} is invalid: ports must be between 0 and 65535`);
  }
  return { base, size };
}

interface PendingChange {
  fn: (b: AllocationBitmap) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface RangeAllocation {
  apiVersion: 'v1';
  kind: 'RangeAllocation';
  metadata: { creationTimestamp?: string };
  range: string;
  /** base64 of the bitmap's big-endian bytes (bit i = port base+i), as upstream. */
  data: string;
}

export class PortAllocator {
  readonly range: PortRange;
  readonly rangeString: string;
  /** The last state read from or written to storage. */
  private readonly bitmap: AllocationBitmap;
  /** modRevision of that state; 0 = the key did not exist. */
  private revision = 0;
  private created: string | undefined;
  /** Storage reads and writes from this server go one at a time (upstream holds a lock): CAS races are then only with other servers. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Changes waiting for the write in flight to finish; they go to storage together. */
  private pending: PendingChange[] = [];
  private draining = false;

  constructor(
    range: PortRange,
    private readonly backend: Backend,
    random?: () => number,
    private readonly key = nodePortRangeKey,
  ) {
    this.range = { ...range };
    this.rangeString = formatPortRange(range);
    this.bitmap = new AllocationBitmap(range.size, rangeOffset(range.size, 16, 32, 128), random);
  }

  allocate(port: number): Promise<void> {
    if (!this.contains(port)) return Promise.reject(portErrors.notInRange(this.rangeString));
    return this.mutate((b) => {
      if (!b.allocate(port - this.range.base)) throw portErrors.allocated();
      return true;
    }).then(() => undefined);
  }

  allocateNext(): Promise<number> {
    return this.mutate((b) => {
      const offset = b.allocateNext();
      if (offset === undefined) throw portErrors.full();
      return this.range.base + offset;
    });
  }

  release(port: number): Promise<void> {
    return this.releaseAll([port]);
  }

  /** Releases several ports in one write. */
  releaseAll(ports: readonly number[]): Promise<void> {
    const mine = ports.filter((p) => this.contains(p));
    if (!mine.length) return Promise.resolve();
    return this.mutate((b) => {
      let changed = false;
      for (const p of mine) {
        if (b.has(p - this.range.base)) {
          b.release(p - this.range.base);
          changed = true;
        }
      }
      return changed;
    }).then(() => undefined);
  }

  /** The stored ports and the revision they were read at (the repair loop's starting point). */
  snapshot(): Promise<{ ports: number[]; revision: number }> {
    return this.serialized(async () => {
      await this.read();
      const ports: number[] = [];
      this.forEach((p) => ports.push(p));
      return { ports, revision: this.revision };
    });
  }

  /**
   * Stores exactly `ports` if nothing was written since `revision` (a snapshot's); false when
   * something was, and the caller starts over from a new snapshot, as upstream's repair does.
   */
  restoreAt(revision: number, ports: readonly number[]): Promise<boolean> {
    return this.serialized(async () => {
      if (revision !== this.revision) return false;
      this.bitmap.restore(Buffer.alloc(0));
      for (const p of ports) if (this.contains(p)) this.bitmap.allocate(p - this.range.base);
      try {
        const value = this.encode();
        const kv = revision === 0 ? await this.backend.create(this.key, value) : await this.backend.update(this.key, value, revision);
        this.revision = kv.modRevision;
        return true;
      } catch (e) {
        await this.read();
        if (e instanceof RevisionMismatchError || e instanceof KeyExistsError || e instanceof KeyNotFoundError) return false;
        throw e;
      }
    });
  }

  /** Reads the stored state (a dry run checks collisions against it). */
  refresh(): Promise<void> {
    return this.serialized(() => this.read());
  }

  /** Whether the port was taken when storage was last read or written here. */
  has(port: number): boolean {
    return this.contains(port) && this.bitmap.has(port - this.range.base);
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.range.base && port < this.range.base + this.range.size;
  }

  free(): number {
    return this.bitmap.free();
  }

  used(): number {
    return this.range.size - this.bitmap.free();
  }

  get staticBandSize(): number {
    return this.bitmap.reserved;
  }

  forEach(fn: (port: number) => void): void {
    this.bitmap.forEach((o) => fn(this.range.base + o));
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies `fn` to the bitmap and stores the result with a compare-and-swap on the revision it
   * was read at. Calls that arrive while a write is in flight are applied together and stored in
   * one write (a group commit: one key means one write at a time, so batching is what lets
   * concurrent creates go faster than storage's write latency). The first try uses the state this
   * server last saw; a lost race re-reads and applies the batch again. `fn` returns false (or
   * throws) when it has nothing to write.
   */
  private mutate<T>(fn: (b: AllocationBitmap) => T | false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        await this.serialized(() => this.applyBatch(batch));
      }
    } finally {
      this.draining = false;
    }
  }

  private async applyBatch(batch: PendingChange[]): Promise<void> {
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      const outcomes = batch.map((op): { ok: true; value: unknown } | { ok: false; error: unknown } => {
        try {
          return { ok: true, value: op.fn(this.bitmap) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      // "already allocated", "full" or nothing to release may only be this server's stale view.
      const refused = outcomes.some((o) => (o.ok ? o.value === false : o.error instanceof AllocatorError));
      if (refused && !fresh) {
        await this.read();
        fresh = true;
        continue;
      }
      if (outcomes.some((o) => o.ok && o.value !== false)) {
        try {
          const value = this.encode();
          const kv = this.revision === 0 ? await this.backend.create(this.key, value) : await this.backend.update(this.key, value, this.revision);
          this.revision = kv.modRevision;
        } catch (e) {
          const lostRace = e instanceof RevisionMismatchError || e instanceof KeyExistsError || e instanceof KeyNotFoundError;
          // Whatever the batch did is undone by reading the stored state again.
          await this.read().catch(() => undefined);
          fresh = true;
          if (lostRace && attempt < MAX_CAS_ATTEMPTS) continue;
          for (const op of batch) op.reject(e);
          return;
        }
      }
      outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
      return;
    }
  }

  private async read(): Promise<void> {
    const { kv } = await this.backend.get(this.key);
    if (!kv) {
      this.bitmap.restore(Buffer.alloc(0));
      this.revision = 0;
      return;
    }
    const stored = JSON.parse(kv.value) as RangeAllocation;
    this.created = stored.metadata?.creationTimestamp;
    const data = Buffer.from(stored.data ?? '', 'base64');
    if (stored.range === this.rangeString) {
      this.bitmap.restore(data);
    } else {
      // Stored under another --service-node-port-range: keep the ports that are still in ours.
      const theirs = parsePortRange(stored.range);
      const old = new AllocationBitmap(theirs.size, 0);
      old.restore(data);
      this.bitmap.restore(Buffer.alloc(0));
      old.forEach((o) => this.contains(theirs.base + o) && this.bitmap.allocate(theirs.base + o - this.range.base));
    }
    this.revision = kv.modRevision;
  }

  private encode(): string {
    this.created ??= metaTime();
    const ra: RangeAllocation = {
      apiVersion: 'v1',
      kind: 'RangeAllocation',
      metadata: { creationTimestamp: this.created },
      range: this.rangeString,
      data: this.bitmap.snapshot().toString('base64'),
    };
    return JSON.stringify(ra);
  }
}
