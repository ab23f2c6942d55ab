// StatusError checks the endpoint and LoadBalancer controllers branch on (apierrors.IsNotFound
// and friends, HasStatusCause for a terminating namespace).
import { StatusError } from '../../../machinery/status.js';

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409;
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

/** Creates in a terminating namespace keep failing; controllers drop the key instead of retrying. */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof StatusError && !!e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}
