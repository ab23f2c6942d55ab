// What a registry call needs to know about the request that caused it.
import type { UserInfo } from '../auth/user.js';
import { metaTime } from '../../machinery/time.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  /** Namespace from the URL; undefined for cluster-scoped resources and all-namespace lists. */
  namespace?: string;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings to send back in `Warning` headers. */
  warnings: string[];
  /** The authenticated user, for logs and events. */
  user?: string;
  /** Who the request acts as (after impersonation), for checks that depend on the user (RBAC escalation); absent in-process. */
  userInfo?: UserInfo;
  /** Who this write is recorded for in managedFields: the fieldManager parameter, else from the user agent. */
  fieldManager?: string;
  /** Set by server-side apply: the written object's managedFields are the apply's result already. */
  applied?: boolean;
  /** A subresource that writes the main object (scale): managedFields record the write under its name. */
  viaSubresource?: string;
}

export function newContext(p: Partial<RequestContext> = {}): RequestContext {
  return { dryRun: false, fieldValidation: 'Warn', warnings: [], ...p };
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function nowTimestamp(d = new Date()): string {
  return metaTime(d);
}
