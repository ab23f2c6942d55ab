// One served version of a CRD as the registry needs it (apiextensions-apiserver
// pkg/registry/customresource strategy): prepare-for-create/update (pruning, defaulting, status
// and generation as the status subresource dictates), validation (kind and apiVersion,
// ObjectMeta with DNS-subdomain names, the OpenAPI schema, list types, CEL rules with transition
// rules on update) and printer columns. Built once per CRD version; the compiled CEL programs
// are reused for every object.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { ObjectMeta } from '../meta.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/objectmeta.js';
import { compileSchemaRules, type CompiledSchemaRules } from './cel/rules.js';
import { validateCEL } from './cel/validate.js';
import { applyDefaults } from './defaults.js';
import { isObject, jsonEqual, type JSONObject } from './json.js';
import type { Printer } from '../../apiserver/tables/types.js';
import { defaultPrinterColumns, printerColumns } from './printer-columns.js';
import { pruneCustomResource } from './prune.js';
import { validateAgainstSchema } from './schema-validation.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, CustomResourceSubresourceScale, JSONSchemaProps } from './types.js';
import { goTypeName } from '../../machinery/goformat.js';
import { fieldSchema, itemsSchema } from './schema-nav.js';

export interface PrepareResult {
  /** `unknown field "spec.x"` warnings for what pruning removed, as upstream reports them. */
  warnings: string[];
}

function embeddedMetaErrors(s: JSONSchemaProps, v: unknown, path: Path, errs: FieldError[], depth: number): void {
  if (depth > 256 || v === null || v === undefined) return;
  if (s['x-kubernetes-embedded-resource'] && isObject(v)) {
    const meta = v['metadata'];
    if (meta !== undefined) {
      if (!isObject(meta)) errs.push(fieldErr.invalid(path.child('metadata'), meta, 'must be an object'));
      else {
        const m = meta as ObjectMeta;
        if (m.name) for (const msg of nameIsDNSSubdomain(m.name, false)) errs.push(fieldErr.invalid(path.child('metadata', 'name'), m.name, msg));
      }
    }
    if (v['kind'] === undefined || v['kind'] === '') errs.push(fieldErr.required(path.child('kind'), 'must not be empty'));
    if (v['apiVersion'] === undefined || v['apiVersion'] === '') errs.push(fieldErr.required(path.child('apiVersion'), 'must not be empty'));
  }
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const sub = fieldSchema(s, k);
      if (sub) embeddedMetaErrors(sub, x, path.child(k), errs, depth + 1);
    }
  } else if (Array.isArray(v)) {
    const items = itemsSchema(s);
    if (items) v.forEach((x, i) => embeddedMetaErrors(items, x, path.index(i), errs, depth + 1));
  }
}

const maxInt32 = 2147483647;

/** unstructured.NestedInt64 / NestedString at a scale path: the value, or the accessor error. */
function nested(obj: JSONObject, jsonPath: string, want: 'int64' | 'string'): { value: unknown; error?: string } {
  let cur: unknown = obj;
  for (const f of jsonPath.replace(/^\./, '').split('.')) {
    if (!isObject(cur) || !Object.hasOwn(cur, f)) return { value: want === 'int64' ? 0 : '' };
    cur = cur[f];
  }
  const ok = want === 'int64' ? typeof cur === 'number' && Number.isInteger(cur) : typeof cur === 'string';
  if (ok) return { value: cur };
  const shown = typeof cur === 'object' && cur !== null ? JSON.stringify(cur) : String(cur);
  return { value: want === 'int64' ? 0 : '', error: `${jsonPath} accessor error: ${shown} is of the type ${goTypeName(cur)}, expected ${want}` };
}

/** ValidateScaleSpec/ValidateScaleStatus: replicas are non-negative int32s, the selector a string. */
function scaleErrors(obj: JSONObject, scale: CustomResourceSubresourceScale | undefined, which: 'spec' | 'status'): FieldError[] {
  if (!scale) return [];
  const errs: FieldError[] = [];
  const replicas = (path: string | undefined): void => {
    if (!path) return;
    const r = nested(obj, path, 'int64');
    if (r.error) errs.push(fieldErr.invalid(path, r.value, r.error));
    else if ((r.value as number) < 0) errs.push(fieldErr.invalid(path, r.value, 'should be a non-negative integer'));
    else if ((r.value as number) > maxInt32) errs.push(fieldErr.invalid(path, r.value, `should be less than or equal to ${maxInt32}`));
  };
  if (which === 'spec') replicas(scale.specReplicasPath);
  else {
    replicas(scale.statusReplicasPath);
    if (scale.labelSelectorPath) {
      const r = nested(obj, scale.labelSelectorPath, 'string');
      if (r.error) errs.push(fieldErr.invalid(scale.labelSelectorPath, r.value, r.error));
    }
  }
  return errs;
}

export class CustomResourceVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly statusEnabled: boolean;
  readonly schema: JSONSchemaProps;
  readonly rules: CompiledSchemaRules;
  readonly columns: Printer<unknown>;
  readonly scale: CustomResourceSubresourceScale | undefined;

  /** `crd` must have passed validateCustomResourceDefinition. */
  constructor(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion) {
    this.group = crd.spec?.group ?? '';
    this.version = v.name ?? '';
    this.kind = crd.spec?.names?.kind ?? '';
    this.namespaced = crd.spec?.scope === 'Namespaced';
    this.statusEnabled = !!v.subresources?.status;
    this.scale = v.subresources?.scale;
    this.schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    this.rules = compileSchemaRules(this.schema, Path.root('openAPIV3Schema'));
    this.columns = printerColumns(v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : defaultPrinterColumns);
  }

  get apiVersion(): string {
    return `${this.group}/${this.version}`;
  }

  /** Prunes and defaults in place; the status is dropped when it is a subresource; generation starts at 1. */
  prepareForCreate(obj: JSONObject): PrepareResult {
    const warnings = pruneCustomResource(obj, this.schema).map((f) => `unknown field ${JSON.stringify(f)}`);
    if (this.statusEnabled) delete obj['status'];
    applyDefaults(obj, this.schema);
    if (isObject(obj['metadata'])) (obj['metadata'] as ObjectMeta).generation = 1;
    return { warnings };
  }

  /** As prepareForCreate, keeping the old status under the status subresource and bumping generation on spec changes. */
  prepareForUpdate(obj: JSONObject, old: JSONObject): PrepareResult {
    const warnings = pruneCustomResource(obj, this.schema).map((f) => `unknown field ${JSON.stringify(f)}`);
    if (this.statusEnabled) {
      if (old['status'] === undefined) delete obj['status'];
      else obj['status'] = structuredClone(old['status']);
    }
    applyDefaults(obj, this.schema);
    const meta = isObject(obj['metadata']) ? (obj['metadata'] as ObjectMeta) : undefined;
    const oldGen = (old['metadata'] as ObjectMeta | undefined)?.generation ?? 1;
    if (meta) {
      const strip = (o: JSONObject): JSONObject => {
        const { metadata: _m, status: _s, ...rest } = o;
        return this.statusEnabled ? rest : { ...rest, status: o['status'] };
      };
      meta.generation = jsonEqual(strip(obj), strip(old)) ? oldGen : oldGen + 1;
    }
    return { warnings };
  }

  /** ValidateTypeMeta: the kind and apiVersion this version serves; upstream stops here if they differ. */
  private validateTypeMeta(obj: JSONObject): FieldError[] {
    const errs: FieldError[] = [];
    if (obj['kind'] !== this.kind) errs.push(fieldErr.invalid('kind', obj['kind'] ?? '', `must be ${this.kind}`));
    if (obj['apiVersion'] !== this.apiVersion) errs.push(fieldErr.invalid('apiVersion', obj['apiVersion'] ?? '', `must be ${this.apiVersion}`));
    return errs;
  }

  private validateCommon(obj: JSONObject): FieldError[] {
    const errs: FieldError[] = [];
    const { metadata: _meta, ...rest } = obj;
    // metadata is ObjectMeta's business; the schema may only constrain name and generateName.
    errs.push(...validateAgainstSchema({ ...this.schema, properties: { ...this.schema.properties, metadata: { type: 'object' } } }, { ...rest, metadata: {} }));
    const metaSchema = this.schema.properties?.['metadata'];
    if (metaSchema && isObject(obj['metadata'])) {
      const m = obj['metadata'] as JSONObject;
      const restricted = { type: 'object', properties: metaSchema.properties ?? {} };
      const picked: JSONObject = {};
      for (const k of ['name', 'generateName']) if (m[k] !== undefined) picked[k] = m[k];
      errs.push(...validateAgainstSchema(restricted, picked, 'metadata'));
    }
    embeddedMetaErrors(this.schema, obj, Path.root(''), errs, 0);
    // Errors at the root carry a nil field path upstream, printed `<nil>`.
    for (const e of errs) e.field = e.field.startsWith('.') ? e.field.slice(1) : e.field === '' ? '<nil>' : e.field;
    errs.push(...scaleErrors(obj, this.scale, 'spec'), ...scaleErrors(obj, this.scale, 'status'));
    return errs;
  }

  /** CEL rules run unless an error would make their input meaningless, as upstream's hasBlockingErr decides. */
  private celErrors(errs: FieldError[], obj: JSONObject, old?: JSONObject): FieldError[] {
    if (this.rules.byNode.size === 0) return []; // upstream has no CEL validator then, nor its note
    const blocking = ['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid'];
    if (errs.some((e) => blocking.includes(e.type))) {
      return [fieldErr.invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')];
    }
    return validateCEL(this.schema, this.rules, obj, old);
  }

  validate(obj: JSONObject): FieldError[] {
    if (!isObject(obj)) return [fieldErr.invalid('<nil>', obj, 'must be an object')];
    const typeErrs = this.validateTypeMeta(obj);
    if (typeErrs.length) return typeErrs;
    const errs = validateObjectMeta(obj['metadata'] as ObjectMeta | undefined, this.namespaced, nameIsDNSSubdomain, Path.root('metadata'), false);
    errs.push(...this.validateCommon(obj));
    errs.push(...this.celErrors(errs, obj));
    return errs;
  }

  validateUpdate(obj: JSONObject, old: JSONObject): FieldError[] {
    if (!isObject(obj)) return [fieldErr.invalid('<nil>', obj, 'must be an object')];
    const typeErrs = this.validateTypeMeta(obj);
    if (typeErrs.length) return typeErrs;
    const errs = validateObjectMetaUpdate(obj['metadata'] as ObjectMeta | undefined, old['metadata'] as ObjectMeta | undefined, Path.root('metadata'), false);
    errs.push(...validateObjectMeta(obj['metadata'] as ObjectMeta | undefined, this.namespaced, nameIsDNSSubdomain, Path.root('metadata'), false));
    errs.push(...this.validateCommon(obj));
    errs.push(...this.celErrors(errs, obj, old));
    return errs;
  }

  /** Keeps everything but status from the old object, as the status subresource's strategy does. */
  prepareForStatusUpdate(obj: JSONObject, old: JSONObject): PrepareResult {
    const status = obj['status'];
    const warnings = pruneCustomResource(obj, this.schema).map((f) => `unknown field ${JSON.stringify(f)}`);
    for (const k of Object.keys(obj)) if (k !== 'status' && k !== 'metadata') delete obj[k];
    for (const [k, v] of Object.entries(old)) if (k !== 'status' && k !== 'metadata') obj[k] = structuredClone(v);
    if (status === undefined) delete obj['status'];
    applyDefaults(obj, this.schema);
    return { warnings };
  }

  /** ValidateStatusUpdate: ObjectMeta, the status against its schema, the scale status paths. */
  validateStatusUpdate(obj: JSONObject, old: JSONObject): FieldError[] {
    if (!isObject(obj)) return [fieldErr.invalid('<nil>', obj, 'must be an object')];
    const typeErrs = this.validateTypeMeta(obj);
    if (typeErrs.length) return typeErrs;
    const errs = validateObjectMetaUpdate(obj['metadata'] as ObjectMeta | undefined, old['metadata'] as ObjectMeta | undefined, Path.root('metadata'), false);
    const statusSchema = this.schema.properties?.['status'];
    if (obj['status'] !== undefined && statusSchema) errs.push(...validateAgainstSchema(statusSchema, obj['status'], 'status'));
    errs.push(...scaleErrors(obj, this.scale, 'status'));
    // The whole object's rules run, with the old object for transition rules (the spec is the old one's).
    errs.push(...this.celErrors(errs, obj, old));
    return errs;
  }
}
