// StatusError checks controllers branch on (apierrors.IsNotFound and friends).
import { StatusError } from '../../machinery/status.js';

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409;
}

/** apierrors.HasStatusCause(err, NamespaceTerminatingCause): a create refused because its namespace is going. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof StatusError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
