// The peer's header blocks form one zlib stream per connection (SPDY/3 header compression), each
// block ending at a sync flush. One persistent inflater decodes them in order.
import zlib from 'node:zlib';
import { spdyDictionary } from './dictionary.js';

export class HeaderBlockReader {
  private readonly z = zlib.createInflate({ dictionary: spdyDictionary });
  private failed: Error | undefined;

  constructor() {
    this.z.on('error', (e) => (this.failed = e));
  }

  /** Decompresses the next block. Calls must not overlap (the session handles frames in order). */
  read(block: Buffer): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.z.write(block);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.failed) return reject(this.failed);
        // Paused mode: everything the flush produced is buffered and read() hands it over now.
        const parts: Buffer[] = [];
        for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null) parts.push(c);
        resolve(Buffer.concat(parts));
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}
