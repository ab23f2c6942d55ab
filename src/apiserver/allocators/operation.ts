// One Service write's nodePort changes, as upstream's portallocator.PortAllocationOperation:
// allocations take effect at once and are undone by finish() unless commit() ran; releases are
// deferred to commit(), so a failed write never frees a port the stored object still holds.
import { portErrors } from './errors.js';
import type { PortAllocator } from './portallocator.js';

export class PortAllocationOperation {
  private readonly allocated: number[] = [];
  private readonly deferred: number[] = [];
  private shouldRollback = true;

  constructor(
    private readonly pa: PortAllocator,
    private readonly dryRun: boolean,
  ) {}

  allocate(port: number): void {
    if (this.dryRun) {
      // Upstream's dry run only checks for collisions, not the range.
      if (this.pa.has(port) || this.allocated.includes(port)) throw portErrors.allocated();
      this.allocated.push(port);
      return;
    }
    this.pa.allocate(port);
    this.allocated.push(port);
  }

  allocateNext(): number {
    if (this.dryRun) {
      // Upstream reports placeholder values counting up from 32769 in a dry run.
      const last = this.allocated.length ? Math.max(...this.allocated) : 32768;
      this.allocated.push(last + 1);
      return last + 1;
    }
    const port = this.pa.allocateNext();
    this.allocated.push(port);
    return port;
  }

  /** Marks `port` to be released when the operation commits. */
  releaseDeferred(port: number): void {
    this.deferred.push(port);
  }

  /** Applies the deferred releases; never rolls back afterwards. */
  commit(): void {
    if (!this.dryRun) for (const p of this.deferred) this.pa.release(p);
    this.shouldRollback = false;
  }

  /** Undoes this operation's allocations unless commit() ran. */
  finish(): void {
    if (!this.shouldRollback) return;
    if (!this.dryRun) for (const p of this.allocated) this.pa.release(p);
    this.shouldRollback = false;
  }
}
