// One label selector requirement (apimachinery labels.Requirement): construction with upstream's
// validation messages, matching against a label set, and its canonical string form.
import { goStringSlice } from '../goformat.js';
import { isQualifiedName, isValidLabelValue } from './validate.js';

/** selection.Operator values, spelled as upstream spells them. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

export const binaryOperators: readonly Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const validOperators: readonly Operator[] = [...binaryOperators, 'exists', '!'];

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** As given (the parser passes them sorted and de-duplicated). */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

/** Error whose message is Go's error text for a failed requirement, e.g. `key: Invalid value: ...`. */
export class RequirementError extends Error {
  override name = 'RequirementError';
}

function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${value}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message bare, several de-duplicated in brackets. */
export function aggregateMessages(msgs: readonly string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}

/** The label key check the parser runs (upstream reports it with a nil path, printed `<nil>`). */
export function labelKeyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalid(path, JSON.stringify(key), errs.join('; ')) : undefined;
}

/**
 * labels.NewRequirement. `values` null stands for a nil Go slice (LabelSelectorAsSelector passes one
 * when an expression has no values), which upstream prints as `[]string(nil)`.
 */
export function newRequirement(key: string, operator: string, values: readonly string[] | null): Requirement {
  const errs: string[] = [];
  const keyErr = labelKeyError(key, 'key');
  if (keyErr) errs.push(keyErr);
  const vals = values ?? [];
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(invalid('values', goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(invalid('values', goStringSlice(values), 'exact-match compatibility requires one single value'));
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(invalid('values', goStringSlice(values), 'values set must be empty for exists and does not exist'));
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(invalid('values', goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(`values[${i}]`, JSON.stringify(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${JSON.stringify(operator)}: supported values: ${validOperators
          .map((o) => JSON.stringify(o))
          .join(', ')}`,
      );
  }
  vals.forEach((v, i) => {
    const verrs = isValidLabelValue(v);
    if (verrs.length) errs.push(invalid(`values[${i}][${key}]`, JSON.stringify(v), verrs.join('; ')));
  });
  if (errs.length) throw new RequirementError(aggregateMessages(errs));
  return { key, operator: operator as Operator, values: [...vals] };
}

/** strconv.ParseInt(s, 10, 64): optional sign and decimal digits within int64 range. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

/** Requirement.Matches. */
export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return val !== undefined && r.values.includes(val);
    case 'notin':
    case '!=':
      return val === undefined || !r.values.includes(val);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (val === undefined || r.values.length !== 1) return false;
      const lv = parseInt64(val);
      const rv = parseInt64(r.values[0]!);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

function byteOrder(a: string, b: string): number {
  // Go compares strings bytewise; for UTF-16 code units this matches outside surrogate pairs.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Requirement.String: `key=v`, `key in (a,b)` with values sorted, `!key`, `key>1`. */
export function requirementString(r: Requirement): string {
  const opText: Record<Operator, string> = {
    '=': '=',
    '==': '==',
    '!=': '!=',
    in: ' in ',
    notin: ' notin ',
    gt: '>',
    lt: '<',
    exists: '',
    '!': '',
  };
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort(byteOrder).join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${opText[r.operator]}${set ? `(${vals})` : vals}`;
}
