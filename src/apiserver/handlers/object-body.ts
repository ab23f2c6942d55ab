// A create or update body, from decoded JSON/YAML to the object the store gets: the kind it
// names, typed decoding against the kind's schema (as Go's decoder: 400 on a wrong type), unknown
// fields per fieldValidation, metadata an object.
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import type { ResourceInfo } from '../resources.js';
import type { RequestContext } from '../store/context.js';
import { checkFields } from '../http/field-validation.js';
import { checkKind } from '../http/kind-check.js';
import { checkTypeMetaTypes, decodeRequestObject, gvkOf } from '../http/typed-body.js';

/** `raw` is the body as sent (its text appears in some of upstream's messages). */
export function decodeObjectBody(info: ResourceInfo, value: unknown, raw: Buffer | string, ctx: RequestContext): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest(`Object 'Kind' is missing in '${raw.toString().slice(0, 200)}'`);
  }
  checkTypeMetaTypes(gvkOf(info), value as Record<string, unknown>, raw);
  checkKind(info, value as KubeObject);
  const obj = decodeRequestObject(gvkOf(info), value as Record<string, unknown>, raw);
  checkFields(info, obj, ctx);
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw errors.badRequest('metadata must be an object');
  }
  return obj;
}
