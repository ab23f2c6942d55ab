// A body's apiVersion and kind, when given, must name the resource the request is about.
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';

export function checkKind(info: ResourceInfo, obj: KubeObject): void {
  const want = apiVersionOf(info);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw errors.badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${info.kind})`);
  }
}
