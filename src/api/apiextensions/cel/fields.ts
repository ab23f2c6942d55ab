// Field references checked against the schema at compile time, as cel-go does with the DeclTypes
// Kubernetes builds from a structural schema: `self.spec.replicsa` on an object whose properties
// are known is `undefined field 'replicsa'` when the CRD is created, not a runtime `no such key`.
// Objects whose fields are open (maps, x-kubernetes-preserve-unknown-fields, int-or-string) are
// not checked, as they are dynamic upstream too.
import { isObject } from '../json.js';
import type { JSONSchemaProps } from '../types.js';
import type { AstNode } from './cost.js';
import { hasMacroName } from './rewrite.js';
import { unescapeCELName } from './names.js';
import { additionalSchema, itemsSchema, propertySchema } from '../schema-nav.js';

const macros = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);
const resourceFields = ['apiVersion', 'kind', 'metadata'];

interface Typed {
  schema?: JSONSchemaProps | undefined;
  /** The root object or an embedded resource: apiVersion, kind and metadata exist besides properties. */
  resource?: boolean;
}

/** The schema of field `name` of an object, or undefined (unknown or open); `false` if undeclared. */
function fieldOf(t: Typed, name: string): Typed | false {
  const s = t.schema;
  if (!s || s.type !== 'object' || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string']) return {};
  if (isObject(s.additionalProperties) || s.additionalProperties === true) return { schema: additionalSchema(s) };
  const real = unescapeCELName(name);
  const prop = propertySchema(s, real);
  if (prop) return { schema: prop, resource: prop['x-kubernetes-embedded-resource'] === true };
  if ((t.resource || s['x-kubernetes-embedded-resource']) && resourceFields.includes(real)) {
    return real === 'metadata' ? { schema: { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } } } : { schema: { type: 'string' } };
  }
  // An object without properties (and without preserve-unknown-fields) is an object type with no
  // fields upstream: every field of it is undefined.
  return false;
}

function elementOf(t: Typed): Typed {
  const s = t.schema;
  const items = s?.type === 'array' ? itemsSchema(s) : undefined;
  if (items) return { schema: items, resource: items['x-kubernetes-embedded-resource'] === true };
  if (s?.type === 'object' && additionalSchema(s)) return { schema: { type: 'string' } };
  return {};
}

/** The 1-based line and column of a 0-based offset in `src`. */
function position(src: string, offset: number): string {
  const before = src.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${line}:${col}`;
}

/**
 * The first undefined field reference in a compiled rule, worded as cel-go's checker
 * (`ERROR: <input>:1:5: undefined field 'x'`), or undefined. `src` is the text that was parsed.
 */
export function undefinedField(ast: AstNode, schema: JSONSchemaProps, src: string, rootIsResource: boolean): string | undefined {
  let found: string | undefined;
  const walk = (n: AstNode, scope: ReadonlyMap<string, Typed>): Typed => {
    if (found || !n || typeof n !== 'object') return {};
    const args = n.args as unknown;
    switch (n.op) {
      case 'id':
        return scope.get(args as string) ?? {};
      case '.':
      case '.?': {
        const [target, name] = args as [AstNode, string];
        const t = walk(target, scope);
        const f = fieldOf(t, name);
        if (f === false) {
          if (n.op === '.') found = `ERROR: <input>:${position(src, ((n as unknown as { pos: number }).pos ?? 1) - 1)}: undefined field '${name}'`;
          return {};
        }
        return f;
      }
      case '[]':
      case '[?]': {
        const [target, index] = args as [AstNode, AstNode];
        walk(index, scope);
        return elementOf(walk(target, scope));
      }
      case 'call':
      case 'rcall': {
        const a = args as unknown[];
        const name = a[0] as string;
        const rcall = n.op === 'rcall';
        const receiver = rcall ? (a[1] as AstNode) : undefined;
        const params = ((rcall ? a[2] : a[1]) ?? []) as AstNode[];
        if (rcall && macros.has(name) && params[0]?.op === 'id') {
          const el = elementOf(walk(receiver!, scope));
          const inner = new Map(scope);
          inner.set(params[0].args as string, el);
          for (const p of params.slice(1)) walk(p, inner);
          return name === 'filter' ? walk(receiver!, scope) : {};
        }
        if (name === hasMacroName) {
          const sel = params[0];
          if (sel?.op === '.') {
            const [target, field] = sel.args as [AstNode, string];
            if (fieldOf(walk(target, scope), field) === false) {
              found = `ERROR: <input>:${position(src, ((sel as unknown as { pos: number }).pos ?? 1) - 1)}: undefined field '${field}'`;
            }
          }
          return {};
        }
        if (receiver) walk(receiver, scope);
        for (const p of params) walk(p, scope);
        return {};
      }
      default:
        for (const c of Array.isArray(args) ? args : [args]) if (c && typeof c === 'object' && 'op' in c) walk(c as AstNode, scope);
        return {};
    }
  };
  const self: Typed = { schema, resource: rootIsResource || schema['x-kubernetes-embedded-resource'] === true };
  walk(ast, new Map([
    ['self', self],
    ['oldSelf', self],
  ]));
  return found;
}
