// What one served resource is, in one place, as upstream's pkg/registry/<group>/<resource>:
// its description (discovery, routing, storage keys, field selectors), its strategy (defaulting,
// validation, what create and update may change), the hooks its store calls around writes
// (allocation, graceful deletion, finalization) and the subresources beyond the generic ones
// (status, scale and finalize are served by the generic store for every entry that lists them).
import type { DefaultTolerationSeconds } from './pod-default-tolerations.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceInfo } from '../resources.js';
import type { ResourceRoute } from '../http/route-types.js';
import type { RequestContext } from '../store/context.js';
import type { StoreHooks } from '../store/hooks.js';
import type { Strategy } from '../store/strategy.js';
import type { Store } from '../store/store.js';
import type { ServiceAllocations } from '../allocators/index.js';
import type { KubeletClient } from '../kubelet-client.js';
import type { Printer } from '../tables/types.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Authentication } from '../auth/authentication.js';
import type { ServiceAccountTokens } from '../auth/serviceaccount/index.js';
import type { ResourceMetrics } from '../metrics/resource-metrics.js';

export type { Strategy } from '../store/strategy.js';

/** How other parts of the server are reached from an entry's hooks and subresources: narrow, never the ApiServer. */
export interface RegistryDeps {
  /** The store of another served resource (e.g. pods/log reads pods and nodes). */
  store(group: string, resource: string): Store;
  /** ClusterIP and NodePort allocation. */
  allocations: ServiceAllocations;
  /** How the server reaches a node's kubelet API for logs, exec, port-forward and nodes/proxy. */
  kubelet: KubeletClient;
  /** RBAC's escalation checks ask it what a user holds; absent where nothing is authorized (bare test stores). */
  authorizer?: Authorizer;
  /** Service-account token issuing and authentication; absent where the server has no signing key (bare test stores). */
  serviceAccountTokens?: ServiceAccountTokens;
  /** The request authenticator, for TokenReview. */
  authentication?: Authentication;
  /** Nodes' and pods' resource usage read from the kubelets (metrics.k8s.io); absent where the server reaches no kubelet. */
  resourceMetrics?: ResourceMetrics;
  /** Admission that depends on how the server runs. */
  admission: {
    /** Pods must name a ServiceAccount that exists (needs the ServiceAccounts controller running). */
    serviceAccountLookup: boolean;
    /** DefaultTolerationSeconds: the tolerations new pods get for a failed node (absent: the plugin is off). */
    defaultTolerationSeconds?: DefaultTolerationSeconds;
  };
}

/**
 * A subresource with behaviour of its own (upstream's rest.Connecter / rest.Creater on a
 * subresource path). `create` is transport-free, so the HTTP handler and the in-process client
 * run the same code; `serve` and `upgrade` are for what only HTTP can carry (streams).
 */
export interface SubresourceREST {
  /** POST of a body, e.g. pods/binding; resolves with the body the server answers (201). */
  create?(ctx: RequestContext, namespace: string | undefined, name: string, body: unknown): Promise<KubeObject>;
  /** Any other request on the subresource path (e.g. GET pods/log). */
  serve?(req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void>;
  /** An HTTP Upgrade on the subresource path (exec, port-forward over WebSocket). */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute): Promise<void>;
}

export type Review = (ctx: RequestContext, obj: KubeObject) => KubeObject;

/** A resource read from elsewhere and never stored (metrics-server's metrics.k8s.io): get and list. */
export interface ReadREST {
  /** The object, or the resource's own NotFound. */
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
  /** Every object (of the namespace, when given) that `matches`. */
  list(namespace: string | undefined, matches: (obj: KubeObject) => boolean): Promise<KubeObject[]>;
}

export interface RegistryEntry<T extends KubeObject = KubeObject> {
  info: ResourceInfo;
  strategy: Strategy<T>;
  /** The store's hooks, given what they need. */
  hooks?(deps: RegistryDeps): StoreHooks;
  /** Subresources with their own behaviour, by name ("binding", "log"), given what they need. */
  subresources?(deps: RegistryDeps): Record<string, SubresourceREST>;
  /**
   * A create-only resource that stores nothing (upstream's rest.Creater without storage: the
   * access reviews): the answer to a POST, from the decoded body and the context's user.
   */
  review?(deps: RegistryDeps): Review;
  /** A read-only resource that stores nothing: GETs are answered by it, every other verb is refused. */
  read?(deps: RegistryDeps): ReadREST;
  /** `kubectl get` columns; the default table (name, age) when absent. */
  printer?: Printer<T>;
}

/** An entry typed for its kind, stored with the others (the store hands each entry only objects of its kind). */
export function entry<T extends KubeObject>(e: RegistryEntry<T>): RegistryEntry {
  return e as unknown as RegistryEntry;
}
