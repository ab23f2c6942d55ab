// Rules ConfigMap and Secret share: their keys become file names in volumes, their values
// together may not exceed MaxSecretSize, and once `immutable` is set their contents stay.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import { isConfigMapKey } from './names.js';

/** core's MaxSecretSize: 1 MiB, the bound on a ConfigMap's or Secret's values together. */
export const MaxSecretSize = 1024 * 1024;

/** Decoded length of base64 text (a []byte field in JSON); the text was checked when decoded. */
export function base64ByteLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

/**
 * Invalid keys of one map, keys sorted (upstream ranges over a Go map, so its order varies from
 * call to call; sorted at least gives the same answer twice).
 */
export function validateDataKeys(bag: Record<string, unknown> | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(bag ?? {}).sort()) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldErr.invalid(path.key(key), key, msg));
  }
  return errs;
}

const immutableMsg = 'field is immutable when `immutable` is set';

/** The Forbidden errors of an update of an object whose old version had `immutable: true`. */
export function validateImmutableData(
  newImmutable: boolean | undefined,
  oldImmutable: boolean | undefined,
  fields: { path: Path; changed: boolean }[],
  immutablePath: Path,
): FieldError[] {
  if (oldImmutable !== true) return [];
  const errs: FieldError[] = [];
  if (newImmutable !== true) errs.push(fieldErr.forbidden(immutablePath, immutableMsg));
  for (const f of fields) if (f.changed) errs.push(fieldErr.forbidden(f.path, immutableMsg));
  return errs;
}

/** Same keys with the same values (a key holding "" differs from no key, unlike semanticEqual). */
export function sameBag(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a![k] === b![k]);
}
