// /openapi/v2 as protobuf: gnostic's `openapi.v2.Document` (google/gnostic openapiv2/OpenAPIv2.proto).
// kubectl asks for v2 only in this form and parses the body as protobuf whatever its Content-Type;
// it needs it for client-side validation (always used for `kind: List`), `explain
// --output=plaintext-openapiv2`, and as the fallback of apply's patch building.
//
// The encoder walks the Swagger 2.0 JSON document built in v2.ts, so both representations say the
// same thing. Only the parts of the schema language our documents use are written; anything else
// (a keyword gnostic has no field for, such as `nullable`) is left out rather than guessed at.
// Free-form values (vendor extensions, `default`, `enum`, `example`) become gnostic `Any` messages
// carrying a YAML string; JSON text is valid YAML, and kube-openapi reads these with yaml.Unmarshal.
import { createHash } from 'node:crypto';
import { Writer } from '../protobuf/wire.js';
import { memo } from './cache.js';
import type { ServedResource } from './types.js';
import { openapiV2 } from './v2.js';

type Json = Record<string, unknown>;

/** Encoded document plus the ETag value upstream would send for it (SHA-512 of these bytes). */
export interface BuiltProto {
  body: Buffer;
  hash: string;
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A nested message: encoded into its own Writer, then written length-delimited into the parent. */
function msg(w: Writer, num: number, fill: (inner: Writer) => void): void {
  const inner = new Writer();
  fill(inner);
  w.bytes(num, inner.finish());
}

// proto3 leaves fields at their zero value off the wire; oneof members are the exception and are
// written by the callers that need them.
function putString(w: Writer, num: number, v: unknown): void {
  if (typeof v === 'string' && v !== '') w.string(num, v);
}
function putStrings(w: Writer, num: number, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') w.string(num, s);
}
function putBool(w: Writer, num: number, v: unknown): void {
  if (v === true) {
    w.tag(num, 0);
    w.varint(1);
  }
}
function putInt64(w: Writer, num: number, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v !== 0) {
    w.tag(num, 0);
    w.varint(BigInt(Math.trunc(v)));
  }
}
function putDouble(w: Writer, num: number, v: unknown): void {
  if (typeof v === 'number' && v !== 0) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    w.fixed64(num, b);
  }
}

/** gnostic `Any`: only the `yaml` field (2); `value` (a google.protobuf.Any) is for typed payloads. */
function putAny(w: Writer, num: number, v: unknown): void {
  msg(w, num, (a) => a.string(2, JSON.stringify(v) ?? 'null'));
}

/** Every `x-...` key of `o` as repeated NamedAny{name = 1, value = 2} at field `num`. */
function putExtensions(w: Writer, num: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-')) continue;
    msg(w, num, (n) => {
      n.string(1, k);
      putAny(n, 2, v);
    });
  }
}

// ---- Schema ----

function schema(w: Writer, s: Json): void {
  putString(w, 1, s.$ref);
  putString(w, 2, s.format);
  putString(w, 3, s.title);
  putString(w, 4, s.description);
  if (s.default !== undefined) putAny(w, 5, s.default);
  putDouble(w, 6, s.multipleOf);
  putDouble(w, 7, s.maximum);
  putBool(w, 8, s.exclusiveMaximum);
  putDouble(w, 9, s.minimum);
  putBool(w, 10, s.exclusiveMinimum);
  putInt64(w, 11, s.maxLength);
  putInt64(w, 12, s.minLength);
  putString(w, 13, s.pattern);
  putInt64(w, 14, s.maxItems);
  putInt64(w, 15, s.minItems);
  putBool(w, 16, s.uniqueItems);
  putInt64(w, 17, s.maxProperties);
  putInt64(w, 18, s.minProperties);
  putStrings(w, 19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) putAny(w, 20, e);
  // AdditionalPropertiesItem is a oneof {Schema schema = 1; bool boolean = 2}: `false` must be
  // written explicitly, or it would read back as "not set".
  const ap = s.additionalProperties;
  if (isObj(ap)) msg(w, 21, (x) => msg(x, 1, (y) => schema(y, ap)));
  else if (typeof ap === 'boolean') {
    msg(w, 21, (x) => {
      x.tag(2, 0);
      x.varint(ap ? 1 : 0);
    });
  }
  // TypeItem{repeated string value = 1}: JSON Schema allows a list of types.
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : [];
  if (types.length) msg(w, 22, (t) => putStrings(t, 1, types));
  // ItemsItem{repeated Schema schema = 1}: kube-openapi wants exactly one for an array.
  const items = isObj(s.items) ? [s.items] : Array.isArray(s.items) ? s.items.filter(isObj) : [];
  if (items.length) msg(w, 23, (x) => { for (const i of items) msg(x, 1, (y) => schema(y, i)); });
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObj(a)) msg(w, 24, (y) => schema(y, a));
  // Properties{repeated NamedSchema additional_properties = 1}. An empty `properties: {}` is
  // still written: kube-openapi tells a struct (properties present) from a map by it.
  const props = s.properties;
  if (isObj(props)) msg(w, 25, (p) => namedSchemas(p, 1, props));
  putString(w, 26, s.discriminator);
  putBool(w, 27, s.readOnly);
  if (s.example !== undefined) putAny(w, 30, s.example);
  putExtensions(w, 31, s);
}

/** repeated NamedSchema{name = 1, value = 2} at `num`, in the object's key order. */
function namedSchemas(w: Writer, num: number, o: Json): void {
  for (const [name, v] of Object.entries(o)) {
    if (!isObj(v)) continue;
    msg(w, num, (n) => {
      n.string(1, name);
      msg(n, 2, (s) => schema(s, v));
    });
  }
}

// ---- Parameters, responses, operations, paths ----

// Field numbers of the four non-body parameter sub-schemas. Query and formData have
// allow_empty_value at 5, which shifts every later field by one against header and path.
interface SubSchemaFields { oneof: number; type: number; format: number; uniqueItems: number; enum: number; vendor: number; allowEmpty?: number }
const SUB_SCHEMAS: Record<string, SubSchemaFields> = {
  header: { oneof: 1, type: 5, format: 6, uniqueItems: 19, enum: 20, vendor: 22 },
  formData: { oneof: 2, type: 6, format: 7, uniqueItems: 20, enum: 21, vendor: 23, allowEmpty: 5 },
  query: { oneof: 3, type: 6, format: 7, uniqueItems: 20, enum: 21, vendor: 23, allowEmpty: 5 },
  path: { oneof: 4, type: 5, format: 6, uniqueItems: 19, enum: 20, vendor: 22 },
};

/** ParametersItem: oneof {Parameter parameter = 1; JsonReference json_reference = 2}. */
function parametersItem(w: Writer, p: Json): void {
  if (typeof p.$ref === 'string') {
    msg(w, 2, (r) => {
      putString(r, 1, p.$ref);
      putString(r, 2, p.description);
    });
    return;
  }
  // Parameter: oneof {BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2}.
  msg(w, 1, (param) => {
    if (p.in === 'body') {
      msg(param, 1, (b) => {
        putString(b, 1, p.description);
        putString(b, 2, p.name);
        putString(b, 3, p.in);
        putBool(b, 4, p.required);
        const s = p.schema;
        if (isObj(s)) msg(b, 5, (x) => schema(x, s));
        putExtensions(b, 6, p);
      });
      return;
    }
    const f = SUB_SCHEMAS[str(p.in) ?? ''];
    if (!f) return;
    msg(param, 2, (nb) =>
      msg(nb, f.oneof, (x) => {
        putBool(x, 1, p.required);
        putString(x, 2, p.in);
        putString(x, 3, p.description);
        putString(x, 4, p.name);
        if (f.allowEmpty) putBool(x, f.allowEmpty, p.allowEmptyValue);
        putString(x, f.type, p.type);
        putString(x, f.format, p.format);
        putBool(x, f.uniqueItems, p.uniqueItems);
        if (Array.isArray(p.enum)) for (const e of p.enum) putAny(x, f.enum, e);
        putExtensions(x, f.vendor, p);
      }),
    );
  });
}

/** Responses{repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2}. */
function responses(w: Writer, rs: Json): void {
  for (const [code, r] of Object.entries(rs)) {
    if (!isObj(r) || code.startsWith('x-')) continue;
    msg(w, 1, (n) => {
      n.string(1, code);
      // ResponseValue: oneof {Response response = 1; JsonReference json_reference = 2}.
      msg(n, 2, (rv) => {
        if (typeof r.$ref === 'string') {
          msg(rv, 2, (ref) => putString(ref, 1, r.$ref));
          return;
        }
        msg(rv, 1, (resp) => {
          putString(resp, 1, r.description);
          // SchemaItem: oneof {Schema schema = 1; FileSchema file_schema = 2}.
          const s = r.schema;
          if (isObj(s)) msg(resp, 2, (si) => msg(si, 1, (x) => schema(x, s)));
          putExtensions(resp, 5, r);
        });
      });
    });
  }
  putExtensions(w, 2, rs);
}

function operation(w: Writer, o: Json): void {
  putStrings(w, 1, o.tags);
  putString(w, 2, o.summary);
  putString(w, 3, o.description);
  putString(w, 5, o.operationId);
  putStrings(w, 6, o.produces);
  putStrings(w, 7, o.consumes);
  if (Array.isArray(o.parameters)) for (const p of o.parameters) if (isObj(p)) msg(w, 8, (x) => parametersItem(x, p));
  const rs = o.responses;
  if (isObj(rs)) msg(w, 9, (x) => responses(x, rs));
  putStrings(w, 10, o.schemes);
  putBool(w, 11, o.deprecated);
  putExtensions(w, 13, o);
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: Writer, item: Json): void {
  putString(w, 1, item.$ref);
  for (const [m, num] of METHODS) {
    const o = item[m];
    if (isObj(o)) msg(w, num, (x) => operation(x, o));
  }
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObj(p)) msg(w, 9, (x) => parametersItem(x, p));
  putExtensions(w, 10, item);
}

// ---- Document ----

/** Security requirement: SecurityRequirement{repeated NamedStringArray additional_properties = 1}. */
function securityRequirement(w: Writer, req: Json): void {
  for (const [name, scopes] of Object.entries(req)) {
    msg(w, 1, (n) => {
      n.string(1, name);
      msg(n, 2, (sa) => putStrings(sa, 1, scopes));
    });
  }
}

/** SecurityDefinitionsItem; only api-key and basic schemes occur in Kubernetes documents. */
function securityDefinition(w: Writer, d: Json): void {
  if (d.type === 'apiKey') {
    msg(w, 2, (k) => {
      putString(k, 1, d.type);
      putString(k, 2, d.name);
      putString(k, 3, d.in);
      putString(k, 4, d.description);
      putExtensions(k, 5, d);
    });
  } else if (d.type === 'basic') {
    msg(w, 1, (b) => {
      putString(b, 1, d.type);
      putString(b, 2, d.description);
      putExtensions(b, 3, d);
    });
  }
}

/** Encodes a Swagger 2.0 document (as built by v2.ts) as gnostic's openapi.v2.Document. */
export function encodeOpenAPIv2(doc: Json): Buffer {
  const w = new Writer();
  putString(w, 1, doc.swagger);
  const info = doc.info;
  if (isObj(info)) {
    msg(w, 2, (i) => {
      putString(i, 1, info.title);
      putString(i, 2, info.version);
      putString(i, 3, info.description);
      putExtensions(i, 7, info);
    });
  }
  putString(w, 3, doc.host);
  putString(w, 4, doc.basePath);
  putStrings(w, 5, doc.schemes);
  putStrings(w, 6, doc.consumes);
  putStrings(w, 7, doc.produces);
  const paths = doc.paths;
  if (isObj(paths)) {
    // Paths{repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2}.
    msg(w, 8, (p) => {
      putExtensions(p, 1, paths);
      for (const [url, item] of Object.entries(paths)) {
        if (url.startsWith('x-') || !isObj(item)) continue;
        msg(p, 2, (n) => {
          n.string(1, url);
          msg(n, 2, (x) => pathItem(x, item));
        });
      }
    });
  }
  const defs = doc.definitions;
  if (isObj(defs)) msg(w, 9, (d) => namedSchemas(d, 1, defs));
  if (Array.isArray(doc.security)) for (const r of doc.security) if (isObj(r)) msg(w, 12, (x) => securityRequirement(x, r));
  const sd = doc.securityDefinitions;
  if (isObj(sd)) {
    msg(w, 13, (x) => {
      for (const [name, d] of Object.entries(sd)) {
        if (!isObj(d)) continue;
        msg(x, 1, (n) => {
          n.string(1, name);
          msg(n, 2, (item) => securityDefinition(item, d));
        });
      }
    });
  }
  putExtensions(w, 16, doc);
  return Buffer.from(w.finish());
}

const built = memo((resources: ServedResource[]): BuiltProto => {
  const body = encodeOpenAPIv2(openapiV2(resources) as Json);
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
});

/** The v2 document as gnostic protobuf, built once per resource table like the JSON one. */
export function openapiV2ProtoBuilt(resources: ServedResource[]): BuiltProto {
  return built(resources);
}
