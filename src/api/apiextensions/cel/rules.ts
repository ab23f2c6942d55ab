// Every x-kubernetes-validations rule of one schema, compiled, with the CRD-wide cost check:
// each rule's cost times the number of times it can run (the product of the list and map sizes
// above it) must add up to at most StaticEstimatedCRDCostLimit.
import { fieldErr, type FieldError, type Path } from '../../../machinery/field.js';
import { isObject } from '../json.js';
import { additionalSchema, itemsSchema } from '../schema-nav.js';
import { maxSchemaDepth } from '../structural.js';
import type { JSONSchemaProps } from '../types.js';
import { compileRule, type CompiledRule } from './compile.js';
import { costErrorMessage, staticEstimatedCRDCostLimit, staticSizeOf } from './cost.js';

export interface CompiledSchemaRules {
  /** Rules by the schema node that declares them. */
  byNode: Map<JSONSchemaProps, CompiledRule[]>;
  errors: FieldError[];
  /** Sum over rules of cost × cardinality. */
  totalCost: number;
}

export function compileSchemaRules(schema: JSONSchemaProps, p: Path): CompiledSchemaRules {
  const out: CompiledSchemaRules = { byNode: new Map(), errors: [], totalCost: 0 };
  const costs: { path: Path; cost: number }[] = [];
  const visit = (s: JSONSchemaProps, path: Path, card: number, depth: number): void => {
    if (!isObject(s) || depth > maxSchemaDepth) return;
    const rules = s['x-kubernetes-validations'];
    if (Array.isArray(rules) && rules.length) {
      const compiled = rules.map((r, i) => compileRule(r, s, path.child('x-kubernetes-validations').index(i), depth === 0));
      out.byNode.set(s, compiled);
      compiled.forEach((c, i) => {
        out.errors.push(...c.errors);
        out.totalCost += c.cost * card;
        costs.push({ path: path.child('x-kubernetes-validations').index(i).child('rule'), cost: c.cost * card });
      });
    }
    for (const [k, sub] of Object.entries(s.properties ?? {})) visit(sub, path.child('properties').key(k), card, depth + 1);
    const add = additionalSchema(s);
    if (add) visit(add, path.child('additionalProperties'), card * Math.max(1, staticSizeOf(s)), depth + 1);
    const items = itemsSchema(s);
    if (items) visit(items, path.child('items'), card * Math.max(1, staticSizeOf(s)), depth + 1);
  };
  visit(schema, p, 1, 0);
  if (out.totalCost > staticEstimatedCRDCostLimit) {
    // upstream names the most expensive rules (its TotalCost keeps the top four), then the total.
    for (const c of costs.sort((a, b) => b.cost - a.cost).slice(0, 4)) {
      out.errors.push(fieldErr.forbidden(c.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    }
    out.errors.push(
      fieldErr.forbidden(p, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', out.totalCost, staticEstimatedCRDCostLimit)),
    );
  }
  return out;
}
