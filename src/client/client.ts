// The one way components other than the API server see the cluster. `kubesvc up` wires an
// in-process implementation (calls the registry directly); separate processes use the HTTP
// implementation. Both behave the same and pass one shared test suite. Errors are StatusErrors
// (src/machinery/status.ts) with upstream's reasons, whichever implementation raised them.
import type { KubeList, KubeObject } from '../api/meta.js';
import type { Status } from '../machinery/status.js';

/** Which resource a call is about: {group: 'apps', version: 'v1', resource: 'deployments'}. */
export interface ResourceRef {
  group: string;
  version: string;
  /** Plural, lower case. */
  resource: string;
  namespaced: boolean;
  kind: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "" (consistent, the default) or "0" (any). */
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this resourceVersion; absent or "0": start with synthetic ADDED events. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** For ERROR events, a Status (e.g. code 410 when the resourceVersion is too old). */
  object: T | (Status & KubeObject);
}

export interface WatchHandle {
  /** Ends the watch; onClose is then called without an error. */
  stop(): void;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply only: take fields other managers own instead of failing with a conflict. */
  force?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** `apply` is server-side apply: the patch is the applied configuration (a fieldManager is required). */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface Client {
  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>>;
  /**
   * POST. With `subresource`, posts `obj` to that subresource of the object named by
   * obj.metadata.name (e.g. pods/<name>/binding) and resolves with what the server answered
   * (for a binding, a Success Status).
   */
  create<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T>;
  /** PUT; `subresource` 'status' writes status only (as /status does). */
  update<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T>;
  /** Resolves with the object as the server answered (still present while finalizers or a grace period hold it). */
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined>;
  /**
   * Streams events to `onEvent` until stopped or the server ends the watch; `onClose` is called
   * once either way, with the error when it failed (a StatusError 410 for a too-old resourceVersion
   * arrives as an ERROR event first, as upstream sends it).
   */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: Error) => void,
  ): WatchHandle;
}
