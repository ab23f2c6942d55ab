// The strategy contract the generic store calls (upstream's rest.RESTCreateStrategy,
// RESTUpdateStrategy and the status strategies); each registry entry supplies one.
import type { KubeObject } from '../../api/meta.js';
import type { FieldError } from '../../machinery/field.js';

/**
 * Upstream's RESTCreateStrategy / RESTUpdateStrategy / status strategy for one kind. The generic
 * store calls, on create: defaults, prepareForCreate, validateCreate; on update of the main
 * resource: prepareForUpdate, defaults, validateUpdate; on a /status write: defaults,
 * validateStatusUpdate (spec and metadata are kept from the stored object by the store itself).
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** upstream's SetDefaults_* for the served version, applied in place on every write */
  defaults(obj: T): void;
  /** Resets what clients may not set on create (status, generation). */
  prepareForCreate?(obj: T): void;
  /** Carries over what an update of the main resource may not change (status) and bumps generation. */
  prepareForUpdate?(obj: T, old: T): void;
  validateCreate(obj: T): FieldError[];
  validateUpdate(obj: T, old: T): FieldError[];
  /** the /status subresource update (and the other status-writing subresources, e.g. CSR /approval) */
  validateStatusUpdate(obj: T, old: T): FieldError[];
  /**
   * What a status-writing subresource may change beyond the generic rule (spec kept, status taken):
   * e.g. a CSR's /status keeps the approval conditions and its /approval keeps the certificate.
   */
  prepareForStatusUpdate?(obj: T, old: T, subresource: string): void;
  /**
   * upstream's AllowUnconditionalUpdate (absent = true, as for most built-in kinds): whether a PUT
   * without metadata.resourceVersion updates whatever is stored instead of being refused.
   */
  allowUnconditionalUpdate?: boolean;
  /** upstream's WarningsOnCreate / WarningsOnUpdate: sent back in `Warning` headers */
  warningsOnCreate?(obj: T): string[];
  warningsOnUpdate?(obj: T, old: T): string[];
}
