// client-go's Reflector: lists a resource, hands the list to the cache, then watches from the
// list's resourceVersion and hands over each event. A watch the server ends is resumed from the
// last resourceVersion seen; a 410 (the server's window no longer reaches back that far) makes
// it relist; other failures retry with backoff.
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../machinery/status.js';
import { logger, errorText } from '../util/log.js';
import type { Client, ResourceRef, WatchEvent, WatchHandle } from './client.js';
import { Backoff } from './backoff.js';

const log = logger('informer');

export interface ReflectorSink<T extends KubeObject> {
  /** The full state as of a list: the cache replaces its contents with it. */
  replace(items: T[], resourceVersion: string): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export interface ReflectorOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** client-go picks each watch's timeout between 5 and 10 minutes so watches do not all end together. */
const minWatchTimeoutSeconds = 300;

/** A watch that ends sooner than this without an event counts as a failure (no hot loop). */
const shortWatchMs = 1000;

function isExpired(err: Error | undefined): boolean {
  return err instanceof StatusError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}

function isTooLargeResourceVersion(err: Error | undefined): boolean {
  return err instanceof StatusError && (err.details?.causes ?? []).some((c) => c.reason === 'ResourceVersionTooLarge');
}

export class Reflector<T extends KubeObject> {
  private stopped = true;
  private watch: WatchHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff();
  /** The resourceVersion the next watch resumes after. */
  lastSyncResourceVersion = '';
  /** 410s since the last watch that delivered something; a second one in a row backs off. */
  private expiredInARow = 0;
  /** Bumped on every (re)start, so callbacks of a superseded list or watch are ignored. */
  private generation = 0;

  constructor(
    private readonly client: Client,
    private readonly res: ResourceRef,
    private readonly opts: ReflectorOptions,
    private readonly sink: ReflectorSink<T>,
  ) {}

  private get name(): string {
    return `${this.res.resource}${this.res.group ? '.' + this.res.group : ''}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.list();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.watch;
    this.watch = undefined;
    w?.stop();
  }

  private later(ms: number, fn: () => void): void {
    clearTimeout(this.timer);
    const gen = this.generation;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped && gen === this.generation) fn();
    }, ms);
  }

  private async list(): Promise<void> {
    const gen = ++this.generation;
    let items: T[];
    let rv: string;
    try {
      const l = await this.client.list<T>(this.res, this.opts.namespace, {
        ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
        ...(this.opts.fieldSelector ? { fieldSelector: this.opts.fieldSelector } : {}),
      });
      items = l.items;
      rv = l.metadata.resourceVersion ?? '';
    } catch (e) {
      if (this.stopped || gen !== this.generation) return;
      const delay = this.backoff.next();
      log.warn(`failed to list ${this.name}: ${errorText(e)}; retrying in ${delay} ms`);
      this.later(delay, () => void this.list());
      return;
    }
    if (this.stopped || gen !== this.generation) return;
    // Items of a list carry no kind; the cache and handlers expect whole objects.
    for (const o of items) {
      o.apiVersion ??= this.res.group ? `${this.res.group}/${this.res.version}` : this.res.version;
      o.kind ??= this.res.kind;
    }
    this.lastSyncResourceVersion = rv;
    this.sink.replace(items, rv);
    this.startWatch();
  }

  private startWatch(): void {
    const gen = this.generation;
    const started = Date.now();
    let events = 0;
    const timeoutSeconds = minWatchTimeoutSeconds + Math.floor(Math.random() * minWatchTimeoutSeconds);
    const onEvent = (ev: WatchEvent<T>) => {
      if (this.stopped || gen !== this.generation) return;
      switch (ev.type) {
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          const obj = ev.object as T;
          events++;
          this.sink.apply(ev.type, obj);
          if (obj.metadata?.resourceVersion) this.lastSyncResourceVersion = obj.metadata.resourceVersion;
          break;
        }
        case 'BOOKMARK': {
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) this.lastSyncResourceVersion = rv;
          break;
        }
        case 'ERROR':
          // onClose follows with the error.
          break;
      }
    };
    const onClose = (err?: Error) => {
      if (this.stopped || gen !== this.generation) return;
      this.watch = undefined;
      const healthy = events > 0 || Date.now() - started >= shortWatchMs;
      if (healthy) {
        this.backoff.reset();
        this.expiredInARow = 0;
      }
      if (isExpired(err)) {
        log.debug(`watch of ${this.name} expired (${err!.message}); relisting`);
        // The first expiry relists at once; expiring again straight after a relist backs off.
        if (++this.expiredInARow === 1) void this.list();
        else this.later(this.backoff.next(), () => void this.list());
        return;
      }
      if (isTooLargeResourceVersion(err)) {
        // The server is behind the resourceVersion we hold (e.g. another API server): relist.
        this.later(this.backoff.next(), () => void this.list());
        return;
      }
      if (err) log.warn(`watch of ${this.name} failed: ${errorText(err)}`);
      if (healthy && !err) this.startWatch();
      else this.later(this.backoff.next(), () => this.startWatch());
    };
    this.watch = this.client.watch<T>(
      this.res,
      this.opts.namespace,
      {
        resourceVersion: this.lastSyncResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
        ...(this.opts.fieldSelector ? { fieldSelector: this.opts.fieldSelector } : {}),
      },
      onEvent,
      onClose,
    );
  }
}
