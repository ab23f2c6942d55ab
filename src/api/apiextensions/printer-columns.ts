// additionalPrinterColumns evaluated for `kubectl get` tables, as apiextensions' tableconvertor
// does: each column's JSONPath over the object, several results joined with ",", dates shown as
// ages by kubectl (the cell keeps the timestamp), and a missing value as an empty cell (null).
import { evaluateJSONPath, parseJSONPath, type ParsedPath } from './jsonpath.js';
import type { CustomResourceColumnDefinition } from './types.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface PrinterColumns {
  definitions: TableColumnDefinition[];
  cells(obj: unknown): unknown[];
}

function cellValue(values: unknown[], type: string): unknown {
  if (values.length === 0) return null;
  if (values.length === 1) {
    const v = values[0];
    if (v === null || v === undefined) return null;
    if (typeof v === 'object') return JSON.stringify(v);
    if (type === 'integer' && typeof v === 'number') return Math.trunc(v);
    return v;
  }
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

/** Table columns for a version: Name first, then its printer columns (Age is a `date` column of the CRD). */
export function printerColumns(cols: readonly CustomResourceColumnDefinition[]): PrinterColumns {
  const parsed: { def: CustomResourceColumnDefinition; path: ParsedPath | Error }[] = cols.map((c) => ({ def: c, path: parseJSONPath(c.jsonPath ?? '') }));
  const definitions: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...parsed.map(({ def }) => ({
      name: def.name ?? '',
      type: def.type ?? 'string',
      format: def.format ?? '',
      description: def.description ?? '',
      priority: def.priority ?? 0,
    })),
  ];
  return {
    definitions,
    cells(obj: unknown): unknown[] {
      const meta = (obj as { metadata?: { name?: string } } | null)?.metadata;
      return [meta?.name ?? '', ...parsed.map(({ def, path }) => (path instanceof Error ? null : cellValue(evaluateJSONPath(path, obj), def.type ?? 'string')))];
    },
  };
}

/** The columns upstream shows when a CRD defines none: Name and Age. */
export const defaultPrinterColumns: CustomResourceColumnDefinition[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];
