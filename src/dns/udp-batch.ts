// The cluster DNS server's IPv4 UDP sockets on the udp-batch addon (native/udp-batch): datagrams
// are read with recvmmsg into memory shared with JavaScript, handed over in one call per batch,
// and the replies written into the shared memory leave together with sendmmsg. Node's dgram makes
// two system calls and a call into JavaScript per datagram, which caps the server at Node's own
// UDP echo (bench/README.md). Where the addon is not built, the server uses dgram as before.
import { join } from 'node:path';
import { optionalAddon } from '../util/native-addon.js';

/** Where node-gyp leaves the addon, relative to the package root. */
export const UDP_BATCH_ADDON = join('native', 'udp-batch', 'build', 'Release', 'udp_batch.node');

interface Addon {
  /** Datagrams per batch, and bytes per datagram slot. */
  batch: number;
  slot: number;
  open(host: string, port: number, recvBuffer: number, input: Buffer, output: Buffer, meta: Int32Array, onBatch: (n: number) => void, resource: object): unknown;
  port(handle: unknown): number;
  /** 0, or a negative errno. */
  sendTo(handle: unknown, buf: Buffer, length: number, ip: number, port: number): number;
  close(handle: unknown): void;
}

const load = optionalAddon<Addon>(
  UDP_BATCH_ADDON,
  (a) => typeof a.open === 'function' && typeof a.sendTo === 'function' && typeof a.batch === 'number' && typeof a.slot === 'number',
  "the DNS server reads and answers UDP one datagram at a time through Node's dgram",
);

/** Whether the addon was built and loads here. */
export function udpBatchAvailable(): boolean {
  return load() !== null;
}

/**
 * Called for each datagram of a batch. `data` holds it at `offset` for `length` bytes (-1: it did
 * not fit a slot and was cut; nothing can be made of it); a reply of at most `room` bytes written
 * at the same offset of `out` goes to the sender when the function returns its length (0: no
 * reply now). Both buffers are reused by the next batch: whatever outlives the call must be copied.
 */
export type BatchHandler = (data: Buffer, offset: number, length: number, out: Buffer, room: number, ip: number, port: number) => number;

export class BatchUDPSocket {
  private open = true;

  private constructor(
    private readonly addon: Addon,
    private readonly handle: unknown,
    /** The bound port (the one picked when 0 was asked for). */
    readonly port: number,
    /** Batches read and datagrams in them: how much each wakeup carried. */
    readonly stats: { batches: number; datagrams: number },
  ) {}

  /**
   * Binds host:port (IPv4) and serves datagrams to `handler` until close(). Throws as Node's bind
   * does (err.code EADDRINUSE, EACCES, ...); throws ENOTSUP when the addon is not available.
   */
  static bind(host: string, port: number, recvBuffer: number, handler: BatchHandler): BatchUDPSocket {
    const addon = load();
    if (!addon) throw Object.assign(new Error(`${UDP_BATCH_ADDON} is not available`), { code: 'ENOTSUP' });
    const input = Buffer.alloc(addon.batch * addon.slot);
    const output = Buffer.alloc(addon.batch * addon.slot);
    const meta = new Int32Array(addon.batch * 4);
    const slot = addon.slot;
    const stats = { batches: 0, datagrams: 0 };
    const onBatch = (n: number) => {
      stats.batches++;
      stats.datagrams += n;
      for (let i = 0; i < n; i++) {
        const m = i * 4;
        // The handler's failure is one datagram's: the others of the batch are still answered.
        try {
          const len = handler(input, i * slot, meta[m]!, output, slot, meta[m + 1]! >>> 0, meta[m + 2]!);
          meta[m + 3] = len > 0 && len <= slot ? len : 0;
        } catch {
          meta[m + 3] = 0;
        }
      }
    };
    const resource = {};
    const handle = addon.open(host, port, recvBuffer, input, output, meta, onBatch, resource);
    return new BatchUDPSocket(addon, handle, addon.port(handle), stats);
  }

  /** A reply that was not ready within its batch (an asynchronous lookup). Errors are the client's: ignored. */
  send(buf: Buffer, ip: number, port: number): void {
    if (this.open) this.addon.sendTo(this.handle, buf, buf.length, ip, port);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.addon.close(this.handle);
  }
}
