// Runs hostile cases one after another against one cluster, and starts a fresh cluster when a
// case killed the last one — so one crash is reported as that case's failure, not as every later
// case's.
import { StoreChanged, assertAlive, startTarget, type Target } from './fixture.js';

export class Arena {
  private current: Target | undefined;
  private dirty = false;
  /** Cases after which kubesvc was found dead. */
  readonly killers: string[] = [];

  async target(): Promise<Target> {
    const alive = this.current && this.current.cluster.proc.exitCode === null && this.current.cluster.proc.signalCode === null;
    if (this.current && alive && !this.dirty) return this.current;
    if (this.current) await this.current.close();
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

  async close(): Promise<void> {
    await this.current?.close();
    this.current = undefined;
  }
}
