// EndpointSet (upstream's endpointslice/util): desired endpoints keyed by what identifies an
// endpoint — its addresses, hostname and target pod — so an endpoint whose conditions, node or
// zone changed is recognised and updated in place inside the slice that already holds it.
// Iteration follows insertion order, which keeps plans deterministic.
import type { Endpoint } from '../../api/discovery.js';
import type { ObjectReference } from '../../api/core.js';

export function endpointHash(ep: Endpoint): string {
  return JSON.stringify([[...(ep.addresses ?? [])].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

export class EndpointSet {
  private readonly items = new Map<string, Endpoint>();

  insert(ep: Endpoint): void {
    this.items.set(endpointHash(ep), ep);
  }

  get(ep: Endpoint): Endpoint | undefined {
    return this.items.get(endpointHash(ep));
  }

  delete(ep: Endpoint): void {
    this.items.delete(endpointHash(ep));
  }

  /** Removes and returns the oldest entry. */
  popAny(): Endpoint | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    this.items.delete(first.value[0]);
    return first.value[1];
  }

  get size(): number {
    return this.items.size;
  }

  values(): Endpoint[] {
    return [...this.items.values()];
  }
}

function refWithoutVersion(r: ObjectReference | undefined): string {
  if (!r) return '';
  return JSON.stringify([r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? '', r.fieldPath ?? '']);
}

/**
 * EndpointsEqualBeyondHash: equal in everything the hash leaves out (node, zone, conditions,
 * target uid), ignoring the target's resourceVersion so pod writes alone cause no slice writes.
 */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return (
    (a.nodeName ?? null) === (b.nodeName ?? null) &&
    (a.zone ?? null) === (b.zone ?? null) &&
    (a.conditions?.ready ?? null) === (b.conditions?.ready ?? null) &&
    (a.conditions?.serving ?? null) === (b.conditions?.serving ?? null) &&
    (a.conditions?.terminating ?? null) === (b.conditions?.terminating ?? null) &&
    refWithoutVersion(a.targetRef) === refWithoutVersion(b.targetRef)
  );
}
