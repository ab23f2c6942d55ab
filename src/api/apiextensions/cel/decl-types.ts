// The CEL types of a structural schema, as Kubernetes' SchemaDeclType gives cel-go: an object with
// properties is an object type whose fields are its (escaped) property names, so `self.spec.replicas
// == 'x'` is a type error and `self.spec.replicsa` an undefined field when the CRD is created, as
// upstream; a map (additionalProperties) is map<string, T>, an array list<T>, scalars their type.
// What upstream leaves dynamic stays `dyn`: int-or-string, preserved unknown fields, nullable
// values, strings with a format (duration, date-time, byte), and anything without a type.
//
// At run time an object of an object type is a Map of one class per schema node (schemaClass),
// the class each rule environment declares the node's type with, so the library matches values to
// their types by constructor; celValue builds them. CEL compares objects of one type field by
// field, which the library has no operator for: == is declared per type (!= follows from it).
import { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../types.js';
import { additionalSchema, itemsSchema } from '../schema-nav.js';
import { isObject } from '../json.js';
import { escapeCELName } from './names.js';
import { celEquals } from './library.js';

const scalarTypes: Record<string, string> = { string: 'string', integer: 'int', number: 'double', boolean: 'bool' };
const formatTypes: Record<string, string> = {
  byte: 'bytes',
  duration: 'google.protobuf.Duration',
  date: 'google.protobuf.Timestamp',
  'date-time': 'google.protobuf.Timestamp',
};

/** The library's Duration class, which its entry point does not export. */
let durationClass: (new (seconds: bigint, nanos: number) => unknown) | undefined;

const durationUnits: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** strfmt.ParseDuration of a value the schema's format check let through: Go's units, and d and w. */
function durationOf(str: string): unknown {
  let ns = 0n;
  for (const m of str.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/g)) {
    const [whole, frac = ''] = m[1]!.split('.') as [string, string?];
    const unit = durationUnits[m[2]!]!;
    ns += BigInt(whole || '0') * unit + (frac ? (BigInt(frac.slice(0, 18).padEnd(18, '0')) * unit) / 10n ** 18n : 0n);
  }
  durationClass ??= (libraryDuration() as { constructor: new (seconds: bigint, nanos: number) => unknown }).constructor;
  return new durationClass(ns / 1_000_000_000n, Number(ns % 1_000_000_000n));
}

let zeroDuration: unknown;
function libraryDuration(): unknown {
  zeroDuration ??= new Environment().evaluate("duration('0s')");
  return zeroDuration;
}

/** A string of a formatted node as UnstructuredToVal gives it; left a string if it does not parse. */
function formatted(format: string | undefined, str: string): unknown {
  switch (format) {
    case 'byte':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(str) ? new Uint8Array(Buffer.from(str, 'base64')) : str;
    case 'duration':
      return /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/.test(str) ? durationOf(str) : str;
    case 'date': {
      const d = new Date(`${str}T00:00:00Z`);
      return /^\d{4}-\d{2}-\d{2}$/.test(str) && !Number.isNaN(d.getTime()) ? d : str;
    }
    case 'date-time': {
      const d = new Date(str.replace(' ', 'T'));
      return Number.isNaN(d.getTime()) ? str : d;
    }
    default:
      return str;
  }
}
/** The metadata an embedded resource (and the root object) exposes to rules: name and generateName. */
const resourceMeta: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } };

const classes = new WeakMap<JSONSchemaProps, new () => Map<string, unknown>>();

/** The class of objects of schema node `s` (one per node, shared by every environment). */
function schemaClass(s: JSONSchemaProps): new () => Map<string, unknown> {
  let c = classes.get(s);
  if (!c) classes.set(s, (c = class SchemaObject extends Map<string, unknown> {}));
  return c;
}

/** Whether the types descend into `s`: what upstream leaves dynamic (and what is below it) is plain. */
const typed = (s: JSONSchemaProps | undefined): s is JSONSchemaProps =>
  !!s && !!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields'] && !s.nullable;

/** An object node with an object type (not a map). */
const objectTyped = (s: JSONSchemaProps) => s.type === 'object' && !additionalSchema(s) && s.additionalProperties !== true;

/**
 * The CEL value of JSON `v` of schema `s`: integers as int (bigint) unless the schema says number,
 * objects as Maps keyed by escaped property names, of their node's class where the node has an
 * object type (`isTyped`: the types reach this node; `resource`: the root or an embedded resource,
 * whose metadata shows name and generateName).
 */
export function celValue(v: unknown, s: JSONSchemaProps | undefined, isTyped = true, resource = false): unknown {
  const t = isTyped && typed(s);
  if (typeof v === 'string') return t && s.type === 'string' && s.format ? formatted(s.format, v) : v;
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) {
    const items = s ? itemsSchema(s) : undefined;
    return v.map((x) => celValue(x, items, t, items?.['x-kubernetes-embedded-resource'] === true));
  }
  if (isObject(v)) {
    const m = t && objectTyped(s) ? new (schemaClass(s))() : new Map<string, unknown>();
    const props = s?.properties ?? {};
    for (const [k, x] of Object.entries(v)) {
      const prop = Object.hasOwn(props, k) ? props[k] : undefined;
      if (resource && t && k === 'metadata' && !prop && isObject(x)) {
        const meta = new (schemaClass(resourceMeta))();
        for (const f of ['name', 'generateName']) if (typeof x[f] === 'string') meta.set(f, x[f]);
        m.set('metadata', meta);
        continue;
      }
      const sub = prop ?? (s ? additionalSchema(s) : undefined);
      m.set(prop ? escapeCELName(k) : k, celValue(x, sub, t, sub?.['x-kubernetes-embedded-resource'] === true));
    }
    return m;
  }
  return v;
}

class Declarer {
  private readonly declared = new Map<JSONSchemaProps, string>();

  constructor(private readonly env: Environment) {}

  /** The CEL type of a value of schema `s` at `path` (the type's name), declaring object types on the way. */
  typeOf(s: JSONSchemaProps | undefined, path: string, resource = false): string {
    if (!s || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'] || s.nullable) return 'dyn';
    switch (s.type) {
      case 'array': {
        const items = itemsSchema(s);
        const t = this.typeOf(items, `${path}.__items__`, items?.['x-kubernetes-embedded-resource'] === true);
        return t === 'dyn' ? 'list' : `list<${t}>`;
      }
      case 'object':
        return this.objectType(s, path, resource || s['x-kubernetes-embedded-resource'] === true);
      case 'string':
        return formatTypes[s.format ?? ''] ?? 'string';
      default:
        return scalarTypes[s.type ?? ''] ?? 'dyn';
    }
  }

  private objectType(s: JSONSchemaProps, path: string, resource: boolean): string {
    const add = additionalSchema(s);
    if (add || s.additionalProperties === true) {
      const v = add ? this.typeOf(add, `${path}.__values__`, add['x-kubernetes-embedded-resource'] === true) : 'dyn';
      return v === 'dyn' ? 'map' : `map<string, ${v}>`;
    }
    const known = this.declared.get(s);
    if (known) return known;
    const name = path;
    this.declared.set(s, name);
    const fields: Record<string, string> = {};
    if (resource) {
      fields.apiVersion = 'string';
      fields.kind = 'string';
      fields.metadata = this.objectType(resourceMeta, `${path}.metadata`, false);
    }
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      fields[escapeCELName(k)] = this.typeOf(sub, `${path}.${escapeCELName(k)}`, sub?.['x-kubernetes-embedded-resource'] === true);
    }
    this.env.registerType(name, { ctor: schemaClass(s), fields });
    // The library derives != from ==.
    this.env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => celEquals(a, b));
    return name;
  }
}

/** Declares the types of `schema` in `env` (a rule's environment) and gives self's type. */
export function declareSchemaTypes(env: Environment, schema: JSONSchemaProps, isRoot: boolean): string {
  return new Declarer(env).typeOf(schema, 'Object', isRoot);
}
