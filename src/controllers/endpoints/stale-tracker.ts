// Upstream's staleEndpointsTracker: after this controller updates an Endpoints object, the
// resourceVersion it replaced must not be acted on again — if the cache still shows it, the
// cache is behind our own write, and a sync from it could undo that write.
import type { Endpoints } from '../../api/core.js';

export class StaleEndpointsTracker {
  private readonly replaced = new Map<string, string>();

  private static key(ep: Endpoints): string {
    return `${ep.metadata.namespace ?? ''}/${ep.metadata.name ?? ''}`;
  }

  /** Marks this version as replaced by our update. */
  stale(ep: Endpoints): void {
    if (ep.metadata.resourceVersion) this.replaced.set(StaleEndpointsTracker.key(ep), ep.metadata.resourceVersion);
  }

  isStale(ep: Endpoints): boolean {
    const rv = this.replaced.get(StaleEndpointsTracker.key(ep));
    return rv !== undefined && rv === ep.metadata.resourceVersion;
  }

  delete(namespace: string, name: string): void {
    this.replaced.delete(`${namespace}/${name}`);
  }
}
