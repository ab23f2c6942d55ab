// fieldValidation=Strict|Warn|Ignore: unknown fields in a body are an error, a warning, or
// nothing, as the apiserver's strict decoder reports them.
import type { KubeObject } from '../../api/meta.js';
import { unknownFields, unknownFieldMessage, strictDecodingMessage } from '../../api/schema/index.js';
import { errors } from '../../machinery/status.js';
import type { ResourceInfo } from '../resources.js';
import type { RequestContext } from '../store/context.js';

export function checkFields(info: ResourceInfo, obj: KubeObject, ctx: RequestContext): void {
  if (ctx.fieldValidation === 'Ignore') return;
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const unknown = info.unknownFields ? info.unknownFields(obj) : unknownFields(gvk, obj);
  if (!unknown.length) return;
  if (ctx.fieldValidation === 'Strict') throw errors.badRequest(strictDecodingMessage(gvk, unknown));
  for (const p of unknown) ctx.warnings.push(unknownFieldMessage(p));
}
