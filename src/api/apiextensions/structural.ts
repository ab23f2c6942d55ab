// Structural schema rules of apiextensions (pkg/apis/apiextensions/validation and
// pkg/apiserver/schema: NewStructural + ValidateStructural, specStandardValidatorV3): every
// specified field has a type, no additionalProperties beside properties, the extensions used
// where they mean something, metadata restricted to name and generateName, and no
// type-determining keywords inside allOf/anyOf/oneOf/not.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import { isObject } from './json.js';
import type { JSONSchemaProps } from './types.js';

type Level = 'root' | 'item' | 'field';

/** Deeper schemas are refused outright, so hostile nesting cannot exhaust the stack. */
export const maxSchemaDepth = 256;

const listTypes = ['atomic', 'set', 'map'];
const mapTypes = ['granular', 'atomic'];
// The types a schema may name (upstream's openapiV3Types, listed sorted as its error lists them).
const openAPIV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Keywords the v1 API refuses anywhere in a schema (specStandardValidatorV3). */
function validateOpenAPIV3(s: JSONSchemaProps, p: Path, errs: FieldError[]): void {
  if (s.id !== undefined) errs.push(fieldErr.forbidden(p.child('id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(fieldErr.forbidden(p.child('additionalItems'), 'additionalItems is not supported'));
  if (s.patternProperties !== undefined) errs.push(fieldErr.forbidden(p.child('patternProperties'), 'patternProperties is not supported'));
  if (s.definitions !== undefined) errs.push(fieldErr.forbidden(p.child('definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(fieldErr.forbidden(p.child('dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(fieldErr.forbidden(p.child('$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(fieldErr.forbidden(p.child('type'), 'type cannot be set to null, use nullable as an alternative'));
  else if (s.type !== undefined && s.type !== '' && !openAPIV3Types.includes(s.type)) errs.push(fieldErr.notSupported(p.child('type'), s.type, openAPIV3Types));
  if (Array.isArray(s.items)) errs.push(fieldErr.forbidden(p.child('items'), 'items must be a schema object and not an array'));
  if (s.uniqueItems === true) {
    errs.push(fieldErr.forbidden(p.child('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  }
  if (s.additionalProperties !== undefined && s.properties && Object.keys(s.properties).length > 0) {
    if (s.additionalProperties === false || isObject(s.additionalProperties)) {
      errs.push(fieldErr.forbidden(p.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
  }
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!listTypes.includes(lt)) errs.push(fieldErr.notSupported(p.child('x-kubernetes-list-type'), lt, listTypes));
    else if (s.type !== 'array') errs.push(fieldErr.invalid(p.child('x-kubernetes-list-type'), lt, 'must only be used on type array'));
    if (lt === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length) {
      errs.push(fieldErr.required(p.child('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    }
  }
  if (s['x-kubernetes-list-map-keys'] !== undefined && lt !== 'map') {
    errs.push(fieldErr.forbidden(p.child('x-kubernetes-list-map-keys'), 'must only be used if x-kubernetes-list-type is map'));
  }
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined && !mapTypes.includes(mt)) errs.push(fieldErr.notSupported(p.child('x-kubernetes-map-type'), mt, mapTypes));
}

/** validateStructuralInvariants and validateExtensions for one node of the structural part. */
function validateNode(s: JSONSchemaProps, lvl: Level, p: Path, errs: FieldError[]): void {
  const ios = s['x-kubernetes-int-or-string'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  if (s.type === 'array' && s.items === undefined) errs.push(fieldErr.required(p.child('items'), 'must be specified'));
  if (s.additionalProperties !== undefined && s.additionalProperties !== false && lvl === 'root') {
    errs.push(fieldErr.forbidden(p.child('additionalProperties'), 'must not be used at the root'));
  }
  if (ios && preserve === true) {
    errs.push(fieldErr.invalid(p.child('x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (ios && embedded) errs.push(fieldErr.invalid(p.child('x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (embedded && s.type !== 'object') {
    if (!s.type) errs.push(fieldErr.required(p.child('type'), 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(fieldErr.invalid(p.child('type'), s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !ios && preserve !== true) {
    const msg = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[lvl];
    errs.push(fieldErr.required(p.child('type'), msg));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(fieldErr.forbidden(p.child('additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(fieldErr.invalid(p.child('type'), s.type, 'must be object at the root'));
  const checkMetadata = lvl === 'root' || embedded;
  const props = s.properties ?? {};
  if (checkMetadata) {
    for (const k of ['kind', 'apiVersion']) {
      const t = props[k]?.type;
      if (props[k] && t !== 'string') errs.push(fieldErr.invalid(p.child('properties').key(k).child('type'), t ?? '', 'must be string'));
    }
  }
  const meta = props['metadata'];
  if (meta) {
    const mp = p.child('properties').key('metadata');
    if (checkMetadata && meta.type !== 'object') errs.push(fieldErr.invalid(mp.child('type'), meta.type ?? '', 'must be object'));
    if (lvl === 'root' && !metadataIsRestricted(meta)) {
      errs.push(fieldErr.forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (embedded && preserve !== true && Object.keys(props).length === 0) {
    errs.push(
      fieldErr.required(p.child('properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'),
    );
  }
}

/**
 * At the root, metadata may carry a type and a default and constrain name and/or generateName
 * only; anything else (even a description) is "implicitly specified" as upstream compares it.
 */
function metadataIsRestricted(meta: JSONSchemaProps): boolean {
  const allowedKeys = new Set(['type', 'default', 'properties']);
  if (Object.keys(meta).some((k) => !allowedKeys.has(k))) return false;
  const keys = Object.keys(meta.properties ?? {});
  return keys.every((k) => k === 'name' || k === 'generateName');
}

/** Fields a value validation (allOf/anyOf/oneOf/not) may not set, with upstream's words. */
function validateValueValidation(s: JSONSchemaProps, p: Path, errs: FieldError[], depth: number, intOrStringPattern = false): void {
  if (depth > maxSchemaDepth || typeof s !== 'object' || s === null || Array.isArray(s)) return;
  if (s.type) errs.push(fieldErr.forbidden(p.child('type'), 'must be empty to be structural'));
  if (s.default !== undefined) errs.push(fieldErr.forbidden(p.child('default'), 'must be undefined to be structural'));
  if (s.description) errs.push(fieldErr.forbidden(p.child('description'), 'must be empty to be structural'));
  if (s.title) errs.push(fieldErr.forbidden(p.child('title'), 'must be empty to be structural'));
  if (s.nullable) errs.push(fieldErr.forbidden(p.child('nullable'), 'must be false to be structural'));
  if (s['x-kubernetes-preserve-unknown-fields']) {
    errs.push(fieldErr.forbidden(p.child('x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  }
  if (s['x-kubernetes-embedded-resource']) {
    errs.push(fieldErr.forbidden(p.child('x-kubernetes-embedded-resource'), 'must be false to be structural'));
  }
  if (s.additionalProperties !== undefined) errs.push(fieldErr.forbidden(p.child('additionalProperties'), 'must be undefined to be structural'));
  if (s['x-kubernetes-int-or-string'] && !intOrStringPattern) {
    errs.push(fieldErr.forbidden(p.child('x-kubernetes-int-or-string'), 'must be false to be structural'));
  }
  if (s['x-kubernetes-list-map-keys']?.length) errs.push(fieldErr.forbidden(p.child('x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (s['x-kubernetes-list-type'] !== undefined) errs.push(fieldErr.forbidden(p.child('x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (s['x-kubernetes-map-type'] !== undefined) errs.push(fieldErr.forbidden(p.child('x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (s['x-kubernetes-validations']?.length) errs.push(fieldErr.forbidden(p.child('x-kubernetes-validations'), 'must be empty to be structural'));
  if (s.properties && Object.hasOwn(s.properties, 'metadata') && depth > 0) {
    errs.push(fieldErr.forbidden(p.child('properties').key('metadata'), 'must not be specified in a nested context'));
  }
  for (const [k, sub] of Object.entries(s.properties ?? {})) validateValueValidation(sub, p.child('properties').key(k), errs, depth + 1);
  if (isObject(s.items)) validateValueValidation(s.items as JSONSchemaProps, p.child('items'), errs, depth + 1);
  walkCombinators(s, p, errs, depth);
}

/** anyOf: [{type: integer}, {type: string}], the int-or-string spelling upstream lets keep its types. */
function isIntOrStringAnyOf(list: JSONSchemaProps[] | undefined): boolean {
  return (
    Array.isArray(list) &&
    list.length === 2 &&
    list.every((x) => isObject(x) && Object.keys(x).length === 1) &&
    list[0]!.type === 'integer' &&
    list[1]!.type === 'string'
  );
}

function walkCombinators(s: JSONSchemaProps, p: Path, errs: FieldError[], depth: number): void {
  const skipAnyOf = s['x-kubernetes-int-or-string'] === true && isIntOrStringAnyOf(s.anyOf);
  const first = Array.isArray(s.allOf) ? s.allOf[0] : undefined;
  const skipFirstAllOf = s['x-kubernetes-int-or-string'] === true && !!first && typeof first === 'object' && isIntOrStringAnyOf(first.anyOf);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (key === 'anyOf' && skipAnyOf) continue;
    (Array.isArray(s[key]) ? s[key]! : []).forEach((sub, i) => {
      if (key === 'allOf' && i === 0 && skipFirstAllOf) {
        const { anyOf: _skipped, ...rest } = sub;
        validateValueValidation(rest, p.child(key).index(i), errs, depth + 1, true);
        return;
      }
      validateValueValidation(sub, p.child(key).index(i), errs, depth + 1);
    });
  }
  if (s.not) validateValueValidation(s.not, p.child('not'), errs, depth + 1);
}

function walk(s: JSONSchemaProps, lvl: Level, p: Path, errs: FieldError[], depth: number): void {
  if (!isObject(s)) {
    errs.push(fieldErr.invalid(p, s, 'must be a schema object'));
    return;
  }
  if (depth > maxSchemaDepth) {
    errs.push(fieldErr.forbidden(p, `must not be nested more than ${maxSchemaDepth} levels deep`));
    return;
  }
  validateOpenAPIV3(s, p, errs);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(fieldErr.invalid(p.child('x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  // Children first, then this node, in the order validateStructuralInvariants reports them.
  for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, 'field', p.child('properties').key(k), errs, depth + 1);
  if (isObject(s.additionalProperties)) walk(s.additionalProperties as JSONSchemaProps, 'field', p.child('additionalProperties'), errs, depth + 1);
  if (isObject(s.items)) walk(s.items as JSONSchemaProps, 'item', p.child('items'), errs, depth + 1);
  walkCombinators(s, p, errs, depth);
  validateNode(s, lvl, p, errs);
}

/** All structural and v1 keyword errors of a version's openAPIV3Schema, rooted at `p`. */
export function validateStructuralSchema(schema: JSONSchemaProps, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  walk(schema, 'root', p, errs, 0);
  return errs;
}
