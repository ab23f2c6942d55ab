// Shared fixtures for the table tests: a fixed clock and timestamps relative to it.
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import type { KubeObject } from '../../../src/api/meta.js';

export const NOW = new Date('2026-01-10T12:00:00Z');

/** RFC 3339 time `seconds` before NOW (negative: in the future). */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The cells of one object's row, every column included. */
export function cellsOf(resource: string, group: string, obj: unknown): unknown[] {
  const t = toTable(printerFor(resource, group), [obj as KubeObject], { now: NOW });
  return t.rows[0]!.cells;
}

/** Only the default (priority 0) cells, what `kubectl get` shows without -o wide. */
export function narrowCellsOf(resource: string, group: string, obj: unknown): unknown[] {
  const t = toTable(printerFor(resource, group), [obj as KubeObject], { now: NOW });
  return t.rows[0]!.cells.filter((_, i) => t.columnDefinitions[i]!.priority === 0);
}
