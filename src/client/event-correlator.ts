// client-go's EventCorrelator (tools/record/events_cache.go), without I/O: decides for each new
// Event whether it is
//  - dropped by the spam filter (a source may burst 25 events about one object, then 1 per 5 min),
//  - folded into an aggregate: the 10th distinct message with the same source, object, type and
//    reason within 10 minutes becomes "(combined from similar events): <message>",
//  - a repeat of an Event seen within 10 minutes: then the caller patches that Event's count,
//    lastTimestamp and message instead of creating another.
import type { Event } from '../api/core.js';
import { LRU } from './lru.js';
import { TokenBucket } from './token-bucket.js';
import { metaTime } from '../machinery/time.js';

const maxLruCacheEntries = 4096;
const aggregateMaxEvents = 10;
const aggregateIntervalMs = 600_000;
/** Repeats further apart than this start a new Event. */
const dedupIntervalMs = 600_000;
const spamBurst = 25;
const spamQps = 1 / 300;

export interface CorrelateResult {
  /** The Event to write: a new one (count 1) or the repeated one (count > 1, existing name). */
  event: Event;
  /** For repeats: the strategic merge patch to send instead of a create. */
  patch?: { count: number; lastTimestamp: string; message: string };
  /** The spam filter dropped it. */
  skip: boolean;
}

interface Observation {
  count: number;
  firstTimestamp: string;
  name: string;
  lastMs: number;
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function eventTimestamp(d: Date): string {
  return metaTime(d);
}

const join = (parts: (string | undefined)[]) => parts.map((p) => p ?? '').join('\u0000');

function objectKey(ev: Event): (string | undefined)[] {
  const o = ev.involvedObject;
  return [ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion];
}

/** getEventKey: everything that makes two Events the same one. */
export function eventKey(ev: Event): string {
  const o = ev.involvedObject;
  return join([ev.source?.component, ev.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, ev.type, ev.reason, ev.message]);
}

export class EventCorrelator {
  private readonly aggregates = new LRU<string, { messages: Set<string>; lastMs: number }>(maxLruCacheEntries);
  private readonly observations = new LRU<string, Observation>(maxLruCacheEntries);
  private readonly spam = new LRU<string, TokenBucket>(maxLruCacheEntries);
  private seq = 0n;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** `<object name>.<hex nanoseconds>`, unique even for two Events in one millisecond. */
  eventName(objectName: string, at: Date): string {
    const nanos = BigInt(at.getTime()) * 1_000_000n + (this.seq++ % 1_000_000n);
    return `${objectName}.${nanos.toString(16)}`;
  }

  correlate(input: Event): CorrelateResult {
    const at = this.now();
    const nowMs = at.getTime();
    let event = input;
    let key = eventKey(event);

    // Aggregation of similar events (differing only in message).
    const aggKey = join([...objectKey(event), event.type, event.reason, event.reportingComponent, event.reportingInstance]);
    let agg = this.aggregates.get(aggKey);
    if (!agg || nowMs - agg.lastMs > aggregateIntervalMs) agg = { messages: new Set(), lastMs: nowMs };
    agg.messages.add(event.message ?? '');
    agg.lastMs = nowMs;
    this.aggregates.set(aggKey, agg);
    if (agg.messages.size >= aggregateMaxEvents) {
      // Keep the set from growing past the threshold.
      agg.messages.delete(agg.messages.values().next().value!);
      const ts = eventTimestamp(at);
      event = {
        ...event,
        metadata: { name: this.eventName(event.involvedObject.name ?? '', at), namespace: event.metadata.namespace! },
        count: 1,
        firstTimestamp: ts,
        lastTimestamp: ts,
        message: `(combined from similar events): ${event.message ?? ''}`,
      };
      key = aggKey;
    }

    // Repeats of the same Event.
    let patch: CorrelateResult['patch'];
    const last = this.observations.get(key);
    if (last && nowMs - last.lastMs <= dedupIntervalMs) {
      event = { ...event, metadata: { ...event.metadata, name: last.name }, firstTimestamp: last.firstTimestamp, count: last.count + 1 };
      patch = { count: event.count!, lastTimestamp: event.lastTimestamp!, message: event.message ?? '' };
    }
    this.observations.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp!, name: event.metadata.name!, lastMs: nowMs });

    return patch ? { event, patch, skip: this.filter(event, nowMs) } : { event, skip: this.filter(event, nowMs) };
  }

  /** The token bucket per source and object; true means drop. */
  private filter(ev: Event, nowMs: number): boolean {
    const k = join(objectKey(ev));
    const b = this.spam.get(k) ?? new TokenBucket(spamQps, spamBurst, nowMs);
    const accept = b.tryAccept(nowMs);
    this.spam.set(k, b);
    return !accept;
  }
}
