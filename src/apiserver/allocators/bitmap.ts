// A fixed-size allocation bitmap with upstream's KEP-3070 / KEP-3668 split: offsets below
// `reserved` form a lower band that dynamic allocation only falls back to when the upper band is
// full, so users who pick static values (the kubernetes Service at .1, kube-dns at .10, a chosen
// nodePort) rarely collide with values the allocator handed out on its own.

export class AllocationBitmap {
  private readonly words: Uint32Array;
  private count = 0;

  /**
   * @param max number of allocatable items (offsets 0..max-1)
   * @param reserved size of the lower band kept for static requests
   * @param random source of randomness in [0, 1); injectable so tests can be deterministic
   */
  constructor(
    readonly max: number,
    readonly reserved: number,
    private readonly random: () => number = Math.random,
  ) {
    this.words = new Uint32Array(Math.ceil(Math.max(max, 1) / 32));
    if (reserved < 0 || (max > 0 && reserved >= max)) this.reserved = 0;
  }

  has(offset: number): boolean {
    if (offset < 0 || offset >= this.max) return false;
    return (this.words[offset >>> 5]! & (1 << (offset & 31))) !== 0;
  }

  /** Marks `offset` taken; false if it already was. */
  allocate(offset: number): boolean {
    if (offset < 0 || offset >= this.max || this.has(offset)) return false;
    this.words[offset >>> 5]! |= 1 << (offset & 31);
    this.count++;
    return true;
  }

  /** Picks a free offset (see pickFree) and marks it taken. Undefined when everything is taken. */
  allocateNext(): number | undefined {
    if (this.count >= this.max) return undefined;
    const found = pickFree(this.max, this.reserved, (o) => !this.has(o), this.random);
    if (found !== undefined) this.allocate(found);
    return found;
  }

  release(offset: number): void {
    if (!this.has(offset)) return;
    this.words[offset >>> 5]! &= ~(1 << (offset & 31));
    this.count--;
  }

  free(): number {
    return this.max - this.count;
  }

  forEach(fn: (offset: number) => void): void {
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w]!;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        fn(w * 32 + bit);
        word &= word - 1;
      }
    }
  }

  /**
   * The bitmap as upstream's RangeAllocation.data: big.Int bytes, big-endian, bit i = offset i,
   * without leading zero bytes.
   */
  snapshot(): Buffer {
    const bytes = Buffer.alloc(Math.ceil(this.max / 8));
    this.forEach((o) => {
      bytes[bytes.length - 1 - (o >>> 3)]! |= 1 << (o & 7);
    });
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    return bytes.subarray(start);
  }

  /** Replaces the contents with a snapshot's; offsets beyond max are dropped. */
  restore(data: Buffer): void {
    this.words.fill(0);
    this.count = 0;
    for (let i = 0; i < data.length; i++) {
      const byte = data[data.length - 1 - i]!;
      for (let b = 0; b < 8; b++) if (byte & (1 << b)) this.allocate(i * 8 + b);
    }
  }
}

/**
 * Upstream's KEP-3070 scan over offsets 0..max-1: a random start in the upper band scanning
 * forward (wrapping inside the band), then the same in the lower band. Shared by the bitmap and
 * by allocators whose state lives in storage (the IPAddress objects).
 */
export function pickFree(max: number, reserved: number, isFree: (offset: number) => boolean, random: () => number = Math.random): number | undefined {
  const scan = (from: number, size: number): number | undefined => {
    if (size <= 0) return undefined;
    const start = Math.floor(random() * size);
    for (let i = 0; i < size; i++) {
      const at = from + ((start + i) % size);
      if (isFree(at)) return at;
    }
    return undefined;
  };
  return scan(reserved, max - reserved) ?? (reserved > 0 ? scan(0, reserved) : undefined);
}

/** Upstream's `min(max(min, size/step), max)` band size, 0 when the range is too small to split. */
export function rangeOffset(size: number, min: number, step: number, max: number): number {
  if (size <= min) return 0;
  const offset = Math.floor(size / step);
  if (offset < min) return min;
  if (offset > max) return max;
  return offset;
}
