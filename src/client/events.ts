// client-go's event recorder for core/v1 Events: each call writes an Event about an object,
// named `<object name>.<hex nanoseconds>` in the object's namespace ("default" for cluster-scoped
// objects). Repeats of the same event (same object, type, reason and message) within ten
// minutes bump the existing Event's count and lastTimestamp with a patch instead of creating
// another, as the event correlator does. Recording never throws: failures are logged.
import type { KubeObject } from '../api/meta.js';
import type { Event, ObjectReference } from '../api/core.js';
import { isNotFound } from '../machinery/status.js';
import { logger, errorText } from '../util/log.js';
import type { Client } from './client.js';
import { R } from './resources.js';

const log = logger('events');

/** How long a repeat still counts as the same Event. */
const aggregationWindowMs = 10 * 60 * 1000;
/** client-go's correlator remembers this many distinct events. */
const maxCachedEvents = 4096;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastMs: number;
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  /** Writes go one at a time, in call order, so a repeat always finds the Event its first created. */
  private chain: Promise<void> = Promise.resolve();
  private seq = 0n;

  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly host?: string,
  ) {}

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    let ref: ObjectReference;
    try {
      ref = referenceTo(obj);
    } catch (e) {
      log.error(`could not make a reference to the object for event ${reason}`, errorText(e));
      return;
    }
    const now = new Date();
    this.chain = this.chain.then(() => this.record(ref, type, reason, message, now)).catch((e: unknown) => {
      const what = `${ref.kind ? ref.kind + ' ' : ''}${ref.namespace ? ref.namespace + '/' : ''}${ref.name ?? ''}`;
      log.error(`event ${reason} about ${what} was not recorded`, errorText(e));
    });
  }

  /** Resolves once every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  private key(ref: ObjectReference, type: string, reason: string, message: string): string {
    return JSON.stringify([
      this.component,
      this.host ?? '',
      ref.kind,
      ref.namespace,
      ref.name,
      ref.fieldPath,
      ref.uid,
      ref.apiVersion,
      type,
      reason,
      message,
    ]);
  }

  /** Nanoseconds since the epoch, kept unique so two events in one millisecond get two names. */
  private nanos(at: Date): bigint {
    const n = BigInt(at.getTime()) * 1_000_000n + (this.seq++ % 1_000_000n);
    return n;
  }

  private async record(ref: ObjectReference, type: string, reason: string, message: string, at: Date): Promise<void> {
    const key = this.key(ref, type, reason, message);
    const ts = timestamp(at);
    const prev = this.seen.get(key);
    if (prev && at.getTime() - prev.lastMs <= aggregationWindowMs) {
      const count = prev.count + 1;
      try {
        await this.client.patch(R.events, prev.namespace, prev.name, 'strategic', { count, lastTimestamp: ts, message });
        this.remember(key, { ...prev, count, lastMs: at.getTime() });
        return;
      } catch (e) {
        // Someone deleted it (or it expired): start over with a new Event, keeping the count.
        if (!isNotFound(e)) throw e;
        await this.create(key, ref, type, reason, message, at, count, prev.firstTimestamp);
        return;
      }
    }
    await this.create(key, ref, type, reason, message, at, 1, ts);
  }

  private async create(
    key: string,
    ref: ObjectReference,
    type: string,
    reason: string,
    message: string,
    at: Date,
    count: number,
    firstTimestamp: string,
  ): Promise<void> {
    const namespace = ref.namespace || 'default';
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name ?? ''}.${this.nanos(at).toString(16)}`, namespace },
      involvedObject: ref,
      reason,
      message,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp,
      lastTimestamp: timestamp(at),
      count,
      type: type as 'Normal' | 'Warning',
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    const created = await this.client.create<Event>(R.events, namespace, ev);
    this.remember(key, {
      name: created.metadata.name!,
      namespace,
      count,
      firstTimestamp,
      lastMs: at.getTime(),
    });
  }

  private remember(key: string, s: Seen): void {
    // Re-inserting moves the key to the end: the Map's order is least recently used first.
    this.seen.delete(key);
    this.seen.set(key, s);
    if (this.seen.size > maxCachedEvents) this.seen.delete(this.seen.keys().next().value!);
  }
}

/** client-go's reference.GetReference: who the event is about. */
export function referenceTo(obj: KubeObject): ObjectReference {
  if (!obj?.metadata?.name) throw new Error('the object has no name');
  const ref: ObjectReference = { name: obj.metadata.name };
  if (obj.kind) ref.kind = obj.kind;
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}
