// Patch metadata lookups on a PatchSchema, as LookupPatchMetadataForStruct/ForSlice do on Go types.
import type { PatchSchema } from '../schema.js';
import { SmpError } from './errors.js';

export interface FieldMeta {
  /** Schema of the field's value: an object/map schema, or for lists the item schema. */
  sub: PatchSchema | undefined;
  /** The strategy other than retainKeys ('merge', 'replace' or ''). */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

/** extractRetainKeysPatchStrategy on "a,b" strategy text. */
function strategies(text: string | undefined): { retainKeys: boolean; strategy: string } {
  const parts = text ? text.split(',') : [];
  if (parts.length === 0) return { retainKeys: false, strategy: '' };
  if (parts.length === 1) {
    return parts[0] === 'retainKeys' ? { retainKeys: true, strategy: '' } : { retainKeys: false, strategy: parts[0]! };
  }
  if (parts.length === 2) {
    if (parts[0] === 'retainKeys') return { retainKeys: true, strategy: parts[1]! };
    if (parts[1] === 'retainKeys') return { retainKeys: true, strategy: parts[0]! };
  }
  throw new SmpError(`unexpected patch strategy: [${parts.join(' ')}]`);
}

/**
 * Metadata of field `key` of an object schema. A map's values carry no strategy. Unknown
 * fields and missing schemas yield no metadata, so they merge like a JSON merge patch.
 */
export function lookupField(schema: PatchSchema | undefined, key: string): FieldMeta {
  if (!schema) return { sub: undefined, strategy: '', retainKeys: false, mergeKey: '' };
  if (schema.kind === 'map') return { sub: schema.elem, strategy: '', retainKeys: false, mergeKey: '' };
  const f = schema.kind === 'object' ? schema.fields?.[key] : undefined;
  if (!f) return { sub: undefined, strategy: '', retainKeys: false, mergeKey: '' };
  const s = strategies(f.patchStrategy);
  return { sub: f.kind === 'list' ? f.elem : f, ...s, mergeKey: f.patchMergeKey ?? '' };
}

/** What upstream prints as the schema's name in "cannot merge lists without merge key for %s". */
export function schemaName(schema: PatchSchema | undefined): string {
  switch (schema?.kind) {
    case 'object':
      return 'struct';
    case 'map':
      return 'map';
    case 'list':
      return 'slice';
    case 'scalar':
      return 'string';
    default:
      return 'interface';
  }
}
