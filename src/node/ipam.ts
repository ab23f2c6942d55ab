// Pod IPs from the node's podCIDR, as the CNI host-local plugin hands them out: skipping the
// network address, the gateway (.1) and broadcast, continuing after the last address given so a
// just-freed IP is not reused at once, and persisted to a file so a restarted agent does not hand
// out an IP a live pod still has.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatIPv4, parseIPv4 as parseDottedQuad } from '../util/ipv4.js';

/** A dotted quad as a number; throws for anything else. */
export function parseIPv4(ip: string): number {
  const n = parseDottedQuad(ip);
  if (n === undefined) throw new Error(`not an IPv4 address: ${ip}`);
  return n;
}

export { formatIPv4 };

export class PodIPAllocator {
  private readonly base: number;
  private readonly size: number;
  /** ip (as number) → pod uid */
  private readonly byIP = new Map<number, string>();
  private readonly byUID = new Map<string, number>();
  private last = -1;

  /** `stateFile`: where allocations are kept across restarts (none: memory only). */
  constructor(
    readonly cidr: string,
    private readonly stateFile?: string,
  ) {
    const [addr, bitsText] = cidr.split('/');
    const bits = Number(bitsText);
    if (!addr || !Number.isInteger(bits) || bits < 1 || bits > 30) throw new Error(`pod CIDR must be an IPv4 CIDR up to /30, not ${cidr}`);
    this.size = 2 ** (32 - bits);
    this.base = parseIPv4(addr) - (parseIPv4(addr) % this.size);
    this.load();
  }

  /** The first usable address (.1) serves as the gateway, as host-local reserves it. */
  get gateway(): string {
    return formatIPv4(this.base + 1);
  }

  private usable(offset: number): boolean {
    return offset >= 2 && offset < this.size - 1;
  }

  contains(ip: string): boolean {
    try {
      const n = parseIPv4(ip);
      return n >= this.base && n < this.base + this.size;
    } catch {
      return false;
    }
  }

  /** The pod's IP, allocating one the first time; throws when the range is full. */
  allocate(uid: string): string {
    const have = this.byUID.get(uid);
    if (have !== undefined) return formatIPv4(have);
    for (let i = 1; i <= this.size; i++) {
      const offset = (this.last + i + this.size) % this.size;
      if (!this.usable(offset) || this.byIP.has(this.base + offset)) continue;
      this.assign(uid, this.base + offset);
      this.last = offset;
      this.save();
      return formatIPv4(this.base + offset);
    }
    throw new Error(`no pod IP left in ${this.cidr}: ${this.byIP.size} pods hold every address`);
  }

  /** Records an IP a pod already has (from its status); false when the IP is taken by another pod or outside the range. */
  claim(uid: string, ip: string): boolean {
    if (!this.contains(ip)) return false;
    const n = parseIPv4(ip);
    if (!this.usable(n - this.base)) return false;
    const owner = this.byIP.get(n);
    if (owner !== undefined) return owner === uid;
    const prev = this.byUID.get(uid);
    if (prev !== undefined) this.byIP.delete(prev);
    this.assign(uid, n);
    this.save();
    return true;
  }

  release(uid: string): void {
    const n = this.byUID.get(uid);
    if (n === undefined) return;
    this.byUID.delete(uid);
    this.byIP.delete(n);
    this.save();
  }

  /** Frees the IPs of every pod not in `live` (pods deleted while the agent was down). */
  retain(live: Set<string>): void {
    let changed = false;
    for (const [uid, n] of this.byUID) {
      if (live.has(uid)) continue;
      this.byUID.delete(uid);
      this.byIP.delete(n);
      changed = true;
    }
    if (changed) this.save();
  }

  /** The pods that hold an IP. */
  uids(): string[] {
    return [...this.byUID.keys()];
  }

  ipOf(uid: string): string | undefined {
    const n = this.byUID.get(uid);
    return n === undefined ? undefined : formatIPv4(n);
  }

  get allocated(): number {
    return this.byUID.size;
  }

  private assign(uid: string, n: number): void {
    this.byIP.set(n, uid);
    this.byUID.set(uid, n);
  }

  private load(): void {
    if (!this.stateFile) return;
    let state: { cidr?: string; last?: number; pods?: Record<string, string> };
    try {
      state = JSON.parse(readFileSync(this.stateFile, 'utf8'));
    } catch {
      return;
    }
    // A node whose podCIDR changed starts over; its old pods' IPs mean nothing here.
    if (state.cidr !== this.cidr) return;
    for (const [uid, ip] of Object.entries(state.pods ?? {})) {
      if (this.contains(ip)) this.assign(uid, parseIPv4(ip));
    }
    if (typeof state.last === 'number') this.last = state.last;
  }

  private save(): void {
    if (!this.stateFile) return;
    const pods: Record<string, string> = {};
    for (const [uid, n] of this.byUID) pods[uid] = formatIPv4(n);
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ cidr: this.cidr, last: this.last, pods }) + '\n');
    renameSync(tmp, this.stateFile);
  }
}
