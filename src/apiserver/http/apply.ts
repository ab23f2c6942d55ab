// Server-side apply (PATCH with application/apply-patch+yaml): the body is an applied
// configuration merged into the stored object by the field manager, or the new object when
// none is stored (apply creates). Everything after the merge — typed decoding, defaults,
// validation, hooks, dry run — is the ordinary patch path (patch.ts).
import type { KubeObject } from '../../api/meta.js';
import { applyConfiguration } from '../../machinery/fieldmanager/index.js';
import { errors } from '../../machinery/status.js';
import { fieldErr, type FieldError } from '../../machinery/field.js';
import { goJsonKind } from '../../machinery/goformat.js';
import type { Store } from '../store/store.js';
import { fieldManagerKind } from '../resources.js';
import type { RequestContext } from '../store/context.js';

export const applyPatchType = 'application/apply-patch+yaml';

/** Upstream's ValidatePatchOptions: apply needs a field manager; force is for apply only. */
export function validatePatchOptions(type: string, fieldManager: string | undefined, force: string | undefined): void {
  const errs: FieldError[] = [];
  if (type !== applyPatchType) {
    if (force !== undefined) errs.push(fieldErr.forbidden('force', 'may not be specified for non-apply patch'));
  } else if (!fieldManager) {
    errs.push(fieldErr.required('fieldManager', 'is required for apply patch'));
  }
  if (errs.length) throw errors.invalid('meta.k8s.io', 'PatchOptions', '', errs);
}

/** An apply body must be an object (upstream decodes it into a map). */
export function checkApplyBody(config: unknown): asserts config is Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw errors.badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goJsonKind(config)} into Go value of type map[string]interface {}`);
  }
}

/** The stored object (undefined: none yet) with the configuration applied by ctx's field manager. */
export function appliedObject(store: Store, ctx: RequestContext, current: KubeObject | undefined, subresource: string | undefined, config: Record<string, unknown>, force: boolean): KubeObject {
  return applyConfiguration(fieldManagerKind(store.info), current, config, {
    manager: ctx.fieldManager ?? '',
    force,
    ...(subresource ? { subresource } : {}),
  });
}
