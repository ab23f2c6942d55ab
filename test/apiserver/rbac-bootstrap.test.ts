// The default RBAC policy at start, against a real API server restarted on the same datastore:
// a role that lost rules gets them back, one annotated autoupdate=false is left as edited, and a
// deleted default is recreated; a binding pointing at another role is replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, Role, RoleBinding } from '../../src/api/rbac.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from '../../src/apiserver/auth/bootstrap-policy.js';
import { uncoveredRules } from '../../src/apiserver/auth/covers.js';
import { newContext } from '../../src/apiserver/store/context.js';
import { everything } from '../../src/apiserver/store/selectors.js';
import { startTestApiServer } from '../support/apiserver.js';

test('restart reconciles the default policy unless autoupdate=false', async () => {
  const t = await startTestApiServer();
  try {
    const roles = () => t.api.store('rbac.authorization.k8s.io', 'clusterroles');
    const get = async (name: string) => (await roles().find(undefined, name))?.obj as ClusterRole | undefined;
    const edit = async (name: string, f: (r: ClusterRole) => void) =>
      roles().guaranteedUpdate(newContext(), undefined, name, undefined, (cur) => {
        const r = structuredClone(cur) as ClusterRole;
        f(r);
        return r;
      });
    const original = (await get('system:basic-user'))!.rules;
    await edit('system:basic-user', (r) => (r.rules = []));
    await edit('system:discovery', (r) => {
      r.rules = [{ verbs: ['get'], nonResourceURLs: ['/version'] }];
      r.metadata.annotations!['rbac.authorization.kubernetes.io/autoupdate'] = 'false';
    });
    await roles().delete(newContext(), undefined, 'system:public-info-viewer', {});
    // A default binding recreated pointing elsewhere (roleRef is immutable) is replaced whole, as upstream's.
    const bindings = () => t.api.store('rbac.authorization.k8s.io', 'clusterrolebindings');
    const dns = (await bindings().find(undefined, 'system:kube-dns'))!.obj as RoleBinding;
    await bindings().delete(newContext(), undefined, 'system:kube-dns', {});
    const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, ...meta } = dns.metadata;
    await bindings().create(newContext(), { ...dns, metadata: meta, roleRef: { ...dns.roleRef, name: 'view' }, subjects: [...dns.subjects!, { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'eve' }] } as RoleBinding);
    await t.api.stop();
    t.api = t.newApi(0);
    await t.api.start();
    // As upstream's reconciliation: the missing rules come back broken down, one per verb and resource.
    const restored = (await get('system:basic-user'))!.rules!;
    assert.deepEqual(uncoveredRules(restored, original!), [], 'missing rules restored');
    assert.equal(restored.length, 3);
    assert.deepEqual((await get('system:discovery'))!.rules, [{ verbs: ['get'], nonResourceURLs: ['/version'] }], 'autoupdate=false kept');
    assert.ok(await get('system:public-info-viewer'), 'recreated');
    const restoredDNS = (await bindings().find(undefined, 'system:kube-dns'))!.obj as RoleBinding;
    assert.equal(restoredDNS.roleRef.name, 'system:kube-dns');
    assert.deepEqual(restoredDNS.subjects, [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }]);
  } finally {
    await t.stop();
  }
});

test('what a fresh start stores is the rendered default policy, object for object', async () => {
  const t = await startTestApiServer();
  try {
    const stored = async (resource: string) =>
      new Map(
        (await t.api.store('rbac.authorization.k8s.io', resource).list(undefined, { matcher: everything })).items.map(({ obj }) => [
          `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
          obj as Role | RoleBinding,
        ]),
      );
    const cases: [string, (Role | RoleBinding)[]][] = [
      ['clusterroles', bootstrapClusterRoles()],
      ['clusterrolebindings', bootstrapClusterRoleBindings()],
      ['roles', bootstrapRoles()],
      ['rolebindings', bootstrapRoleBindings()],
    ];
    for (const [resource, rendered] of cases) {
      const got = await stored(resource);
      assert.equal(got.size, rendered.length, `${resource}: nothing else is stored at start`);
      for (const want of rendered) {
        const key = `${want.metadata.namespace ?? ''}/${want.metadata.name}`;
        const o = got.get(key);
        assert.ok(o, `${resource} ${key} stored`);
        assert.deepEqual(o.metadata.labels, want.metadata.labels, key);
        assert.deepEqual(o.metadata.annotations, want.metadata.annotations, key);
        const { metadata: _a, ...gotBody } = o as Role & RoleBinding;
        const { metadata: _b, ...wantBody } = want as Role & RoleBinding;
        // admin, edit and view hold what aggregation gives them, once the controller runs; stored, they start as written.
        assert.deepEqual(gotBody, wantBody, key);
      }
    }
  } finally {
    await t.stop();
  }
});
