// A C heap as a crowd of dead TLS sessions leaves it, for the malloc_trim test and benchmark:
// `mib` MiB of 4 KiB buffers, each written so its pages are resident. Node allocates each one's
// memory with malloc (below glibc's mmap threshold: from an arena); all but one in `keepOneIn` are
// then freed, so the free chunks lie between live allocations, where glibc's own trimming (only
// at the top of an arena) never reaches.
import { collectGarbage } from '../../../src/util/release-memory.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const rssMiB = () => process.memoryUsage.rss() / 1048576;

/** Returns the buffers kept alive (byte values: their index in the fill, mod 256) and the RSS at the peak. */
export async function leaveFreedChunks(mib: number, keepOneIn: number): Promise<{ live: Buffer[]; peak: number }> {
  let crowd: Buffer[] = [];
  for (let i = 0; i < mib * 256; i++) crowd.push(Buffer.allocUnsafeSlow(4096).fill(i & 0xff));
  const live = crowd.filter((_, i) => i % keepOneIn === 0);
  const peak = rssMiB();
  crowd = [];
  // Backing stores are freed when V8 collects their buffers; the second collection and the pauses
  // let the concurrent sweeper finish freeing them.
  collectGarbage();
  await sleep(200);
  collectGarbage();
  await sleep(200);
  return { live, peak };
}
