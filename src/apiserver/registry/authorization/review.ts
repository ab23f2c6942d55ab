// What the access reviews share: reading a posted spec defensively (these kinds have no typed
// schema here, so a wrong type is refused as Go's decoder would, with a 400), turning its
// attributes into the authorizer's, and the answer's shape (the body echoed with a status).
import type { AccessReview, NonResourceAttributes, ResourceAttributes } from '../../../api/authorization.js';
import type { KubeObject } from '../../../api/meta.js';
import { errors } from '../../../machinery/status.js';
import type { RequestAttributes } from '../../auth/request-info.js';
import { resourceInfo, type ResourceInfo } from '../../resources.js';
import type { FieldError } from '../../../machinery/field.js';
import type { UserInfo } from '../../auth/user.js';
import type { RequestContext } from '../../store/context.js';
import { entry, type RegistryEntry, type Strategy } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

const goKind = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v);

/** Fails with Go's unmarshal error unless every named field of `obj` is absent or of its type. */
export function checkTypes(kind: string, struct: string, path: string, obj: unknown, fields: Record<string, 'string' | 'string[]' | 'object'>): void {
  if (obj === undefined || obj === null) return;
  const bad = (field: string, v: unknown, type: string) =>
    errors.badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${goKind(v)} into Go struct field ${struct}.${path}${field} of type ${type}`);
  if (typeof obj !== 'object' || Array.isArray(obj)) throw bad('', obj, `v1.${struct}`);
  for (const [f, t] of Object.entries(fields)) {
    const v = (obj as Record<string, unknown>)[f];
    if (v === undefined || v === null) continue;
    if (t === 'string' && typeof v !== 'string') throw bad(f, v, 'string');
    if (t === 'object' && (typeof v !== 'object' || Array.isArray(v))) throw bad(f, v, `v1.${f}`);
    if (t === 'string[]' && (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))) throw bad(f, v, '[]string');
  }
}

const attributeFields = { namespace: 'string', verb: 'string', group: 'string', version: 'string', resource: 'string', subresource: 'string', name: 'string' } as const;

/** Checks spec's attribute types; `kind`'s spec struct is named `struct`. */
export function checkAttributeTypes(kind: string, struct: string, r: AccessReview): void {
  checkTypes(kind, kind, '', r, { spec: 'object' });
  checkTypes(kind, struct, 'spec.', r.spec, { resourceAttributes: 'object', nonResourceAttributes: 'object', user: 'string', groups: 'string[]', uid: 'string', extra: 'object' });
  checkTypes(kind, 'ResourceAttributes', 'spec.resourceAttributes.', r.spec?.resourceAttributes, attributeFields);
  checkTypes(kind, 'NonResourceAttributes', 'spec.nonResourceAttributes.', r.spec?.nonResourceAttributes, { path: 'string', verb: 'string' });
}

/** The authorizer's attributes for a review's spec (upstream's ResourceAttributesFrom / NonResourceAttributesFrom). */
export function attributesOf(spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }): RequestAttributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      isResourceRequest: true,
      path: '',
      verb: r.verb ?? '',
      apiGroup: r.group ?? '',
      apiVersion: r.version ?? '',
      namespace: r.namespace ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { isResourceRequest: false, path: n.path ?? '', verb: n.verb ?? '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
}

/** The posted object with the server's answer; metadata as Go prints an unstored object's. */
export function answer<T extends KubeObject>(posted: T, status: unknown): T {
  return { ...posted, metadata: { ...posted.metadata, creationTimestamp: null as unknown as string }, status } as T;
}

/** A create-only kind, cluster-scoped unless said otherwise. */
export function reviewInfo(group: string, resource: string, kind: string, namespaced = false): ResourceInfo {
  return resourceInfo({ group, version: 'v1', resource, kind, namespaced, verbs: ['create'] });
}

/** Nothing is stored, so nothing is validated on the store's path; the review validates itself. */
export const reviewStrategy: Strategy<KubeObject> = {
  defaults: noDefaults,
  validateCreate: () => [],
  validateUpdate: () => [],
  validateStatusUpdate: metaOnlyStatusUpdate,
};

/**
 * A "may … do this?" review (SelfSubjectAccessReview, SubjectAccessReview): the spec's types and
 * upstream's validation checked, then the authorizer asked about the subject `subject` names.
 */
export function accessReviewEntry(
  kind: string,
  resource: string,
  validate: (r: AccessReview) => FieldError[],
  subject: (ctx: RequestContext, r: AccessReview) => UserInfo | undefined,
  namespaced = false,
): RegistryEntry {
  return entry<AccessReview>({
    info: reviewInfo('authorization.k8s.io', resource, kind, namespaced),
    strategy: reviewStrategy,
    review: (deps) => (ctx, obj) => {
      const r = obj as AccessReview;
      checkAttributeTypes(kind, `${kind}Spec`, r);
      const errs = validate(r);
      if (errs.length) throw errors.invalid('authorization.k8s.io', kind, r.metadata.name ?? '', errs);
      const user = subject(ctx, r);
      if (!user || !deps.authorizer) throw errors.badRequest('no user present on request');
      // Upstream's SubjectAccessReviewStatus: the reason only when there is one.
      const d = deps.authorizer.decide(user, attributesOf(r.spec ?? {}));
      return answer(r, d.reason ? { allowed: d.allowed, reason: d.reason } : { allowed: d.allowed });
    },
  });
}
