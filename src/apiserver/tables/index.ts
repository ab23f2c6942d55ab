// Server-side printing: objects of one resource as a meta.k8s.io/v1 Table, the way kube-apiserver 1.32
// answers `kubectl get` (see docs/tables.md for the request and watch protocol).
import type { KubeObject } from '../../api/meta.js';
import { defaultPrinter } from './default.js';
import type { IncludeObject, Printer, Table, TableRow } from './types.js';

export type { IncludeObject, Table, TableColumnDefinition, TableRow } from './types.js';

export interface ToTableOptions {
  includeObject?: IncludeObject;
  noHeaders?: boolean;
  now?: Date;
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

/** What a row carries as `object` for each includeObject policy. */
function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  switch (include) {
    case 'Object':
      return obj;
    case 'None':
      // Upstream serialises an empty RawExtension as null rather than leaving the key out.
      return null;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

/** ListMeta with upstream's omitempty rules: empty strings and an absent count are left out. */
function tableMeta(meta: ToTableOptions['listMeta']): Table['metadata'] {
  const out: Table['metadata'] = {};
  if (meta?.resourceVersion) out.resourceVersion = meta.resourceVersion;
  if (meta?.continue) out.continue = meta.continue;
  if (meta?.remainingItemCount !== undefined && meta.remainingItemCount !== null) {
    out.remainingItemCount = meta.remainingItemCount;
  }
  return out;
}

/**
 * Objects of one resource as a Table, with that resource's printer (its registry entry's; the
 * default name/age table when it has none). includeObject defaults to 'Metadata' (rows carry
 * PartialObjectMetadata {kind:'PartialObjectMetadata', apiVersion:'meta.k8s.io/v1', metadata}); noHeaders drops
 * columnDefinitions as upstream does for watch events after the first.
 *
 * Every column is always present, wide ones included (priority 1): kube-apiserver prints wide and leaves it to
 * kubectl to hide priority > 0 columns without `-o wide`. Without listMeta, a single object's resourceVersion
 * becomes the table's, as upstream does when converting one object (a GET by name or a watch event).
 */
export function toTable(
  printerOfResource: Printer<never> | undefined,
  objs: KubeObject[],
  opts: ToTableOptions = {},
): Table {
  const printer = (printerOfResource ?? defaultPrinter) as unknown as Printer<unknown>;
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const rows: TableRow[] = objs.map((obj) => {
    const row: TableRow = { cells: printer.cells(obj, now) };
    const conditions = printer.conditions?.(obj);
    if (conditions && conditions.length > 0) row.conditions = conditions;
    row.object = rowObject(obj, include);
    return row;
  });
  const listMeta =
    opts.listMeta ?? (objs.length === 1 ? { resourceVersion: objs[0]?.metadata.resourceVersion } : undefined);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableMeta(listMeta),
    // Upstream leaves the field nil (JSON null); an empty list keeps the declared type and kubectl treats both
    // alike: no definitions means "reuse the columns you saw last".
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
