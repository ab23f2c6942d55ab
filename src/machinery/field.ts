// Field errors as apimachinery's util/validation/field prints them, so that kubectl users see
// upstream's exact wording, e.g.
//   spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. ...

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marker for errors whose value upstream omits from the message. */
export const omitValue = Symbol('omitValue');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue: unknown;
  detail: string;
}

/** A field path such as `spec.ports[0].name`, built the way field.Path is. */
export class Path {
  private constructor(private readonly text: string) {}
  static root(name: string, ...more: string[]): Path {
    let p = new Path(name);
    for (const m of more) p = p.child(m);
    return p;
  }
  child(name: string, ...more: string[]): Path {
    let p = new Path(this.text ? `${this.text}.${name}` : name);
    for (const m of more) p = p.child(m);
    return p;
  }
  index(i: number): Path {
    return new Path(`${this.text}[${i}]`);
  }
  key(k: string): Path {
    return new Path(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

function mk(type: FieldErrorType, path: Path | string, badValue: unknown, detail: string): FieldError {
  return { type, field: String(path), badValue, detail };
}

export const fieldErr = {
  invalid: (p: Path | string, v: unknown, detail: string) => mk('FieldValueInvalid', p, v, detail),
  required: (p: Path | string, detail = '') => mk('FieldValueRequired', p, '', detail),
  duplicate: (p: Path | string, v: unknown) => mk('FieldValueDuplicate', p, v, ''),
  notFound: (p: Path | string, v: unknown) => mk('FieldValueNotFound', p, v, ''),
  forbidden: (p: Path | string, detail: string) => mk('FieldValueForbidden', p, '', detail),
  tooLong: (p: Path | string, v: unknown, max: number) =>
    mk('FieldValueTooLong', p, v, max >= 0 ? `may not be more than ${max} bytes` : 'value is too long'),
  tooMany: (p: Path | string, actual: number, max: number) =>
    mk('FieldValueTooMany', p, actual, max >= 0 ? `must have at most ${max} items` : 'has too many items'),
  internal: (p: Path | string, err: string) => mk('InternalError', p, null, err),
  /** `supported values: "SCTP", "TCP", "UDP"` — upstream sorts nothing; callers pass the order upstream prints. */
  notSupported: (p: Path | string, v: unknown, valid: readonly string[]) =>
    mk(
      'FieldValueNotSupported',
      p,
      v,
      valid.length ? `supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}` : '',
    ),
};

/**
 * A value upstream prints with Go's `%#v` (a struct that is no Stringer, e.g.
 * `rbac.RoleRef{APIGroup:"...", Kind:"Role", Name:"x"}`): the caller spells it, the message keeps it as is.
 */
export class GoSyntax {
  constructor(readonly text: string) {}
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof GoSyntax) return v.text;
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return JSON.stringify(v);
  }
}

/** The part after the field path: `Invalid value: "x": detail`. Used as a Status cause's message. */
export function errorBody(e: FieldError): string {
  let s: string;
  const plain = ['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError'];
  if (plain.includes(e.type) || e.badValue === omitValue) s = typeText[e.type];
  else s = `${typeText[e.type]}: ${formatValue(e.badValue)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** As utilerrors.NewAggregate(...).Error(): one error bare, several in brackets. */
export function aggregate(errs: readonly FieldError[]): string {
  const msgs: string[] = [];
  for (const e of errs) {
    const s = errorString(e);
    if (!msgs.includes(s)) msgs.push(s);
  }
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
