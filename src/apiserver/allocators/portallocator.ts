// NodePort allocation over a port range, as upstream's portallocator.PortAllocator, with the
// lower band of min(max(16, size/32), 128) ports kept for static requests (KEP-3668).
import { AllocationBitmap, rangeOffset } from './bitmap.js';
import { portErrors } from './errors.js';

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

export class PortAllocator {
  readonly range: PortRange;
  readonly rangeString: string;
  private readonly bitmap: AllocationBitmap;

  constructor(range: PortRange, random?: () => number) {
    this.range = { ...range };
    this.rangeString = formatPortRange(range);
    this.bitmap = new AllocationBitmap(range.size, rangeOffset(range.size, 16, 32, 128), random);
  }

  allocate(port: number): void {
    if (!this.contains(port)) throw portErrors.notInRange(this.rangeString);
    if (!this.bitmap.allocate(port - this.range.base)) throw portErrors.allocated();
  }

  allocateNext(): number {
    const offset = this.bitmap.allocateNext();
    if (offset === undefined) throw portErrors.full();
    return this.range.base + offset;
  }

  release(port: number): void {
    if (this.contains(port)) this.bitmap.release(port - this.range.base);
  }

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
}
