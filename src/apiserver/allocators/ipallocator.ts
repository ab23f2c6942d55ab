// ClusterIP allocation over one IPv4 service CIDR as upstream 1.33 does it (KEP-1880): an address
// is allocated by creating the IPAddress object named after it, released by deleting it. Storage
// lets only the first create of a name succeed, so API servers sharing etcd never hand out one
// address twice; the watch cache of IPAddresses only steers the search for a free one. Network and
// broadcast addresses are never allocatable; the lower band of min(max(16, size/16), 256)
// addresses is kept for static requests (KEP-3070).
import { pickFree, rangeOffset } from './bitmap.js';
import { ipErrors } from './errors.js';
import { formatCIDR, formatIPv4, indexedIP, parseIPv4, parseIPv4CIDR, type IPv4CIDR } from './ipv4.js';
import { ipAllocatorManager, ipFamilyLabel, managedByLabel, type IPAddress, type ParentReference } from '../../api/validation/service-cidr.js';
import { StatusError } from '../../machinery/status.js';
import { newContext } from '../store/context.js';
import { objectKey } from '../resources.js';
import type { Store } from '../store/store.js';
import { everything } from '../store/selectors.js';

const MAX_CIDR_BITS = 20;
/** How many taken addresses one allocateNext tries before answering "range is full". */
const MAX_ATTEMPTS = 64;

export class ClusterIPAllocator {
  readonly cidr: IPv4CIDR;
  /** The CIDR as users see it in errors, e.g. "10.96.0.0/12". */
  readonly cidrString: string;
  /** Address of offset 0: the one after the network address. */
  private readonly first: number;
  private readonly max: number;
  private readonly reserved: number;

  /** @param ipaddresses the IPAddress store, resolved on first use (the server builds it after the allocator) */
  constructor(
    serviceCIDR: string,
    private readonly ipaddresses: () => Store,
    private readonly random: () => number = Math.random,
  ) {
    this.cidr = parseIPv4CIDR(serviceCIDR);
    // kube-apiserver's bound on the flag (at most 20 host bits).
    if (32 - this.cidr.prefix > MAX_CIDR_BITS) {
      throw new Error(`specified --service-cidr is too large; for 32-bit addresses, the mask must be >= ${32 - MAX_CIDR_BITS}`);
    }
    this.cidrString = formatCIDR(this.cidr);
    this.first = this.cidr.base + 1;
    this.max = Math.max(0, this.cidr.size - 2);
    this.reserved = rangeOffset(this.cidr.size, 16, 16, 256);
  }

  /** Reserves `ip` for `parent`; throws the "not in the valid range" or "already allocated" error. */
  async allocate(ip: string, parent: ParentReference): Promise<void> {
    if (this.offsetOf(ip) === undefined) throw ipErrors.notInRange(ip, this.cidrString);
    if (!(await this.create(ip, parent))) throw ipErrors.allocated();
  }

  /** Reserves a free address, preferring the upper band; throws "range is full". */
  async allocateNext(parent: ParentReference): Promise<string> {
    const tried = new Set<number>();
    let synced = false;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const offset = pickFree(this.max, this.reserved, (o) => !tried.has(o) && !this.cached(formatIPv4(this.first + o)), this.random);
      if (offset === undefined) {
        // The cache may still hold addresses released a moment ago: only a current one says "full".
        if (synced) break;
        await this.sync();
        synced = true;
        continue;
      }
      const ip = formatIPv4(this.first + offset);
      if (await this.create(ip, parent)) return ip;
      // Taken since the cache last heard (a write of ours not yet seen, or another API server's):
      // bring the cache up to date and pick again.
      tried.add(offset);
      await this.sync();
      synced = true;
    }
    throw ipErrors.full();
  }

  /** Releasing a free or out-of-range address is a no-op, as upstream. */
  async release(ip: string): Promise<void> {
    if (this.offsetOf(ip) === undefined) return;
    try {
      await this.ipaddresses().delete(newContext(), undefined, ip, {});
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  /** Whether `ip` is allocated (an IPAddress exists for it), as of now. */
  async has(ip: string): Promise<boolean> {
    return (await this.ipaddresses().find(undefined, ip)) !== undefined;
  }

  /** How many addresses of this CIDR are allocated, as of now. */
  async used(): Promise<number> {
    const { items } = await this.ipaddresses().list(undefined, { matcher: everything });
    return items.filter((i) => this.offsetOf(i.obj.metadata.name ?? '') !== undefined).length;
  }

  /** The IPAddress of `ip` as this server's cache has it (the repair loop, which lists first). */
  find(ip: string): IPAddress | undefined {
    const s = this.ipaddresses();
    return s.cache.objects.get(objectKey(s.info, undefined, ip))?.obj as IPAddress | undefined;
  }

  private cached(ip: string): boolean {
    const s = this.ipaddresses();
    return s.cache.objects.has(objectKey(s.info, undefined, ip));
  }

  /** Brings the cache up to every write acknowledged so far. */
  private async sync(): Promise<void> {
    await this.ipaddresses().find(undefined, '');
  }

  /** Whether `ip` is an allocatable address of this CIDR. */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  /** Size of the lower (static) band. */
  get staticBandSize(): number {
    return this.reserved;
  }

  /** The n-th address of the CIDR (0 is the network address), as netutils.GetIndexedIP. */
  indexedIP(n: number): string {
    return indexedIP(this.cidrString, n);
  }

  /** What a dry-run dynamic allocation reports: upstream returns the CIDR's network address. */
  dryRunNext(): string {
    return formatIPv4(this.cidr.base);
  }

  /** A dry-run static allocation only checks the range, as upstream's dryRunRange. */
  dryRunAllocate(ip: string): void {
    if (this.offsetOf(ip) === undefined) throw ipErrors.notInRange(ip, this.cidrString);
  }

  /** Creates the IPAddress; false when it exists already (someone else holds the address). */
  private async create(ip: string, parent: ParentReference): Promise<boolean> {
    const obj: IPAddress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name: ip, labels: { [ipFamilyLabel]: 'IPv4', [managedByLabel]: ipAllocatorManager } },
      spec: { parentRef: { group: '', resource: 'services', ...parent } },
    };
    try {
      await this.ipaddresses().create(newContext({ fieldManager: 'kube-apiserver' }), obj);
      return true;
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) return false;
      throw e;
    }
  }

  private offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const offset = n - this.first;
    return offset >= 0 && offset < this.max ? offset : undefined;
  }
}
