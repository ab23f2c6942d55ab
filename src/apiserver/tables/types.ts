// The meta.k8s.io/v1 Table wire shape, as kubectl's table printer decodes it.

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
  conditions?: unknown[];
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** One resource's printer: its columns (wide ones with priority 1) and how one object becomes cells. */
export interface Printer<T = never> {
  columns: TableColumnDefinition[];
  /** Cells for every column, wide ones included: the apiserver always prints wide, kubectl hides priority > 0. */
  cells(obj: T, now: Date): unknown[];
  /** Row conditions (pods mark finished rows as Completed). */
  conditions?(obj: T): TableRowCondition[] | undefined;
}

/** Shorthand for a column definition; format is only ever "name" or empty for the kinds we print. */
export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The first column of nearly every kind: the object's name. */
export function nameCol(): TableColumnDefinition {
  return col('Name', 'string', 'Name of the object, unique within its namespace.', 0, 'name');
}

/** The Age column every printer ends its default columns with. */
export function ageCol(): TableColumnDefinition {
  return col('Age', 'string', 'Time since the object was created.');
}
