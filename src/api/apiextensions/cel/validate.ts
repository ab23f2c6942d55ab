// Running a CRD's compiled x-kubernetes-validations over one object (apiextensions'
// pkg/apiserver/schema/cel Validator): every rule at every node where a value exists, transition
// rules only where the old object has a correlated value, upstream's messages and reasons, and
// the per-call and per-object cost limits.
import { fieldErr, type FieldError } from '../../../machinery/field.js';
import { isObject, jsonTypeName } from '../json.js';
import type { JSONSchemaProps } from '../types.js';
import type { CompiledRule } from './compile.js';
import { CostEstimator, perCallLimit, runtimeCELCostBudget, type SizeOf } from './cost.js';
import { optionalNone, optionalOf } from './env.js';
import { celValue } from './decl-types.js';
import type { CompiledSchemaRules } from './rules.js';
import { fieldSchema, itemsSchema } from '../schema-nav.js';

/** The type name upstream prints as the bad value: the schema's type, else the value's. */
function schemaTypeName(s: JSONSchemaProps, v: unknown): string {
  return s.type ?? (s['x-kubernetes-int-or-string'] ? (typeof v === 'string' ? 'string' : 'integer') : jsonTypeName(v));
}

/** JSON → CEL values: integers become int (bigint) where the schema (or, untyped, the value) says so. */
export function toCEL(v: unknown, s: JSONSchemaProps | undefined, resource = false): unknown {
  return celValue(v, s, true, resource || s?.['x-kubernetes-embedded-resource'] === true);
}

/** Observed sizes per schema node (the largest string, list or map met there) for run-time costs. */
function observeSizes(s: JSONSchemaProps, v: unknown, sizes: Map<JSONSchemaProps, number>): void {
  const n = typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : 1;
  sizes.set(s, Math.max(sizes.get(s) ?? 0, n));
  const items = itemsSchema(s);
  if (Array.isArray(v) && items) for (const x of v) observeSizes(items, x, sizes);
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const sub = fieldSchema(s, k);
      if (sub) observeSizes(sub, x, sizes);
    }
  }
}

/** Rules estimated at or below this are charged their static cost at run time. */
const cheapRuleCost = 10_000;

function errorForReason(reason: string | undefined, path: string, badValue: string, msg: string): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return fieldErr.forbidden(path, msg);
    case 'FieldValueRequired':
      return fieldErr.required(path, msg);
    case 'FieldValueDuplicate':
      return { ...fieldErr.duplicate(path, badValue), detail: msg };
    default:
      return fieldErr.invalid(path, badValue, msg);
  }
}

/** `.spec.x` or `['a.b']` relative to the node, appended to its path. */
function withFieldPath(path: string, fieldPath: string | undefined): string {
  if (!fieldPath) return path;
  const rel = fieldPath.replace(/\['([^']*)'\]/g, '[$1]');
  if (path === '<nil>' || path === '') return rel.replace(/^\./, '');
  return rel.startsWith('[') ? path + rel : path + rel;
}

interface Run {
  rules: CompiledSchemaRules;
  estimator: CostEstimator;
  budget: number;
  exhausted: boolean;
  errs: FieldError[];
}

/** ruleErrorString: the rule's message if it has one, else the rule. */
function ruleText(r: CompiledRule): string {
  return (r.rule.message?.trim() || r.rule.rule || '').trim();
}

function failureMessage(r: CompiledRule, self: unknown, oldSelf: unknown): string {
  if (r.messageProgram) {
    try {
      const m = r.messageProgram({ self, oldSelf });
      if (typeof m === 'string' && m.trim() !== '' && !/\n/.test(m)) return m.trim();
    } catch {
      // upstream falls back to message (or the rule) when messageExpression fails
    }
  }
  if (r.rule.message?.trim()) return r.rule.message.trim();
  return `failed rule: ${ruleText(r)}`;
}

function runRules(run: Run, s: JSONSchemaProps, v: unknown, old: unknown, hasOld: boolean, path: string): void {
  const compiled = run.rules.byNode.get(s);
  if (!compiled) return;
  let self: unknown;
  let oldSelf: unknown;
  for (const r of compiled) {
    if (run.exhausted || !r.program) continue;
    if (r.transition && !hasOld && !r.rule.optionalOldSelf) continue;
    // A rule whose static estimate is small is charged that estimate (an upper bound, as the
    // object is within the schema's bounds); only costly rules are re-estimated with the
    // object's real sizes, which keeps cost accounting off the hot path.
    const cost = r.cost <= cheapRuleCost ? r.cost : run.estimator.estimate(r.program.ast, new Map([['self', s], ['oldSelf', s]]));
    if (cost > perCallLimit) {
      run.errs.push(fieldErr.invalid(path, schemaTypeName(s, v), `call cost exceeds limit for rule: ${ruleText(r)}`));
      continue;
    }
    run.budget -= cost;
    if (run.budget < 0) {
      run.exhausted = true;
      run.errs.push(
        fieldErr.invalid(path, schemaTypeName(s, v), 'validation failed due to running out of cost budget, no further validation rules will be run'),
      );
      return;
    }
    self ??= toCEL(v, s, path === '<nil>');
    if (oldSelf === undefined) {
      const o = hasOld ? toCEL(old, s, path === '<nil>') : null;
      oldSelf = r.rule.optionalOldSelf ? (hasOld ? optionalOf(o) : optionalNone()) : o;
    }
    let ok: unknown;
    try {
      ok = r.program({ self, oldSelf });
    } catch (e) {
      const msg = (e instanceof Error ? e.message.split('\n')[0]! : String(e)).replace(/^No such key/, 'no such key');
      const detail = /^(no such overload|found no matching overload)/.test(msg)
        ? `'${msg}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(r)}`
        : `${msg} evaluating rule: ${ruleText(r)}`;
      run.errs.push(fieldErr.invalid(path, schemaTypeName(s, v), detail));
      continue;
    }
    if (ok !== true) {
      const msg = failureMessage(r, self, oldSelf);
      run.errs.push(errorForReason(r.rule.reason, withFieldPath(path, r.rule.fieldPath), schemaTypeName(s, v), msg));
    }
  }
}

function child(path: string, k: string): string {
  return path === '<nil>' ? k : `${path}.${k}`;
}

/** Old list element correlated with `x`: only lists of type map, by their keys (as upstream). */
function correlate(s: JSONSchemaProps, x: unknown, old: unknown): { value: unknown; found: boolean } {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old) || !isObject(x)) return { value: undefined, found: false };
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const hit = old.find((o) => isObject(o) && keys.every((k) => o[k] === x[k]));
  return { value: hit, found: hit !== undefined };
}

function walk(run: Run, s: JSONSchemaProps, v: unknown, old: unknown, hasOld: boolean, path: string): void {
  if (run.exhausted || v === undefined || v === null) return;
  runRules(run, s, v, old, hasOld, path);
  if (isObject(v)) {
    const oldObj = hasOld && isObject(old) ? old : undefined;
    for (const [k, x] of Object.entries(v)) {
      const sub = fieldSchema(s, k);
      if (!sub) continue;
      const has = !!oldObj && Object.hasOwn(oldObj, k);
      walk(run, sub, x, has ? oldObj![k] : undefined, has, child(path, k));
    }
  } else if (Array.isArray(v) && itemsSchema(s)) {
    const items = itemsSchema(s)!;
    v.forEach((x, i) => {
      const c = hasOld ? correlate(s, x, old) : { value: undefined, found: false };
      walk(run, items, x, c.value, c.found, `${path === '<nil>' ? '' : path}[${i}]`);
    });
  }
}

/**
 * Errors of every CEL rule for `obj` (and `old` on update). Root-level errors carry the path
 * `<nil>`, as upstream's validator called with a nil field path prints it.
 */
export function validateCEL(schema: JSONSchemaProps, rules: CompiledSchemaRules, obj: unknown, old?: unknown): FieldError[] {
  if (rules.byNode.size === 0) return [];
  // Observed only if a costly rule needs re-estimating.
  let sizes: Map<JSONSchemaProps, number> | undefined;
  const sizeOf: SizeOf = (s) => {
    if (!sizes) {
      sizes = new Map();
      observeSizes(schema, obj, sizes);
      if (old !== undefined) observeSizes(schema, old, sizes);
    }
    return s ? (sizes.get(s) ?? 0) : 1;
  };
  const run: Run = { rules, estimator: new CostEstimator(sizeOf), budget: runtimeCELCostBudget, exhausted: false, errs: [] };
  walk(run, schema, obj, old, old !== undefined, '<nil>');
  return run.errs;
}
