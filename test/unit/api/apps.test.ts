// Deployment and ReplicaSet defaults and validation (apps/v1), after upstream's apps tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../../../src/api/apps.js';
import { errorString } from '../../../src/machinery/field.js';
import { assertErrors, clone, type Expect, strategyFor } from './helpers.js';

function deployment(tweak: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  };
  tweak(d);
  strategyFor('Deployment').defaults(d);
  return d;
}

function replicaSet(tweak: (r: ReplicaSet) => void = () => {}): ReplicaSet {
  const r: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-abc', namespace: 'default', resourceVersion: '1' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  };
  tweak(r);
  strategyFor('ReplicaSet').defaults(r);
  return r;
}

describe('Deployment defaults', () => {
  it('replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600', () => {
    const d = deployment();
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
  });
  it('defaults the template PodSpec but not Pod-only fields', () => {
    const spec = deployment().spec.template.spec;
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.containers[0]!.imagePullPolicy, 'Always');
    assert.equal(spec.enableServiceLinks, undefined);
  });
  it('keeps Recreate and explicit replicas 0', () => {
    const d = deployment((x) => ((x.spec.strategy = { type: 'Recreate' }), (x.spec.replicas = 0)));
    assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
    assert.equal(d.spec.replicas, 0);
  });
  it('a defaulted Deployment is valid', () => {
    assert.deepEqual(strategyFor('Deployment').validateCreate(deployment()).map(errorString), []);
  });
});

const deploymentCases: { name: string; tweak: (d: Deployment) => void; want: Expect[] | number }[] = [
  {
    name: 'selector does not match template labels',
    tweak: (d) => (d.spec.template.metadata!.labels = { app: 'other' }),
    want: [{ field: 'spec.template.metadata.labels', type: 'FieldValueInvalid', message: 'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`' }],
  },
  { name: 'missing selector', tweak: (d) => delete (d.spec as Partial<Deployment['spec']>).selector, want: [{ field: 'spec.selector', type: 'FieldValueRequired' }] },
  {
    name: 'empty selector',
    tweak: (d) => (d.spec.selector = {}),
    want: [{ field: 'spec.selector', type: 'FieldValueInvalid', message: 'spec.selector: Invalid value: {}: empty selector is invalid for deployment' }],
  },
  { name: 'selector with matchExpressions matching', tweak: (d) => (d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }), want: 0 },
  {
    name: 'matchExpressions In without values',
    tweak: (d) => (d.spec.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' }] }),
    want: [
      { field: 'spec.selector.matchExpressions[0].values', type: 'FieldValueRequired', message: "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'" },
      { field: 'spec.template.metadata.labels', type: 'FieldValueInvalid' },
    ],
  },
  { name: 'negative replicas', tweak: (d) => (d.spec.replicas = -1), want: [{ field: 'spec.replicas', type: 'FieldValueInvalid', message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' }] },
  {
    name: 'template restartPolicy must be Always',
    tweak: (d) => (d.spec.template.spec.restartPolicy = 'Never'),
    want: [{ field: 'spec.template.spec.restartPolicy', type: 'FieldValueNotSupported', message: 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"' }],
  },
  { name: 'template without containers', tweak: (d) => (d.spec.template.spec.containers = []), want: [{ field: 'spec.template.spec.containers', type: 'FieldValueRequired' }] },
  {
    name: 'Recreate with rollingUpdate',
    tweak: (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }),
    want: [{ field: 'spec.strategy.rollingUpdate', type: 'FieldValueForbidden', message: "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'" }],
  },
  {
    name: 'maxSurge and maxUnavailable both 0',
    tweak: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }),
    want: [{ field: 'spec.strategy.rollingUpdate.maxUnavailable', type: 'FieldValueInvalid', message: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0' }],
  },
  {
    name: 'maxUnavailable over 100%',
    tweak: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '110%' } }),
    want: [{ field: 'spec.strategy.rollingUpdate.maxUnavailable', type: 'FieldValueInvalid', message: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": must not be greater than 100%' }],
  },
  {
    name: 'maxSurge not a percentage',
    tweak: (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '20', maxUnavailable: 1 } }),
    want: [{ field: 'spec.strategy.rollingUpdate.maxSurge', type: 'FieldValueInvalid' }],
  },
  {
    name: 'unknown strategy type',
    tweak: (d) => (d.spec.strategy = { type: 'BlueGreen' as 'Recreate' }),
    want: [{ field: 'spec.strategy', type: 'FieldValueNotSupported' }],
  },
  {
    name: 'progressDeadlineSeconds not above minReadySeconds',
    tweak: (d) => ((d.spec.minReadySeconds = 600), (d.spec.progressDeadlineSeconds = 600)),
    want: [{ field: 'spec.progressDeadlineSeconds', type: 'FieldValueInvalid', message: 'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds' }],
  },
  { name: 'negative revisionHistoryLimit', tweak: (d) => (d.spec.revisionHistoryLimit = -1), want: [{ field: 'spec.revisionHistoryLimit', type: 'FieldValueInvalid' }] },
  { name: 'invalid template label', tweak: (d) => (d.spec.template.metadata!.labels = { app: 'web', 'bad key!': 'x' }), want: [{ field: 'spec.template.labels', type: 'FieldValueInvalid' }] },
];

describe('Deployment validation', () => {
  for (const tc of deploymentCases) {
    it(tc.name, () => {
      const d = deployment();
      tc.tweak(d);
      assertErrors(strategyFor('Deployment').validateCreate(d), tc.want, tc.name);
    });
  }
  it('selector is immutable on update; replicas and template may change', () => {
    const old = deployment();
    const scaled = clone(old);
    scaled.spec.replicas = 5;
    scaled.spec.template.spec.containers[0]!.image = 'nginx:2';
    assertErrors(strategyFor('Deployment').validateUpdate(scaled, old), 0, 'scale');
    const moved = clone(old);
    moved.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
    moved.spec.template.metadata!.labels = { app: 'web', tier: 'x' };
    assertErrors(strategyFor('Deployment').validateUpdate(moved, old), [{ field: 'spec.selector', type: 'FieldValueInvalid', message: 'spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable' }], 'selector');
  });
  it('status counts are bounded by status.replicas', () => {
    const old = deployment();
    const d = clone(old);
    d.status = { replicas: 2, readyReplicas: 3, availableReplicas: 1, updatedReplicas: 2 };
    assertErrors(strategyFor('Deployment').validateStatusUpdate(d, old), [
      { field: 'status.readyReplicas', type: 'FieldValueInvalid', message: 'status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas' },
    ], 'status');
  });
});

describe('ReplicaSet', () => {
  it('defaults replicas to 1 and the template PodSpec', () => {
    const r = replicaSet();
    assert.equal(r.spec.replicas, 1);
    assert.equal(r.spec.template!.spec.restartPolicy, 'Always');
    assert.deepEqual(strategyFor('ReplicaSet').validateCreate(r).map(errorString), []);
  });
  it('uses upstream wording for an empty selector and a mismatched template', () => {
    assertErrors(strategyFor('ReplicaSet').validateCreate(replicaSet((r) => (r.spec.selector = {}))), [{ field: 'spec.selector', type: 'FieldValueInvalid', message: 'spec.selector: Invalid value: {}: empty selector is invalid for deployment' }], 'empty');
    assertErrors(strategyFor('ReplicaSet').validateCreate(replicaSet((r) => (r.spec.selector = { matchLabels: { app: 'api' } }))), [{ field: 'spec.template.metadata.labels', type: 'FieldValueInvalid' }], 'mismatch');
  });
  it('rejects activeDeadlineSeconds in the template', () => {
    assertErrors(strategyFor('ReplicaSet').validateCreate(replicaSet((r) => (r.spec.template!.spec.activeDeadlineSeconds = 5))), [
      { field: 'spec.template.spec.activeDeadlineSeconds', type: 'FieldValueForbidden', message: 'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported' },
    ], 'ads');
  });
  it('selector is immutable on update', () => {
    const old = replicaSet();
    const r = clone(old);
    r.spec.selector = { matchLabels: { 'pod-template-hash': 'abc' } };
    assertErrors(strategyFor('ReplicaSet').validateUpdate(r, old), [{ field: 'spec.selector', type: 'FieldValueInvalid' }], 'sel');
  });
  it('status: availableReplicas may not exceed readyReplicas', () => {
    const old = replicaSet();
    const r = clone(old);
    r.status = { replicas: 3, readyReplicas: 1, availableReplicas: 2, fullyLabeledReplicas: 3 };
    assertErrors(strategyFor('ReplicaSet').validateStatusUpdate(r, old), [
      { field: 'status.availableReplicas', type: 'FieldValueInvalid', message: 'status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas' },
    ], 'status');
  });
});
