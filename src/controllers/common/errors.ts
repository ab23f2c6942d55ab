// StatusError checks controllers branch on (apierrors.IsNotFound and friends), in one place for
// every controller and the scheduler; the basic ones are the machinery's own.
import { StatusError } from '../../machinery/status.js';

export { isConflict, isNotFound } from '../../machinery/status.js';

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

/** apierrors.HasStatusCause(err, NamespaceTerminatingCause): a create refused because its namespace is going. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof StatusError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
