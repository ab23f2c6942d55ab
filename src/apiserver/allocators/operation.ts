// One Service write's nodePort changes, as upstream's portallocator.PortAllocationOperation:
// allocations take effect in storage at once and are undone by finish() unless commit() ran; releases are
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

  async allocate(port: number): Promise<void> {
    if (this.dryRun) {
      // Upstream's dry run only checks for collisions, not the range.
      if (this.pa.has(port) || this.allocated.includes(port)) throw portErrors.allocated();
      this.allocated.push(port);
      return;
    }
    await this.pa.allocate(port);
    this.allocated.push(port);
  }

  async allocateNext(): Promise<number> {
    if (this.dryRun) {
      // Upstream reports placeholder values counting up from 32769 in a dry run.
      const last = this.allocated.length ? Math.max(...this.allocated) : 32768;
      this.allocated.push(last + 1);
      return last + 1;
    }
    const port = await this.pa.allocateNext();
    this.allocated.push(port);
    return port;
  }

  /** Marks `port` to be released when the operation commits. */
  releaseDeferred(port: number): void {
    this.deferred.push(port);
  }

  /** Applies the deferred releases; never rolls back afterwards. */
  async commit(): Promise<void> {
    this.shouldRollback = false;
    if (!this.dryRun && this.deferred.length) await this.pa.releaseAll(this.deferred);
  }

  /** Undoes this operation's allocations unless commit() ran. */
  async finish(): Promise<void> {
    if (!this.shouldRollback) return;
    this.shouldRollback = false;
    if (!this.dryRun && this.allocated.length) await this.pa.releaseAll(this.allocated);
  }
}
