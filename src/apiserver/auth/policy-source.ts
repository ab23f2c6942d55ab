// The RBAC objects the authorizer evaluates, read from the watch cache (never from storage per
// request), as upstream's authorizer reads its informers. Until the bootstrap controller has
// written the default policy, and whenever RBAC is not served, the bootstrap policy stands in.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/rbac.js';
import type { KubeObject } from '../../api/meta.js';
import { keyPrefix, objectKey } from '../resources.js';
import type { Store } from '../store/store.js';
import { bootstrapPolicy, type PolicySource } from './authorizer.js';

const group = 'rbac.authorization.k8s.io';

const policyResources = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'];

export class StoredPolicy implements PolicySource {
  private changes = 0;
  private watching = false;

  constructor(
    private readonly store: (group: string, resource: string) => Store,
    /** Whether the default policy has been written (until then the bootstrap policy answers). */
    private readonly bootstrapped: () => boolean,
  ) {}

  private storeOf(resource: string): Store | undefined {
    try {
      return this.store(group, resource);
    } catch {
      return undefined;
    }
  }

  /** Counts writes to any RBAC object (from the watch cache), and the switch from the bootstrap policy. */
  generation(): number {
    if (!this.watching && this.bootstrapped()) {
      this.watching = true;
      for (const r of policyResources) this.storeOf(r)?.cache.subscribe(() => this.changes++);
      this.changes++;
    }
    return this.changes * 2 + (this.bootstrapped() ? 1 : 0);
  }

  private fallback(): PolicySource | undefined {
    return this.bootstrapped() && this.storeOf('clusterroles') ? undefined : bootstrapPolicy;
  }

  private *objects<T extends KubeObject>(resource: string, namespace?: string): Iterable<T> {
    const s = this.storeOf(resource);
    if (!s) return;
    const prefix = namespace === undefined ? undefined : `${keyPrefix(s.info)}${namespace}/`;
    for (const [key, o] of s.cache.objects) if (!prefix || key.startsWith(prefix)) yield o.obj as T;
  }

  private lookup<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined {
    const s = this.storeOf(resource);
    if (!s) return undefined;
    return s.cache.objects.get(objectKey(s.info, namespace, name))?.obj as T | undefined;
  }

  clusterRoleBindings(): Iterable<ClusterRoleBinding> {
    return this.fallback()?.clusterRoleBindings() ?? this.objects<ClusterRoleBinding>('clusterrolebindings');
  }
  roleBindings(namespace: string): Iterable<RoleBinding> {
    return this.fallback()?.roleBindings(namespace) ?? this.objects<RoleBinding>('rolebindings', namespace);
  }
  clusterRole(name: string): ClusterRole | undefined {
    const f = this.fallback();
    return f ? f.clusterRole(name) : this.lookup<ClusterRole>('clusterroles', undefined, name);
  }
  role(namespace: string, name: string): Role | undefined {
    const f = this.fallback();
    return f ? f.role(namespace, name) : this.lookup<Role>('roles', namespace, name);
  }
}
