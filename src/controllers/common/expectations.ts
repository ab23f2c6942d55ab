// ControllerExpectations (UIDTrackingControllerExpectations upstream): what a controller has asked
// the API server to create or delete and not yet seen in its informer. While expectations are
// pending, sync does not act again on a stale cache, which is what keeps it from double-creating.
// Expectations expire after 5 minutes so a lost watch event cannot block a controller forever.

export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** Keys of pods we asked to delete and have not yet seen go (deletions are tracked by key, so each is counted once). */
  deleteKeys: Set<string>;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when nothing is pending (or the record expired): sync may create or delete again. */
  satisfiedExpectations(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > expectationsTimeoutMs;
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, []);
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.setExpectations(key, 0, podKeys);
  }

  /** Both at once (the DaemonSet controller creates and deletes in one sync). */
  setExpectations(key: string, adds: number, podKeys: string[]): void {
    const deleteKeys = new Set(podKeys);
    this.store.set(key, { add: adds, del: deleteKeys.size, deleteKeys, timestamp: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.store.get(key);
    if (e && e.deleteKeys.delete(podKey)) e.del--;
  }

  deleteExpectations(key: string): void {
    this.store.delete(key);
  }

  /** For tests and logs. */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.store.get(key);
    return e && { add: e.add, del: e.del };
  }
}
