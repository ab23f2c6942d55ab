// additionalPrinterColumns evaluated for `kubectl get` tables, as apiextensions' tableconvertor
// does: the name column, then each column's JSONPath over the object, several results joined
// with ",", and a missing value as an empty cell (null). The result is the API server's table
// Printer, so the registry prints custom resources as it prints built-in kinds.
import { col, nameCol, type Printer } from '../../apiserver/tables/types.js';
import { since } from '../../apiserver/tables/duration.js';
import { evaluateJSONPath, parseJSONPath, type ParsedPath } from './jsonpath.js';
import type { CustomResourceColumnDefinition } from './types.js';

function cellValue(values: unknown[], type: string, now: Date): unknown {
  if (values.length === 0) return null;
  if (values.length === 1) {
    const v = values[0];
    if (v === null || v === undefined) return null;
    if (typeof v === 'object') return JSON.stringify(v);
    if (type === 'integer' && typeof v === 'number') return Math.trunc(v);
    // As upstream's cellForJSONValue: a date column reads as an age (`5s`, `3h1m`), `<invalid>` when unparsable.
    if (type === 'date' && typeof v === 'string') return Number.isNaN(Date.parse(v)) ? '<invalid>' : since(v, now);
    return v;
  }
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

/** The columns upstream shows when a CRD defines none: Name and Age. */
export const defaultPrinterColumns: CustomResourceColumnDefinition[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The table printer of one CRD version. */
export function printerColumns(cols: readonly CustomResourceColumnDefinition[]): Printer<unknown> {
  const parsed: { def: CustomResourceColumnDefinition; path: ParsedPath | Error }[] = cols.map((c) => ({ def: c, path: parseJSONPath(c.jsonPath ?? '') }));
  return {
    columns: [nameCol(), ...parsed.map(({ def }) => col(def.name ?? '', def.type ?? 'string', def.description ?? '', def.priority ?? 0, def.format ?? ''))],
    cells(obj: unknown, now: Date): unknown[] {
      const meta = (obj as { metadata?: { name?: string } } | null)?.metadata;
      return [meta?.name ?? '', ...parsed.map(({ def, path }) => (path instanceof Error ? null : cellValue(evaluateJSONPath(path, obj), def.type ?? 'string', now)))];
    },
  };
}
