// Pieces strategies share, as upstream's strategies repeat them per kind: what a kind without a
// status of its own validates on /status, the status an update of the main resource keeps, and
// metadata.generation counting spec changes.
import type { KubeObject } from '../../api/meta.js';
import { validateObjectMetaUpdate } from '../../api/validation/objectmeta.js';
import { Path, type FieldError } from '../../machinery/field.js';
import { deepEqual } from '../store/deep-equal.js';

export const noDefaults = (): void => {};

/** Kinds without a status subresource of their own still get the metadata rules there. */
export function metaOnlyStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata'));
}

/**
 * Upstream defaults every decoded body, status writes included (LoadBalancer ingress gets ipMode
 * VIP). Validating a defaulted copy gives the same verdict when a caller skipped that.
 */
export function withDefaults<T extends KubeObject>(defaults: (o: T) => void, validate: (o: T, old: T) => FieldError[]) {
  return (obj: T, old: T): FieldError[] => {
    const copy = structuredClone(obj);
    defaults(copy);
    return validate(copy, old);
  };
}

/** An update of the main resource leaves status as stored (it changes through /status only). */
export function keepStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = structuredClone(old.status);
}

function specOf(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** metadata.generation starts at 1 ... */
export function startGeneration(obj: KubeObject): void {
  obj.metadata.generation = 1;
}

/** ... and counts changes to everything but metadata and status (the apps kinds' PrepareForUpdate). */
export function bumpGeneration(obj: KubeObject, old: KubeObject): void {
  obj.metadata.generation = old.metadata.generation ?? 1;
  if (!deepEqual(specOf(obj), specOf(old))) obj.metadata.generation += 1;
}
