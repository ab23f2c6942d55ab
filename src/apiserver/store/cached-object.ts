// One object as the watch cache holds it: parsed once, serialized once, shared by every reader.
// Readers must treat `obj` as immutable and clone before changing it.
import type { KeyValue } from '../../storage/backend.js';
import type { KubeObject } from '../../api/meta.js';
import { shareFieldsV1 } from '../../machinery/fieldmanager/intern.js';

export class CachedObject {
  private serialized: string | undefined;
  constructor(
    readonly key: string,
    readonly obj: KubeObject,
    readonly revision: number,
  ) {}

  static fromKeyValue(kv: KeyValue): CachedObject {
    const obj = JSON.parse(kv.value) as KubeObject;
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(kv.modRevision);
    shareFieldsV1(obj);
    return new CachedObject(kv.key, obj, kv.modRevision);
  }

  /** A deleted object carries the deletion's revision as its resourceVersion, as upstream's watch does. */
  withRevision(revision: number): CachedObject {
    const obj = { ...this.obj, metadata: { ...this.obj.metadata, resourceVersion: String(revision) } };
    return new CachedObject(this.key, obj, revision);
  }

  json(): string {
    this.serialized ??= JSON.stringify(this.obj);
    return this.serialized;
  }

  private lines: Partial<Record<CacheEventType, string>> | undefined;

  /** The watch event line for this object, built once however many watchers send it. */
  watchLine(type: CacheEventType): string {
    this.lines ??= {};
    return (this.lines[type] ??= `{"type":"${type}","object":${this.json()}}\n`);
  }

  /** A deep copy the caller may change. */
  mutable(): KubeObject {
    return JSON.parse(this.json()) as KubeObject;
  }
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  object: CachedObject;
  /** The object before this event (absent for ADDED). */
  prev?: CachedObject;
  revision: number;
}
