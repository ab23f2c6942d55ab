// OpenAPI v3 validation of a custom resource against its CRD schema, worded as kube-openapi's
// validator and converted to field errors as apiextensions' ValidateCustomResource does, e.g.
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
// Never throws on odd input: every branch checks the value's shape first.
import { fieldErr, type FieldError } from '../../machinery/field.js';
import { checkFormat } from './formats.js';
import { isObject, jsonEqual, jsonTypeName } from './json.js';
import { compileRegex } from './regex.js';
import type { JSONSchemaProps } from './types.js';
import { fieldSchema, itemsSchema } from './schema-nav.js';

/** `spec.replicas` for messages; the root is "" and reads as `body` in kube-openapi's wording. */
function inBody(path: string): string {
  return path === '' ? 'body' : `${path} in body`;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'number':
      return typeof v === 'number' || typeof v === 'bigint';
    default:
      return true;
  }
}

function typeError(path: string, want: string, v: unknown): FieldError {
  const got = jsonTypeName(v);
  // field.TypeInvalid: printed as "Invalid value", and it stops CEL rules from running.
  return { ...fieldErr.invalid(path, got, `${inBody(path)} must be of type ${want}: ${JSON.stringify(got)}`), type: 'FieldValueTypeInvalid' };
}

/** Validates `value` at `path` against `schema`; appends to `errs`. */
export function validateAgainstSchema(schema: JSONSchemaProps, value: unknown, path = '', errs: FieldError[] = []): FieldError[] {
  if (value === null || value === undefined) {
    if (schema.nullable) return errs;
    if (schema.type || schema['x-kubernetes-int-or-string']) {
      const want = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type!;
      errs.push({ ...fieldErr.invalid(path, 'null', `${inBody(path)} must be of type ${want}: "null"`), type: 'FieldValueTypeInvalid' });
    }
    return errs;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!typeMatches('integer', value) && typeof value !== 'string') {
      errs.push(typeError(path, 'integer,string', value));
      return errs;
    }
  } else if (schema.type && !typeMatches(schema.type, value)) {
    errs.push(typeError(path, schema.type, value));
    return errs;
  }
  if (typeof value === 'string') validateString(schema, value, path, errs);
  if (typeof value === 'number') validateNumber(schema, value, path, errs);
  if (Array.isArray(value)) validateArray(schema, value, path, errs);
  if (isObject(value)) validateObject(schema, value, path, errs);
  if (schema.enum && !schema.enum.some((e) => jsonEqual(e, value))) {
    errs.push(fieldErr.notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  validateCombinators(schema, value, path, errs);
  return errs;
}

function validateString(s: JSONSchemaProps, v: string, path: string, errs: FieldError[]): void {
  // Lengths count characters (runes), as Go's utf8.RuneCountInString.
  const len = s.maxLength !== undefined || s.minLength !== undefined ? [...v].length : 0;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(fieldErr.tooLong(path, v, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) {
    errs.push(fieldErr.invalid(path, v, `${inBody(path)} should be at least ${s.minLength} chars long`));
  }
  if (s.pattern !== undefined) {
    const re = compileRegex(s.pattern);
    if (re instanceof Error) errs.push(fieldErr.invalid(path, v, `${inBody(path)} should match '${s.pattern}, but pattern is invalid: ${re.message}'`));
    else if (!re.test(v)) errs.push(fieldErr.invalid(path, v, `${inBody(path)} should match '${s.pattern}'`));
  }
  if (s.format && !checkFormat(s.format, v)) {
    // kube-openapi reports a format as a type (InvalidTypeCode), so it blocks CEL like a type error.
    errs.push({ ...fieldErr.invalid(path, v, `${inBody(path)} must be of type ${s.format}: ${JSON.stringify(v)}`), type: 'FieldValueTypeInvalid' });
  }
}

function validateNumber(s: JSONSchemaProps, v: number, path: string, errs: FieldError[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      errs.push(fieldErr.invalid(path, v, `${inBody(path)} should be ${rel} ${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      errs.push(fieldErr.invalid(path, v, `${inBody(path)} should be ${rel} ${s.minimum}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(fieldErr.invalid(path, v, `${inBody(path)} should be a multiple of ${s.multipleOf}`));
  }
}

function validateArray(s: JSONSchemaProps, v: unknown[], path: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(fieldErr.tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) {
    errs.push(fieldErr.invalid(path, v.length, `${inBody(path)} should have at least ${s.minItems} items`));
  }
  if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => jsonEqual(x, y)) !== i)) {
    errs.push(fieldErr.invalid(path, v, `${inBody(path)} shouldn't contain duplicates`));
  }
  const items = itemsSchema(s);
  if (items) v.forEach((x, i) => validateAgainstSchema(items, x, `${path}[${i}]`, errs));
  validateListType(s, v, path, errs);
}

/** x-kubernetes-list-type set/map: no duplicate elements or keys (apiextensions' listtype validation). */
function validateListType(s: JSONSchemaProps, v: unknown[], path: string, errs: FieldError[]): void {
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') {
    v.forEach((x, i) => {
      if (v.findIndex((y) => jsonEqual(x, y)) !== i) errs.push(fieldErr.duplicate(`${path}[${i}]`, x));
    });
  } else if (type === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen: unknown[][] = [];
    v.forEach((x, i) => {
      if (!isObject(x)) return;
      const k = keys.map((key) => x[key]);
      if (seen.some((o) => jsonEqual(o, k))) {
        const shown: Record<string, unknown> = {};
        keys.forEach((key, j) => (shown[key] = k[j]));
        errs.push(fieldErr.duplicate(`${path}[${i}]`, shown));
      } else seen.push(k);
    });
  }
}

function validateObject(s: JSONSchemaProps, v: Record<string, unknown>, path: string, errs: FieldError[]): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    errs.push(fieldErr.tooMany(path, n, s.maxProperties));
  }
  if (s.minProperties !== undefined && n < s.minProperties) {
    errs.push(fieldErr.invalid(path, n, `${inBody(path)} should have at least ${s.minProperties} properties`));
  }
  for (const r of s.required ?? []) {
    if (!Object.hasOwn(v, r)) errs.push(fieldErr.required(child(path, r)));
  }
  for (const [k, x] of Object.entries(v)) {
    const ps = fieldSchema(s, k);
    if (ps) validateAgainstSchema(ps, x, child(path, k), errs);
    else if (s.additionalProperties === false && s.properties) {
      errs.push(fieldErr.forbidden(child(path, k), `${inBody(child(path, k))} is a forbidden property`));
    }
  }
}

function passes(s: JSONSchemaProps, v: unknown, path: string): boolean {
  return validateAgainstSchema(s, v, path, []).length === 0;
}

function validateCombinators(s: JSONSchemaProps, v: unknown, path: string, errs: FieldError[]): void {
  for (const sub of s.allOf ?? []) validateAgainstSchema(sub, v, path, errs);
  if (s.anyOf && !s.anyOf.some((sub) => passes(sub, v, path))) {
    errs.push(fieldErr.invalid(path, v, `${inBody(path)} must validate at least one schema (anyOf)`));
    for (const sub of s.anyOf) validateAgainstSchema(sub, v, path, errs);
  }
  if (s.oneOf && s.oneOf.filter((sub) => passes(sub, v, path)).length !== 1) {
    errs.push(fieldErr.invalid(path, v, `${inBody(path)} must validate one and only one schema (oneOf)`));
  }
  if (s.not && passes(s.not, v, path)) {
    errs.push(fieldErr.invalid(path, v, `${inBody(path)} must not validate the schema (not)`));
  }
}
