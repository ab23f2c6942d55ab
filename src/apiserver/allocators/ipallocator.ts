// ClusterIP allocation over one IPv4 service CIDR, as upstream's ipallocator.Range: a bitmap
// over the CIDR minus its network and broadcast addresses (never allocatable, never releasable),
// with the lower band of min(max(16, size/16), 256) addresses kept for static requests.
import { AllocationBitmap, rangeOffset } from './bitmap.js';
import { ipErrors } from './errors.js';
import { formatCIDR, formatIPv4, parseIPv4, parseIPv4CIDR, type IPv4CIDR } from './ipv4.js';

const MAX_CIDR_BITS = 20;

export class ClusterIPAllocator {
  readonly cidr: IPv4CIDR;
  /** The CIDR as users see it in errors, e.g. "10.96.0.0/12". */
  readonly cidrString: string;
  private readonly bitmap: AllocationBitmap;
  /** Address of bitmap offset 0: the one after the network address. */
  private readonly first: number;

  constructor(serviceCIDR: string, random?: () => number) {
    this.cidr = parseIPv4CIDR(serviceCIDR);
    // kube-apiserver's bound on the flag (at most 20 host bits), which also bounds the bitmap.
    if (32 - this.cidr.prefix > MAX_CIDR_BITS) {
      throw new Error(`specified --service-cidr is too large; for 32-bit addresses, the mask must be >= ${32 - MAX_CIDR_BITS}`);
    }
    this.cidrString = formatCIDR(this.cidr);
    this.first = this.cidr.base + 1;
    const max = Math.max(0, this.cidr.size - 2);
    this.bitmap = new AllocationBitmap(max, rangeOffset(this.cidr.size, 16, 16, 256), random);
  }

  /** Reserves `ip`; throws the "not in the valid range" or "already allocated" error. */
  allocate(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset === undefined) throw ipErrors.notInRange(ip, this.cidrString);
    if (!this.bitmap.allocate(offset)) throw ipErrors.allocated();
  }

  /** Reserves a free address, preferring the upper band; throws "range is full". */
  allocateNext(): string {
    const offset = this.bitmap.allocateNext();
    if (offset === undefined) throw ipErrors.full();
    return formatIPv4(this.first + offset);
  }

  /** Releasing a free or out-of-range address is a no-op, as upstream. */
  release(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset !== undefined) this.bitmap.release(offset);
  }

  has(ip: string): boolean {
    const offset = this.offsetOf(ip);
    return offset !== undefined && this.bitmap.has(offset);
  }

  /** Whether `ip` is an allocatable address of this CIDR. */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  free(): number {
    return this.bitmap.free();
  }

  used(): number {
    return this.bitmap.max - this.bitmap.free();
  }

  /** Size of the lower (static) band. */
  get staticBandSize(): number {
    return this.bitmap.reserved;
  }

  forEach(fn: (ip: string) => void): void {
    this.bitmap.forEach((o) => fn(formatIPv4(this.first + o)));
  }

  /** The n-th address of the CIDR (0 is the network address), as netutils.GetIndexedIP. */
  indexedIP(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n >= this.cidr.size) {
      throw new Error(`can't generate IP with index ${n} from subnet. subnet too small. subnet: ${this.cidrString}`);
    }
    return formatIPv4(this.cidr.base + n);
  }

  /** What a dry-run dynamic allocation reports: upstream returns the CIDR's network address. */
  dryRunNext(): string {
    return formatIPv4(this.cidr.base);
  }

  /** A dry-run static allocation only checks the range, as upstream's dryRunRange. */
  dryRunAllocate(ip: string): void {
    if (this.offsetOf(ip) === undefined) throw ipErrors.notInRange(ip, this.cidrString);
  }

  private offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const offset = n - this.first;
    return offset >= 0 && offset < this.bitmap.max ? offset : undefined;
  }
}
