// Events: LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE (between OBJECT and MESSAGE)
// and FIRST SEEN COUNT NAME at the end. The same printer serves core/v1 and events.k8s.io/v1 Events.
import type { Event } from '../../api/core.js';
import { parseTime, since } from './duration.js';
import { col, type Printer } from './types.js';

type AnyEvent = Event & {
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
  // events.k8s.io/v1 spells these differently from core/v1.
  regarding?: Event['involvedObject'];
  note?: string;
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
  deprecatedSource?: { component?: string; host?: string };
};

/** The fields the printer reads, whichever API version the Event came from. */
function normalize(e: AnyEvent) {
  return {
    involved: e.involvedObject ?? e.regarding ?? {},
    message: e.message ?? e.note ?? '',
    first: e.firstTimestamp ?? e.deprecatedFirstTimestamp,
    last: e.lastTimestamp ?? e.deprecatedLastTimestamp,
    count: e.count ?? e.deprecatedCount ?? 0,
    source: e.source ?? e.deprecatedSource ?? {},
    reportingController: e.reportingComponent ?? e.reportingController ?? '',
  };
}

/** SOURCE: component (or reporting controller), then ", host" (or reporting instance) when known. */
function eventSource(e: AnyEvent, reportingController: string, source: { component?: string; host?: string }): string {
  const component = source.component || reportingController;
  const instance = source.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer<AnyEvent> = {
  columns: [
    col('Last Seen', 'string', 'Time since the event was last observed.'),
    col('Type', 'string', 'Normal or Warning.'),
    col('Reason', 'string', 'A short machine-readable reason for the event.'),
    col('Object', 'string', 'The object the event is about, as kind/name.'),
    col('Subobject', 'string', 'The part of the object the event is about, such as a container.', 1),
    col('Source', 'string', 'The component that reported the event.', 1),
    col('Message', 'string', 'What happened, in words.'),
    col('First Seen', 'string', 'Time since the event was first observed.', 1),
    col('Count', 'string', 'How often the event has occurred.', 1),
    col('Name', 'string', 'Name of the Event object.', 1, 'name'),
  ],
  cells(e, now) {
    const n = normalize(e);
    // New-style events carry only eventTime; fall back to it for FIRST SEEN and from there to LAST SEEN.
    const first = parseTime(n.first) ? since(n.first, now) : since(e.eventTime ?? undefined, now);
    let last = parseTime(n.last) ? since(n.last, now) : first;
    let count = n.count;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      // A singleton event of the new API has no count: it happened once.
      count = 1;
    }
    const kind = (n.involved.kind ?? '').toLowerCase();
    const target = n.involved.name ? `${kind}/${n.involved.name}` : kind;
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      n.involved.fieldPath ?? '',
      eventSource(e, n.reportingController, n.source),
      n.message.trim(),
      first,
      count,
      e.metadata.name ?? '',
    ];
  },
};
