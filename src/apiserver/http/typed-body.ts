// Typed decoding at the HTTP boundary: every create and update body, and the result of every
// patch, is decoded against the kind's schema types before anything else sees it, and a wrong
// type gets the Status upstream's handlers give:
// - create/update: 400 BadRequest, `Service in version "v1" cannot be handled as a Service: json:
//   cannot unmarshal ...` (transformDecodeError in the apiserver's create and update handlers);
// - patch: 422 Invalid on the field `patch`, whose value is the patched object's JSON (JSON and
//   merge patches) or the patch as Go prints a map (strategic merge patch), as the patch handler's
//   applyPatchToCurrentObject and applyPatchToObject build it.
import type { KubeObject } from '../../api/meta.js';
import { decodeTyped, type GroupVersionKind } from '../../api/schema/index.js';
import { errorBody, fieldErr } from '../../machinery/field.js';
import { goV } from '../../machinery/goformat.js';
import { errors, StatusError } from '../../machinery/status.js';
import type { ResourceInfo } from '../resources.js';

export const scaleGVK: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export function gvkOf(info: ResourceInfo): GroupVersionKind {
  return { group: info.group, version: info.version, kind: info.kind };
}

type Obj = Record<string, unknown>;

/**
 * Decodes a create or update body of kind `gvk`; `raw` is the body as sent (upstream quotes its
 * first 30 bytes when it cannot even read apiVersion and kind).
 */
export function decodeRequestObject(gvk: GroupVersionKind, obj: Obj, raw: Buffer | string): KubeObject {
  checkTypeMetaTypes(gvk, obj, raw);
  const r = decodeTyped(gvk, obj, 'json');
  if (r.error === undefined) return r.value as KubeObject;
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : gvk.kind;
  const version = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1) : gvk.version;
  throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${gvk.kind}: ${r.error}`);
}

/**
 * The serializer reads apiVersion and kind on their own before anything else (runtime's
 * SimpleMetaFactory), so a non-string there is answered before the kind is compared or decoded.
 */
export function checkTypeMetaTypes(gvk: GroupVersionKind, obj: Obj, raw: Buffer | string): void {
  for (const [k, v] of Object.entries(obj)) {
    if ((k === 'apiVersion' || k === 'kind') && v !== null && typeof v !== 'string') {
      throw errors.badRequest(
        `the object provided is unrecognized (must be of type ${gvk.kind}): couldn't get version/kind; ` +
          `json parse error: json: cannot unmarshal ${jsonWord(v)} into Go struct field .${k} of type string (${summarizeData(raw)})`,
      );
    }
  }
}

/** Decodes the object a patch produced; `patch` is the decoded patch document. */
export function decodePatchedObject(gvk: GroupVersionKind, patched: KubeObject, contentType: string, patch: unknown): KubeObject {
  const strategic = contentType === 'application/strategic-merge-patch+json';
  const r = decodeTyped(gvk, patched, strategic ? 'unstructured' : 'json');
  if (r.error === undefined) return r.value as KubeObject;
  throw patchInvalid(printed(() => (strategic ? goV(patch) : JSON.stringify(patched))), r.error);
}

/** The value for the message; content nested too deep to print (kept in an unknown field) must not turn a 422 into a 500. */
function printed(print: () => string): string {
  try {
    return print();
  } catch (e) {
    if (e instanceof RangeError) return '<nested too deeply to print>';
    throw e;
  }
}

/**
 * A DeleteOptions body. Upstream's delete handler passes the decoder's error on as is, which the
 * apiserver answers with a 500; the body is the client's, so kubesvc answers 400 with the same text.
 */
export function decodeDeleteOptions(body: Obj): Obj {
  const r = decodeTyped({ group: '', version: 'v1', kind: 'DeleteOptions' }, body, 'json');
  if (r.error !== undefined) throw errors.badRequest(r.error);
  return r.value as Obj;
}

/** errors.NewInvalid(schema.GroupKind{}, "", {field.Invalid("patch", value, detail)}): kind and name are empty. */
function patchInvalid(value: string, detail: string): StatusError {
  const e = fieldErr.invalid('patch', value, detail);
  const body = errorBody(e);
  return new StatusError(422, 'Invalid', ` "" is invalid: patch: ${body}`, {
    causes: [{ reason: e.type, message: body, field: 'patch' }],
  });
}

function jsonWord(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The apiserver's summarizeData(body, 30): the text of a JSON object, hex of anything else. */
function summarizeData(body: Buffer | string): string {
  const raw = typeof body === 'string' ? Buffer.from(body) : body;
  if (raw.length === 0) return '<empty>';
  const head = raw.subarray(0, 30);
  const more = raw.length > 30 ? ' ...' : '';
  return raw[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}
