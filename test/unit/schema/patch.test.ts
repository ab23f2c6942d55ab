import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor } from '../../../src/api/schema/index.js';
import type { PatchSchema } from '../../../src/machinery/patch/schema.js';

function at(s: PatchSchema | undefined, path: string): PatchSchema {
  let cur = s;
  for (const part of path.split('.')) {
    if (part === '[]') cur = cur?.elem;
    else cur = cur?.fields?.[part];
    assert.ok(cur, `no schema at ${path} (${part})`);
  }
  return cur!;
}

describe('patchSchemaFor', () => {
  const svc = patchSchemaFor({ group: '', version: 'v1', kind: 'Service' });
  const pod = patchSchemaFor({ group: '', version: 'v1', kind: 'Pod' });
  const deploy = patchSchemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' });

  it('merges Service ports by port', () => {
    const ports = at(svc, 'spec.ports');
    assert.equal(ports.kind, 'list');
    assert.equal(ports.patchStrategy, 'merge');
    assert.equal(ports.patchMergeKey, 'port');
    assert.equal(at(svc, 'spec.ports.[].targetPort').kind, 'scalar');
    assert.equal(at(svc, 'spec.selector').kind, 'map');
    assert.equal(at(svc, 'spec.clusterIPs').patchStrategy, undefined);
  });

  it('merges containers and env by name; volumes merge and retain keys', () => {
    assert.deepEqual([at(pod, 'spec.containers').patchStrategy, at(pod, 'spec.containers').patchMergeKey], ['merge', 'name']);
    const env = at(pod, 'spec.containers.[].env');
    assert.deepEqual([env.kind, env.patchStrategy, env.patchMergeKey], ['list', 'merge', 'name']);
    assert.equal(at(pod, 'spec.containers.[].ports').patchMergeKey, 'containerPort');
    assert.equal(at(pod, 'spec.volumes').patchStrategy, 'merge,retainKeys');
    assert.equal(at(pod, 'spec.initContainers').patchMergeKey, 'name');
  });

  it('knows metadata: finalizers merge, ownerReferences by uid, labels are a map', () => {
    assert.equal(at(svc, 'metadata.finalizers').patchStrategy, 'merge');
    assert.equal(at(svc, 'metadata.finalizers').patchMergeKey, undefined);
    assert.equal(at(svc, 'metadata.ownerReferences').patchMergeKey, 'uid');
    assert.equal(at(svc, 'metadata.labels').kind, 'map');
    assert.equal(at(svc, 'metadata.labels').elem?.kind, 'scalar');
  });

  it('reaches Pod templates in Deployments and retains strategy keys', () => {
    assert.equal(at(deploy, 'spec.template.spec.containers').patchMergeKey, 'name');
    assert.equal(at(deploy, 'spec.strategy').patchStrategy, 'retainKeys');
    assert.equal(at(deploy, 'status.conditions').patchMergeKey, 'type');
  });

  it('answers undefined for unknown kinds and shares one schema per definition', () => {
    assert.equal(patchSchemaFor({ group: 'x', version: 'v1', kind: 'Y' }), undefined);
    assert.equal(patchSchemaFor({ group: '', version: 'v1', kind: 'Service' }), svc);
  });
});
