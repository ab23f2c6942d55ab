// Pod volumes and volumeMounts validation, after upstream's TestValidateVolumes / TestValidateVolumeMounts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.js';
import { errorString } from '../../../src/machinery/field.js';
import { assertErrors, type Expect, strategyFor } from './helpers.js';

const rules = strategyFor('Pod');

function pod(volumes: unknown[], mounts: unknown[] = []): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: mounts }], volumes: volumes as Pod['spec']['volumes'] },
  };
  rules.defaults(p);
  return p;
}

const errs = (p: Pod) => rules.validateCreate(p);

describe('Pod volumes validation', () => {
  it('accepts every source the node projects', () => {
    const p = pod(
      [
        { name: 'a', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'b', configMap: { name: 'cfg', items: [{ key: 'k', path: 'dir/k', mode: 0o400 }], defaultMode: 0o644 } },
        { name: 'c', secret: { secretName: 's' } },
        { name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } }] } },
        { name: 'e', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'x', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } },
        { name: 'f', hostPath: { path: '/tmp', type: 'Directory' } },
      ],
      [{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b', subPath: 'k' }, { name: 'f', mountPath: '/f', subPathExpr: '$(POD_NAME)' }],
    );
    assertErrors(errs(p), 0, 'valid');
  });

  it('names the bad fields as upstream', () => {
    const cases: [string, unknown[], unknown[], Expect[]][] = [
      ['two sources', [{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }], [], [{ field: 'spec.volumes[0].emptyDir', type: 'FieldValueForbidden' }]],
      ['duplicate name', [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }], [], [{ field: 'spec.volumes[1].name', type: 'FieldValueDuplicate' }]],
      ['bad name', [{ name: 'A_b', emptyDir: {} }], [], [{ field: 'spec.volumes[0].name', type: 'FieldValueInvalid' }]],
      ['item path escapes', [{ name: 'a', configMap: { name: 'c', items: [{ key: 'k', path: '../x' }] } }], [], [{ field: 'spec.volumes[0].configMap.items[0].path', type: 'FieldValueInvalid', message: `spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain '..'` }]],
      ['defaultMode too big', [{ name: 'a', secret: { secretName: 's', defaultMode: 0o1000 } }], [], [{ field: 'spec.volumes[0].secret.defaultMode', type: 'FieldValueInvalid', message: 'spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive' }]],
      ['secretName required', [{ name: 'a', secret: {} }], [], [{ field: 'spec.volumes[0].secret.secretName', type: 'FieldValueRequired' }]],
      ['hostPath type', [{ name: 'a', hostPath: { path: '/x', type: 'Dir' } }], [], [{ field: 'spec.volumes[0].hostPath.type', type: 'FieldValueNotSupported' }]],
      ['short token', [{ name: 'a', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 60 } }] } }], [], [{ field: 'spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds', type: 'FieldValueInvalid', message: 'spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes' }]],
      ['downward field', [{ name: 'a', downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'status.podIP' } }] } }], [], [{ field: 'spec.volumes[0].downwardAPI.fieldRef.fieldPath', type: 'FieldValueNotSupported' }]],
      ['downward path', [{ name: 'a', downwardAPI: { items: [{ path: '..x', fieldRef: { fieldPath: 'metadata.name' } }] } }], [], [{ field: 'spec.volumes[0].downwardAPI.path', type: 'FieldValueInvalid', message: `spec.volumes[0].downwardAPI.path: Invalid value: "..x": must not start with '..'` }]],
      ['projected duplicate paths', [{ name: 'a', projected: { sources: [{ configMap: { name: 'c', items: [{ key: 'k', path: 'same' }] } }, { secret: { name: 's', items: [{ key: 'k', path: 'same' }] } }] } }], [], [{ field: 'spec.volumes[0].projected', type: 'FieldValueInvalid', message: 'spec.volumes[0].projected: Invalid value: "s": conflicting duplicate paths' }]],
      ['projected two kinds in a source', [{ name: 'a', projected: { sources: [{ configMap: { name: 'c' }, secret: { name: 's' } }] } }], [], [{ field: 'spec.volumes[0].projected.sources[0]', type: 'FieldValueForbidden' }]],
      ['token without path', [{ name: 'a', projected: { sources: [{ serviceAccountToken: { path: '' } }] } }], [], [{ field: 'spec.volumes[0].projected.path', type: 'FieldValueRequired' }]],
      ['mount of no volume', [], [{ name: 'nope', mountPath: '/x' }], [{ field: 'spec.containers[0].volumeMounts[0].name', type: 'FieldValueNotFound', message: 'spec.containers[0].volumeMounts[0].name: Not found: "nope"' }]],
      ['mount path twice', [{ name: 'a', emptyDir: {} }], [{ name: 'a', mountPath: '/x' }, { name: 'a', mountPath: '/x' }], [{ field: 'spec.containers[0].volumeMounts[1].mountPath', type: 'FieldValueInvalid' }]],
      ['subPath and expr', [{ name: 'a', emptyDir: {} }], [{ name: 'a', mountPath: '/x', subPath: 's', subPathExpr: 'e' }], [{ field: 'spec.containers[0].volumeMounts[0].subPathExpr', type: 'FieldValueInvalid' }]],
      ['subPath escapes', [{ name: 'a', emptyDir: {} }], [{ name: 'a', mountPath: '/x', subPath: '/abs' }], [{ field: 'spec.containers[0].volumeMounts[0].subPath', type: 'FieldValueInvalid' }]],
    ];
    for (const [label, vols, mounts, want] of cases) assertErrors(errs(pod(vols, mounts)), want, label);
    // Only a volume that skipped defaulting can have no source.
    const raw = pod([]);
    raw.spec.volumes = [{ name: 'a' }];
    assert.deepEqual(errs(raw).map(errorString), ['spec.volumes[0]: Required value: must specify a volume type']);
  });

  it('defaults as upstream: emptyDir for no source, mode 0644, hostPath type "", an hour for tokens, fieldRef apiVersion', () => {
    const p = pod([
      { name: 'a' },
      { name: 'b', configMap: { name: 'c' } },
      { name: 'c', hostPath: { path: '/x' } },
      { name: 'd', projected: { sources: [{ serviceAccountToken: { path: 't' } }, { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }] } },
    ]);
    assert.deepEqual(p.spec.volumes, [
      { name: 'a', emptyDir: {} },
      { name: 'b', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'c', hostPath: { path: '/x', type: '' } },
      {
        name: 'd',
        projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }, { downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } }] },
      },
    ]);
  });
});
