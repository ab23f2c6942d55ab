// The table for kinds without a printer of their own: NAME and CREATED AT (apiserver's default convertor).
import type { KubeObject } from '../../api/meta.js';
import { parseTime } from './duration.js';
import { col, nameCol, type Printer } from './types.js';
import { metaTime } from '../../machinery/time.js';

/** Go's time.RFC3339 in UTC: whole seconds, `Z`; a missing time prints as Go's zero time. */
export function rfc3339(ts: string | undefined): string {
  const d = parseTime(ts);
  if (!d) return '0001-01-01T00:00:00Z';
  return metaTime(d);
}

export const defaultPrinter: Printer<KubeObject> = {
  // "date" makes no difference to kubectl, which prints the timestamp as it comes.
  columns: [nameCol(), col('Created At', 'date', 'When the object was created, in UTC.')],
  cells(obj) {
    return [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)];
  },
};
