// Cost of a CEL rule, in the spirit of cel-go's estimator and Kubernetes' limits
// (apiextensions-apiserver pkg/apiserver/schema/cel and k8s.io/apiserver/pkg/apis/cel/config.go).
//
// The numbers are upstream's: a rule's estimated cost may not exceed 10^7 (StaticEstimatedCostLimit),
// a CRD's rules together 10^8 (StaticEstimatedCRDCostLimit, each rule's cost times the number of
// times it can run, i.e. the product of maxItems/maxProperties above it), one evaluation 10^6
// (PerCallLimit) and all evaluations for one object 10^7 (RuntimeCELCostBudget).
//
// The model is an approximation of cel-go's: every node costs 1; a string function costs
// 1 + 0.1 per character (matches() included: cel-go does not price the pattern); comparing
// strings or lists costs 0.1 per element; find() and findAll() cost the product of the string's
// and the pattern's factors as Kubernetes prices them; a macro costs (its body + 1) per element
// of its list.
// Sizes come from the schema: maxLength, maxItems, maxProperties, or, where unset, what fits in
// a 3 MiB request (upstream's maxRequestSizeBytes divided by the element's smallest JSON form).
// At run time the same model is applied with the sizes of the object being validated.
import type { JSONSchemaProps } from '../types.js';
import { hasMacroName } from './rewrite.js';
import { unescapeCELName } from './names.js';
import { additionalSchema, itemsSchema, propertySchema } from '../schema-nav.js';

export const staticEstimatedCostLimit = 10_000_000;
export const staticEstimatedCRDCostLimit = 100_000_000;
export const perCallLimit = 1_000_000;
export const runtimeCELCostBudget = 10_000_000;
export const maxRequestSizeBytes = 3 * 1024 * 1024;

export interface AstNode {
  op: string;
  args: unknown;
}

/** Sizes of strings, lists and maps: the schema's bounds, or at run time the object's. */
export type SizeOf = (s: JSONSchemaProps | undefined) => number;

function minJSONSize(s: JSONSchemaProps | undefined): number {
  if (!s) return 3;
  if (s['x-kubernetes-int-or-string']) return 2;
  switch (s.type) {
    case 'string':
      return 3 + (s.minLength ?? 0);
    case 'integer':
    case 'number':
      return 2;
    case 'boolean':
      return 5;
    default:
      return 3;
  }
}

/** The schema's upper bound on a string's length or a list's or map's element count. */
export const staticSizeOf: SizeOf = (s) => {
  if (!s) return maxRequestSizeBytes;
  if (s.type === 'string' || s['x-kubernetes-int-or-string']) return s.maxLength ?? maxRequestSizeBytes;
  if (s.type === 'array') {
    return s.maxItems ?? Math.floor(maxRequestSizeBytes / minJSONSize(itemsSchema(s)));
  }
  if (s.type === 'object') {
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return s.maxProperties ?? Math.floor(maxRequestSizeBytes / (minJSONSize(s.additionalProperties) + 4));
    }
    return Object.keys(s.properties ?? {}).length;
  }
  return 1;
};

interface Est {
  cost: number;
  size: number;
  schema?: JSONSchemaProps | undefined;
}

const macros = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);
const stringFns = new Set(['contains', 'startsWith', 'endsWith', 'matches', 'k8sMatches', 'split', 'lowerAscii', 'upperAscii', 'trim', 'replace', 'indexOf', 'lastIndexOf', 'substring', 'join', 'isSorted', 'sum', 'min', 'max']);

function elementSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.type === 'array') return itemsSchema(s);
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return { type: 'string' }; // macros over maps iterate the keys
  }
  return undefined;
}

function fieldSchema(s: JSONSchemaProps | undefined, field: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  return propertySchema(s, unescapeCELName(field)) ?? additionalSchema(s);
}

export class CostEstimator {
  constructor(private readonly sizeOf: SizeOf) {}

  estimate(node: AstNode, scope: ReadonlyMap<string, JSONSchemaProps | undefined>): number {
    return this.walk(node, scope).cost;
  }

  private sized(schema: JSONSchemaProps | undefined, cost: number): Est {
    return { cost, size: this.sizeOf(schema), schema };
  }

  private walk(node: AstNode, scope: ReadonlyMap<string, JSONSchemaProps | undefined>): Est {
    if (!node || typeof node !== 'object') return { cost: 0, size: 1 };
    const args = node.args;
    switch (node.op) {
      case 'value':
        return { cost: 0, size: typeof args === 'string' ? args.length : 1 };
      case 'id':
        return this.sized(scope.get(args as string), 1);
      case '.':
      case '.?': {
        const [target, field] = args as [AstNode, string];
        const t = this.walk(target, scope);
        return this.sized(fieldSchema(t.schema, field), t.cost + 1);
      }
      case '[]':
      case '[?]': {
        const [target, index] = args as [AstNode, AstNode];
        const t = this.walk(target, scope);
        const i = this.walk(index, scope);
        const s = t.schema?.type === 'array' ? elementSchema(t.schema) : fieldSchema(t.schema, '');
        return this.sized(s, t.cost + i.cost + 1);
      }
      case 'call':
      case 'rcall':
        return this.call(node, scope);
      default: {
        const parts = (Array.isArray(args) ? args : [args]).filter((a): a is AstNode => !!a && typeof a === 'object' && 'op' in a);
        const ests = parts.map((p) => this.walk(p, scope));
        let cost = 1 + ests.reduce((a, e) => a + e.cost, 0);
        const size = ests.reduce((a, e) => a + e.size, 0);
        if (['==', '!=', '<', '<=', '>', '>=', 'in'].includes(node.op)) cost += Math.ceil(0.1 * Math.min(...ests.map((e) => e.size), size));
        const list = node.op === 'list' || node.op === 'map';
        return { cost, size: list ? parts.length : size };
      }
    }
  }

  private call(node: AstNode, scope: ReadonlyMap<string, JSONSchemaProps | undefined>): Est {
    const rcall = node.op === 'rcall';
    const a = node.args as unknown[];
    const name = a[0] as string;
    const receiver = rcall ? (a[1] as AstNode) : undefined;
    const params = ((rcall ? a[2] : a[1]) ?? []) as AstNode[];
    if (rcall && macros.has(name) && params.length >= 2 && params[0]?.op === 'id') {
      const r = this.walk(receiver!, scope);
      const inner = new Map(scope);
      inner.set(params[0].args as string, elementSchema(r.schema));
      const body = params.slice(1).reduce((acc, p) => acc + this.walk(p, inner).cost, 0);
      return { cost: r.cost + r.size * (body + 1), size: r.size, schema: name === 'filter' ? r.schema : undefined };
    }
    if (name === hasMacroName || name === 'has') {
      const arg = params[0];
      return { cost: 1 + (arg && arg.op === '.' ? this.walk((arg.args as [AstNode])[0], scope).cost : 0), size: 1 };
    }
    const r = receiver ? this.walk(receiver, scope) : undefined;
    const ps = params.map((p) => this.walk(p, scope));
    let cost = 1 + (r?.cost ?? 0) + ps.reduce((acc, e) => acc + e.cost, 0);
    let size = 1;
    if ((name === 'find' || name === 'findAll') && r && ps[0]) {
      // Kubernetes' regex library: (1 + string length) × 0.1 times the pattern length × 0.25, a
      // guess at the pattern's states (library/cost.go); the result is at most the string's size.
      cost += Math.ceil((1 + r.size) * 0.1) * Math.ceil(ps[0].size * 0.25);
      size = r.size;
    } else if (stringFns.has(name)) {
      const len = r?.size ?? ps[0]?.size ?? 1;
      let factor = Math.ceil(0.1 * len);
      cost += factor;
      size = len;
    }
    return { cost, size };
  }
}

/** How many times a rule at this schema node can run for one object: maxItems etc. above it. */
export function cardinality(sizes: readonly number[]): number {
  return sizes.reduce((a, n) => a * Math.max(1, n), 1);
}

/** The factor as getCostErrorMessage prints it: `more than 100x`, `1.200000x` below 1.5, else `2.5x`. */
export function exceedFactor(cost: number, limit: number): string {
  const f = cost / limit;
  if (f > 100) return 'more than 100x';
  return f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
}

/** getCostErrorMessage: `<what> exceeds budget by factor of <f> (try ...)`. */
export function costErrorMessage(what: string, cost: number, limit: number): string {
  return `${what} exceeds budget by factor of ${exceedFactor(cost, limit)} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
