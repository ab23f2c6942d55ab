// Which Service holds which LoadBalancer IP (MetalLB's IPAM, in memory). The API server stores
// the truth — each Service's status.loadBalancer.ingress — and the controller rebuilds this
// table from it at start, before it allocates anything, so an address is never handed out twice.
import { formatIPv4, parseIPv4, poolContains, type LBPool } from './pool.js';

export type AllocationFailure = 'NotInPool' | 'InUse' | 'PoolExhausted' | 'InvalidIP';

export class AllocationError extends Error {
  constructor(
    readonly reason: AllocationFailure,
    message: string,
    /** For InUse: the Service key holding the address. */
    readonly holder?: string,
  ) {
    super(message);
    this.name = 'AllocationError';
  }
}

export class LBIPAllocator {
  private readonly byIP = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  constructor(readonly pool: LBPool) {}

  /** The IP the Service holds, if any. */
  assigned(key: string): string | undefined {
    return this.byKey.get(key);
  }

  holder(ip: string): string | undefined {
    return this.byIP.get(ip);
  }

  get used(): number {
    return this.byIP.size;
  }

  /** Gives `ip` to `key` (releasing what it held), or throws when it cannot. */
  assign(key: string, ip: string): string {
    if (parseIPv4(ip) === undefined) throw new AllocationError('InvalidIP', `${JSON.stringify(ip)} is not a valid IPv4 address`);
    const canonical = formatIPv4(parseIPv4(ip)!);
    if (!poolContains(this.pool, canonical)) {
      throw new AllocationError('NotInPool', `requested IP ${canonical} is not in the LoadBalancer pool ${this.pool.text}`);
    }
    const holder = this.byIP.get(canonical);
    if (holder !== undefined && holder !== key) {
      throw new AllocationError('InUse', `requested IP ${canonical} is already in use by Service ${holder}`, holder);
    }
    this.release(key);
    this.byIP.set(canonical, key);
    this.byKey.set(key, canonical);
    return canonical;
  }

  /** The lowest free address of the pool for `key` (its current one if it has one). */
  allocateNext(key: string): string {
    const current = this.byKey.get(key);
    if (current) return current;
    for (const r of this.pool.ranges) {
      for (let n = r.first; n <= r.last; n++) {
        const ip = formatIPv4(n);
        if (this.byIP.has(ip)) continue;
        this.byIP.set(ip, key);
        this.byKey.set(key, ip);
        return ip;
      }
    }
    throw new AllocationError(
      'PoolExhausted',
      `no available IPs in the LoadBalancer pool ${this.pool.text} (all ${this.pool.size} addresses are in use)`,
    );
  }

  /** Frees what `key` holds; returns the freed IP. */
  release(key: string): string | undefined {
    const ip = this.byKey.get(key);
    if (ip === undefined) return undefined;
    this.byKey.delete(key);
    this.byIP.delete(ip);
    return ip;
  }
}
