// One object as the watch cache holds it: parsed once, serialized once, shared by every reader.
// Readers must treat `obj` as immutable and clone before changing it.
import type { KeyValue } from '../../storage/backend.js';
import type { KubeObject } from '../../api/meta.js';
import { shareFieldsV1 } from '../../machinery/fieldmanager/intern.js';

export class CachedObject {
  private parsed: KubeObject | undefined;
  private serialized: string | undefined;
  /**
   * The stored JSON (without resourceVersion) of an object read from storage, parsed only when
   * someone asks for `obj`. A create that no watcher with a selector and no reader looks at
   * costs the cache no JSON.parse, and a watch line is the stored text with the revision put in.
   */
  private stored: string | undefined;

  constructor(
    readonly key: string,
    obj: KubeObject | undefined,
    readonly revision: number,
    stored?: string,
  ) {
    this.parsed = obj;
    this.stored = obj ? undefined : stored;
  }

  static fromKeyValue(kv: KeyValue): CachedObject {
    return new CachedObject(kv.key, undefined, kv.modRevision, kv.value);
  }

  /** The object's apiVersion, read off the stored text's head when the object is not parsed. */
  get apiVersion(): string | undefined {
    const text = this.parsed ? undefined : (this.stored ?? this.serialized);
    const head = text === undefined ? null : storedHead.exec(text);
    return head ? head[1] : this.obj.apiVersion;
  }

  /** The object, parsed on first use (from whichever text is kept). Readers must not change it. */
  get obj(): KubeObject {
    if (this.parsed) return this.parsed;
    const obj = JSON.parse((this.stored ?? this.serialized)!) as KubeObject;
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(this.revision);
    shareFieldsV1(obj);
    this.parsed = obj;
    this.stored = undefined;
    return obj;
  }

  /** A deleted object carries the deletion's revision as its resourceVersion, as upstream's watch does. */
  withRevision(revision: number): CachedObject {
    if (this.stored !== undefined) return new CachedObject(this.key, undefined, revision, this.stored);
    const obj = { ...this.obj, metadata: { ...this.obj.metadata, resourceVersion: String(revision) } };
    return new CachedObject(this.key, obj, revision);
  }

  json(): string {
    if (this.serialized !== undefined) return this.serialized;
    const spliced = this.stored === undefined ? undefined : withResourceVersion(this.stored, this.revision);
    this.serialized = spliced ?? JSON.stringify(this.obj);
    // One text per object: the serialized one says everything the stored one did.
    if (spliced !== undefined) this.stored = undefined;
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

const storedHead = /^\{"apiVersion":"([^"\\]*)","kind":"[^"\\]*","metadata":\{/;

/**
 * Stored JSON as the store's encode() writes it (apiVersion, kind, then metadata, which never
 * holds resourceVersion) with the revision put first in metadata; undefined for any other text,
 * which is then parsed and serialized instead.
 */
function withResourceVersion(stored: string, revision: number): string | undefined {
  const head = storedHead.exec(stored);
  if (!head) return undefined;
  const at = head[0].length;
  const rv = `"resourceVersion":"${revision}"`;
  return stored.slice(0, at) + (stored[at] === '}' ? rv : rv + ',') + stored.slice(at);
}

/**
 * The answer to a write (a create, an update, a delete that only marks the object): the text just
 * stored with its revision put in, which says what the written object says (upstream answers
 * with the object as stored), so the answer costs no JSON.stringify — for a large object (a big
 * ConfigMap or custom resource) the largest part of answering. Held weakly by the object; whoever
 * changes the object after its write must not use this (the handlers answer with it unchanged).
 */
const writtenText = new WeakMap<KubeObject, string>();

export function rememberStoredText(obj: KubeObject, stored: string, revision: number): void {
  const text = withResourceVersion(stored, revision);
  if (text !== undefined) writtenText.set(obj, text);
}

/** The text rememberStoredText kept for `obj`, if any. */
export function storedText(obj: KubeObject): string | undefined {
  return writtenText.get(obj);
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  object: CachedObject;
  /** The object before this event (absent for ADDED). */
  prev?: CachedObject;
  revision: number;
}
