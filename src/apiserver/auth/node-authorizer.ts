// Upstream's Node authorizer (`--authorization-mode=Node`): a kubelet, user system:node:<name> in
// system:nodes, may read a Secret, ConfigMap or PersistentVolumeClaim, and request a token for a
// ServiceAccount, only when a Pod bound to it references that object (the graph: node ← pod →
// object, kept from the pods' watch cache), and a PersistentVolume only when such a claim is bound
// to it (pod → claim → volume, the claim read from its watch cache); its own Node and Lease by name; pods bound to it; and
// otherwise what the static node rules (the system:node ClusterRole) allow. It never denies: a
// "no" is no opinion with a reason, and RBAC is asked next. Reasons are upstream's words.
import type { Pod } from '../../api/core.js';
import { parseFieldSelector } from '../../machinery/fields/selector.js';
import type { CachedObject } from '../store/cached-object.js';
import type { ResourceCache } from '../store/resource-cache.js';
import type { ChainedAuthorizer, Decision } from './authorizer.js';
import { nodeNameOf } from './component-identity.js';
import { podReferences, type PodReferences } from './pod-references.js';
import { ruleAllows } from './rbac-rules.js';
import type { RequestAttributes } from './request-info.js';
import type { PolicyRule } from './rbac-rules.js';
import type { UserInfo } from './user.js';

interface PodVertex {
  namespace: string;
  name: string;
  refs: PodReferences;
}

const allow: Decision = { allowed: true, reason: '' };
const noOpinion = (reason = ''): Decision => ({ allowed: false, reason });

/** Pods by the node they are bound to, with what each references: the part of upstream's graph a node reaches. */
class PodGraph {
  private readonly byNode = new Map<string, Map<string, PodVertex>>();
  private readonly nodeOf = new Map<string, string>();
  private started = false;

  constructor(private readonly pods: () => ResourceCache | undefined) {}

  /** Pods bound to `node` (built on first use, then kept current from the cache's events). */
  podsOn(node: string): Iterable<PodVertex> {
    this.start();
    return this.byNode.get(node)?.values() ?? [];
  }

  private start(): void {
    if (this.started) return;
    const cache = this.pods();
    if (!cache) return;
    this.started = true;
    for (const o of cache.objects.values()) this.set(o);
    cache.subscribe((events) => {
      for (const ev of events) {
        if (ev.type === 'DELETED') this.remove(ev.object.key);
        else this.set(ev.object);
      }
    });
  }

  private set(o: CachedObject): void {
    this.remove(o.key);
    const pod = o.obj as Pod;
    const node = pod.spec?.nodeName;
    if (!node) return;
    let pods = this.byNode.get(node);
    if (!pods) this.byNode.set(node, (pods = new Map()));
    pods.set(o.key, { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', refs: podReferences(pod) });
    this.nodeOf.set(o.key, node);
  }

  private remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
  }
}

type VertexType = keyof PodReferences | 'pods';

export class NodeAuthorizer implements ChainedAuthorizer {
  private readonly graph: PodGraph;

  /** `nodeRules`: what any node may do outside the graph (upstream's NodeRules(): the system:node ClusterRole's rules). */
  constructor(
    pods: () => ResourceCache | undefined,
    private readonly nodeRules: () => readonly PolicyRule[],
    private readonly claims: () => ResourceCache | undefined = () => undefined,
  ) {
    this.graph = new PodGraph(pods);
  }

  decide(user: UserInfo, a: RequestAttributes): Decision {
    const node = nodeNameOf(user);
    if (node === undefined) return noOpinion();
    if (node === '') return noOpinion(`unknown node for user ${JSON.stringify(user.name)}`);
    if (a.isResourceRequest && a.apiGroup === '') {
      switch (a.resource) {
        case 'secrets':
          return this.readNamespaced(node, 'secrets', a);
        case 'configmaps':
          return this.readNamespaced(node, 'configmaps', a);
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') return this.statusUpdate(node, a);
          return this.get(node, 'persistentvolumeclaims', a);
        case 'persistentvolumes':
          return this.volume(node, a);
        case 'serviceaccounts':
          return this.createToken(node, a);
        case 'nodes':
          return this.nodeRequest(node, a);
        case 'pods':
          return this.podRequest(node, a);
      }
    }
    if (a.isResourceRequest && a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') return this.lease(node, a);
    return this.staticRules(a);
  }

  private staticRules(a: RequestAttributes): Decision {
    return this.nodeRules().some((r) => ruleAllows(a, r)) ? allow : noOpinion();
  }

  private readNamespaced(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (!['get', 'list', 'watch'].includes(a.verb)) return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.related(node, type, a);
  }

  private get(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return this.related(node, type, a);
  }

  private statusUpdate(node: string, a: RequestAttributes): Decision {
    if (!['update', 'patch'].includes(a.verb)) return noOpinion('can only get or update persistentvolumeclaim status');
    return this.related(node, 'persistentvolumeclaims', a);
  }

  /** A volume is related when a claim a pod on the node references is bound to it. */
  private volume(node: string, a: RequestAttributes): Decision {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    if (!a.name) return noOpinion('No Object name found');
    const claims = this.claims();
    for (const p of this.graph.podsOn(node)) {
      for (const claim of p.refs.persistentvolumeclaims) {
        const pvc = claims?.objects.get(`/registry/core/persistentvolumeclaims/${p.namespace}/${claim}`)?.obj as { spec?: { volumeName?: string } } | undefined;
        if (pvc?.spec?.volumeName === a.name) return allow;
      }
    }
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private createToken(node: string, a: RequestAttributes): Decision {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.related(node, 'serviceaccounts', a);
  }

  private lease(node: string, a: RequestAttributes): Decision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== 'kube-node-lease') return noOpinion('can only access leases in the kube-node-lease namespace');
    if (a.name !== node && a.verb !== 'create') return noOpinion('can only access node lease with the same name as the requesting node');
    return allow;
  }

  /** Reads of Nodes are limited to the node's own object (upstream's AuthorizeNodeWithSelectors, on in v1.32). */
  private nodeRequest(node: string, a: RequestAttributes): Decision {
    if (['get', 'list', 'watch'].includes(a.verb)) {
      if (a.name === node) return allow;
      if (a.name === '') return noOpinion(`node '${node}' cannot read all nodes, only its own Node object`);
      return noOpinion(`node '${node}' cannot read '${a.name}', only its own Node object`);
    }
    return this.staticRules(a);
  }

  /** Pods: one related pod by name, or a list/watch scoped to the node by field selector. */
  private podRequest(node: string, a: RequestAttributes): Decision {
    if (a.subresource === '' && a.verb === 'get') return this.related(node, 'pods', a);
    if (a.subresource === '' && (a.verb === 'list' || a.verb === 'watch')) {
      if (boundNodeSelector(a.fieldSelector) === node) return allow;
      if (a.name) return this.related(node, 'pods', a);
      return noOpinion('can only list/watch pods with spec.nodeName field selector');
    }
    return this.staticRules(a);
  }

  private related(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (!a.name) return noOpinion('No Object name found');
    for (const p of this.graph.podsOn(node)) {
      if (p.namespace !== a.namespace) continue;
      if (type === 'pods' ? p.name === a.name : p.refs[type].has(a.name)) return allow;
    }
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }
}

/** The node a `spec.nodeName=<node>` field selector scopes a pod list to. */
function boundNodeSelector(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  try {
    return parseFieldSelector(selector).requiresExactMatch('spec.nodeName');
  } catch {
    return undefined;
  }
}
