import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { strictDecodingMessage, unknownFieldMessage, unknownFields } from '../../../src/api/schema/index.js';
import * as seeds from './seeds.js';

const svc = { group: '', version: 'v1', kind: 'Service' };
const pod = { group: '', version: 'v1', kind: 'Pod' };
const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };

describe('unknownFields', () => {
  for (const [name, text] of Object.entries(seeds)) {
    it(`accepts the seed Service "${name}"`, () => {
      assert.deepEqual(unknownFields(svc, parse(text)), []);
    });
  }

  it('finds typos with upstream paths, in document order', () => {
    const obj = parse(seeds.multiPort.replace('selector:', 'selectr:').replace('- name: https', '- nme: https'));
    assert.deepEqual(unknownFields(svc, obj), ['.spec.selectr', '.spec.ports[1].nme']);
    const typo = parse(seeds.basic.replace('  ports:', '  portz:'));
    assert.deepEqual(unknownFields(svc, typo), ['.spec.portz']);
  });

  it('reports an unknown field once, without descending into it', () => {
    const obj = parse(seeds.basic);
    obj.spec.extra = { deeper: { andDeeper: 1 } };
    obj.metadata.labelz = { a: 'b' };
    obj.Spec = {};
    assert.deepEqual(unknownFields(svc, obj), ['.metadata.labelz', '.spec.extra', '.Spec']);
  });

  it('treats labels, annotations and selector as maps, targetPort as int-or-string', () => {
    const obj = parse(seeds.nodePort);
    obj.metadata.labels = { 'app.kubernetes.io/name': 'web', anything: 'goes' };
    obj.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    obj.spec.ports[0].targetPort = 'https';
    obj.spec.selector['some.domain/key'] = 'v';
    assert.deepEqual(unknownFields(svc, obj), []);
  });

  it('knows every metadata field, including free-form managedFields.fieldsV1', () => {
    const obj = parse(seeds.basic);
    Object.assign(obj.metadata, {
      namespace: 'default', uid: 'u', resourceVersion: '7', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z',
      deletionTimestamp: null, finalizers: ['a/b'], generateName: 'x-',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u', controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ports': {} } } }],
    });
    assert.deepEqual(unknownFields(svc, obj), []);
  });

  it('knows fields added up to 1.32 (trafficDistribution, ipMode, status conditions)', () => {
    const obj = parse(seeds.loadBalancer);
    obj.spec.trafficDistribution = 'PreferClose';
    obj.spec.ipFamilies = ['IPv4'];
    obj.spec.ipFamilyPolicy = 'SingleStack';
    obj.spec.internalTrafficPolicy = 'Cluster';
    obj.status.loadBalancer.ingress[0].ipMode = 'VIP';
    obj.status.loadBalancer.ingress[0].ports = [{ port: 80, protocol: 'TCP' }];
    obj.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'R', message: 'm' }];
    assert.deepEqual(unknownFields(svc, obj), []);
    obj.status.loadBalancer.ingress[0].ipMod = 'VIP';
    assert.deepEqual(unknownFields(svc, obj), ['.status.loadBalancer.ingress[0].ipMod']);
  });

  it('walks Pod templates inside Deployments', () => {
    const d = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1', valu: 'x' }], imagePullPolicyy: 'Always' }] },
        },
      },
    };
    assert.deepEqual(unknownFields(deploy, d), [
      '.spec.template.spec.containers[0].env[0].valu',
      '.spec.template.spec.containers[0].imagePullPolicyy',
    ]);
  });

  it('ignores type mismatches (those are decode errors, not unknown fields)', () => {
    const obj = parse(seeds.basic);
    obj.spec.ports = { port: 80 };
    obj.spec.selector = ['a'];
    assert.deepEqual(unknownFields(svc, obj), []);
  });

  it('covers the other served kinds', () => {
    assert.deepEqual(unknownFields({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n', zone: 'z', hints: { forZones: [{ name: 'z' }] }, targetRef: { kind: 'Pod', name: 'p' } }],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }],
    }), []);
    assert.deepEqual(unknownFields({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, {
      metadata: { name: 'l' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: '2024-01-01T00:00:00.000000Z', strategy: 'OldestEmulationVersion', preferredHolder: 'b', holder: 'x' },
    }), ['.spec.holder']);
    assert.deepEqual(unknownFields(pod, { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: 1024 } } }], nodeSelector: { a: 'b' } }, status: { podIPs: [{ ip: '1.2.3.4' }], hostIPs: [{ ip: '1.1.1.1' }], phase: 'Running' } }), []);
    assert.deepEqual(unknownFields({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, { spec: { replicas: 3 }, status: { replicas: 1, selector: 'a=b' } }), []);
    assert.deepEqual(unknownFields({ group: '', version: 'v1', kind: 'Endpoints' }, { subsets: [{ addresses: [{ ip: '1.2.3.4' }], ports: [{ port: 80 }], notReadyAddresses: [] }] }), []);
    assert.deepEqual(unknownFields({ group: '', version: 'v1', kind: 'Node' }, { spec: { podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.0.0/24'] }, status: { addresses: [{ type: 'InternalIP', address: '1.2.3.4' }] } }), []);
    assert.deepEqual(unknownFields({ group: '', version: 'v1', kind: 'Event' }, { involvedObject: { kind: 'Pod' }, reason: 'r', count: 1, source: { component: 'x' } }), []);
    assert.deepEqual(unknownFields({ group: '', version: 'v1', kind: 'Namespace' }, { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }), []);
  });

  it('returns [] for kinds it does not know', () => {
    assert.deepEqual(unknownFields({ group: 'example.com', version: 'v1', kind: 'Widget' }, { spec: { x: 1 } }), []);
  });

  it('formats messages as upstream does', () => {
    assert.equal(unknownFieldMessage('.spec.portz'), 'unknown field "spec.portz"');
    assert.equal(
      strictDecodingMessage(svc, ['.spec.portz', '.spec.ports[0].nme']),
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.portz", unknown field "spec.ports[0].nme"',
    );
  });
});
