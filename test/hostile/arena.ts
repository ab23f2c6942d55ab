// Runs hostile cases one after another against one cluster, and starts a fresh cluster when a
// case killed the last one — so one crash is reported as that case's failure, not as every later
// case's.
import { StoreChanged, assertAlive, startTarget, type Target } from './fixture.js';

export class Arena {
  private current: Target | undefined;
  private dirty = false;
  private restarts = 0;
  /** Cases after which kubesvc was found dead. */
  readonly killers: string[] = [];

  /** `maxRestarts` bounds the time a server that dies on every case can cost. */
  constructor(private readonly maxRestarts = 40) {}

  /** The cluster cases run against now, if any. */
  get now(): Target | undefined {
    return this.current;
  }

  private starting: Promise<Target> | undefined;

  /** The live cluster; concurrent callers that find it dead share one replacement. */
  target(): Promise<Target> {
    const alive = this.current && this.current.cluster.proc.exitCode === null && this.current.cluster.proc.signalCode === null;
    if (this.current && alive && !this.dirty) return Promise.resolve(this.current);
    this.starting ??= this.replace().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async replace(): Promise<Target> {
    if (this.current) {
      if (this.restarts >= this.maxRestarts) {
        throw new Error(`kubesvc is down and ${this.maxRestarts} restarts are spent; it died after: ${this.killers.join('; ')}`);
      }
      this.restarts++;
      const old = this.current;
      this.current = undefined;
      await old.close();
    }
    this.dirty = false;
    this.current = await startTarget();
    return this.current;
  }

  /** Runs `fn` (a fresh cluster if the last one died or was changed), then fails if kubesvc died or stopped answering /readyz (waiting `settleMs` for a late crash). */
  async run<T>(name: string, fn: (t: Target) => Promise<T>, settleMs = 150): Promise<T> {
    const t = await this.target();
    let out: T;
    try {
      out = await fn(t);
    } catch (e) {
      // A case that changed the store leaves a cluster later cases cannot be judged against.
      if (e instanceof StoreChanged) this.dirty = true;
      throw e;
    }
    await new Promise((r) => setTimeout(r, settleMs));
    try {
      await assertAlive(t, name);
    } catch (e) {
      this.killers.push(name);
      throw e;
    }
    return out;
  }

  /** The next case gets a fresh cluster. */
  markDirty(): void {
    this.dirty = true;
  }

  async close(): Promise<void> {
    await this.current?.close();
    this.current = undefined;
  }
}
