// kubectl 1.32's server-side apply against `kubesvc up`: apply twice, a second manager's conflict
// and --force-conflicts, removal of a field dropped from the file, the client-side → server-side
// migration kubectl performs, kubectl diff (server dry run) and --show-managed-fields.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, kubectlOk, type Cluster } from './harness.js';

const service = (name: string, ports: string, labels = `    app: ${name}\n`) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  labels:\n${labels}spec:\n  selector:\n    app: ${name}\n  ports:\n${ports}`;
const port = (name: string, p: number, target: number) => `  - name: ${name}\n    port: ${p}\n    targetPort: ${target}\n`;

describe('kubectl apply --server-side', () => {
  let c: Cluster;
  const file = (name: string, text: string) => {
    const p = join(c.dataDir, name);
    writeFileSync(p, text);
    return p;
  };
  const get = (name: string, ...extra: string[]) => JSON.parse(kubectlOk(c, ['get', 'svc', name, '-o', 'json', ...extra]));
  const managers = (o: any) => (o.metadata.managedFields ?? []).map((e: any) => `${e.manager}/${e.operation}`).sort();

  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('applies, and applies again without a change', () => {
    const f = file('web.yaml', service('web', port('http', 80, 8080) + port('metrics', 9090, 9090)));
    assert.match(kubectlOk(c, ['apply', '--server-side', '-f', f]), /service\/web serverside-applied/);
    const first = get('web', '--show-managed-fields');
    assert.deepEqual(managers(first), ['kubectl/Apply']);
    assert.match(kubectlOk(c, ['apply', '--server-side', '-f', f]), /service\/web serverside-applied/);
    assert.equal(get('web').metadata.resourceVersion, first.metadata.resourceVersion);
  });

  it('shows managedFields only with --show-managed-fields', () => {
    assert.doesNotMatch(kubectlOk(c, ['get', 'svc', 'web', '-o', 'yaml']), /managedFields/);
    const y = kubectlOk(c, ['get', 'svc', 'web', '-o', 'yaml', '--show-managed-fields']);
    assert.match(y, /managedFields:\n {2}- apiVersion: v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n {6}f:metadata:\n {8}f:labels:\n {10}f:app: \{\}/);
    assert.match(y, /k:\{"port":80,"protocol":"TCP"\}:\n {12}\.: \{\}\n {12}f:name: \{\}\n {12}f:port: \{\}\n {12}f:targetPort: \{\}/);
    assert.match(y, / {4}manager: kubectl\n {4}operation: Apply\n/);
  });

  it('refuses a second manager changing a field with a 409 naming field and manager; --force-conflicts takes it', () => {
    const f = file('other.yaml', service('web', port('http', 80, 8081)));
    const r = kubectl(c, ['apply', '--server-side', '--field-manager=other', '-f', f]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.ports\[port=80,protocol="TCP"\]\.targetPort/);
    assert.equal(get('web').spec.ports[0].targetPort, 8080);
    kubectlOk(c, ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', f]);
    const o = get('web', '--show-managed-fields');
    assert.equal(o.spec.ports[0].targetPort, 8081);
    assert.deepEqual(managers(o), ['kubectl/Apply', 'other/Apply']);
    // kubectl's own apply now conflicts with "other" on that field.
    const back = kubectl(c, ['apply', '--server-side', '-f', join(c.dataDir, 'web.yaml')]);
    assert.match(back.stderr, /conflict with "other": \.spec\.ports\[port=80,protocol="TCP"\]\.targetPort/);
  });

  it('an imperative change (kubectl patch) is an Update the applier conflicts with', () => {
    kubectlOk(c, ['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    const f = file('affinity.yaml', service('web', port('http', 80, 8081) + port('metrics', 9090, 9090)).replace('spec:\n', 'spec:\n  sessionAffinity: None\n'));
    const r = kubectl(c, ['apply', '--server-side', '--field-manager=other', '-f', f]);
    assert.match(r.stderr, /conflict with "kubectl-patch" using v1: \.spec\.sessionAffinity/);
  });

  it('removes a field dropped from the applied file', () => {
    // Both appliers stop applying the metrics port and kubectl its label: they go.
    const f = file('web2.yaml', service('web', port('http', 80, 8081), '    tier: web\n'));
    kubectlOk(c, ['apply', '--server-side', '--force-conflicts', '-f', f]);
    kubectlOk(c, ['apply', '--server-side', '--field-manager=other', '-f', file('other2.yaml', service('web', port('http', 80, 8081), '    tier: web\n'))]);
    const o = get('web');
    assert.deepEqual(o.spec.ports.map((p: any) => p.name), ['http']);
    assert.deepEqual(o.metadata.labels, { tier: 'web' });
  });

  it('diffs against a server-side dry run without changing the object', () => {
    const f = file('diff.yaml', service('web', port('http', 80, 8082), '    tier: web\n'));
    const r = kubectl(c, ['diff', '--server-side', '--force-conflicts', '-f', f]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /-\s+targetPort: 8081\n\+\s+targetPort: 8082/);
    assert.equal(get('web').spec.ports[0].targetPort, 8081);
    // kubectl diff without --server-side: a dry-run strategic merge patch.
    const csa = kubectl(c, ['diff', '-f', f]);
    assert.equal(csa.code, 1, csa.stderr);
    assert.match(csa.stdout, /-\s+targetPort: 8081\n\+\s+targetPort: 8082/);
    assert.equal(get('web').spec.ports[0].targetPort, 8081);
    const same = kubectl(c, ['diff', '--server-side', '-f', join(c.dataDir, 'web2.yaml')]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
  });

  it('migrates an object applied client-side: kubectl takes over and later removals work', () => {
    const f = file('csa.yaml', service('csa', port('main', 80, 8080) + port('extra', 81, 81)));
    assert.match(kubectlOk(c, ['apply', '-f', f]), /service\/csa created/);
    assert.deepEqual(managers(get('csa', '--show-managed-fields')), ['kubectl-client-side-apply/Update']);
    // A changed value of a field client-side apply owned is no conflict: the last-applied configuration named it.
    const g = file('csa2.yaml', service('csa', port('main', 80, 8081)));
    assert.match(kubectlOk(c, ['apply', '--server-side', '-f', g]), /serverside-applied/);
    const o = get('csa', '--show-managed-fields');
    assert.ok(!managers(o).includes('kubectl-client-side-apply/Update'), managers(o).join());
    assert.ok(managers(o).includes('kubectl/Apply'));
    assert.deepEqual(o.spec.ports.map((p: any) => [p.name, p.targetPort]), [['main', 8081]]);
    // The last-applied annotation follows what was applied, for a later client-side apply.
    const last = JSON.parse(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.deepEqual(last.spec.ports, [{ name: 'main', port: 80, targetPort: 8081 }]);
  });
});
