// Shared by the api unit tests: compare error lists by what kubectl shows (field, type, text).
import assert from 'node:assert/strict';
import { errorString, type FieldError, type FieldErrorType } from '../../../src/machinery/field.js';
import { builtinEntries } from '../../../src/apiserver/registry/builtin.js';
import type { Strategy } from '../../../src/apiserver/registry/entry.js';

export interface Expect {
  field: string;
  type: FieldErrorType;
  /** When given, the full `field: Type: value: detail` line must equal this. */
  message?: string;
}

export function assertErrors(errs: FieldError[], want: Expect[] | number, label: string): void {
  const shown = errs.map(errorString).join('\n  ');
  if (typeof want === 'number') {
    assert.equal(errs.length, want, `${label}: want ${want} errors, got ${errs.length}:\n  ${shown}`);
    return;
  }
  assert.equal(errs.length, want.length, `${label}: want ${want.length} errors, got:\n  ${shown}`);
  want.forEach((w, i) => {
    const e = errs[i]!;
    assert.equal(e.field, w.field, `${label}: error ${i} field (${shown})`);
    assert.equal(e.type, w.type, `${label}: error ${i} type (${shown})`);
    if (w.message !== undefined) assert.equal(errorString(e), w.message, `${label}: error ${i} text`);
  });
}

/** A deep copy so table cases can tweak a fresh object. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The strategy of a built-in kind, as the API server's registry entry for it holds it. */
export function strategyFor(kind: string): Strategy {
  const e = builtinEntries.find((x) => x.info.kind === kind);
  if (!e) throw new Error(`no registry entry for ${kind}`);
  return e.strategy;
}
