// The registry's update preparation (patchAllocatedValues, NormalizeClusterIPs,
// dropTypeDependentFields) followed by defaults and validation, as kube-apiserver runs them.
import { strategyFor } from './helpers.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../../src/api/core.js';
import { prepareServiceForUpdate } from '../../../src/api/defaults/service-update.js';
import { setDefaultIPFamilies } from '../../../src/api/defaults/service.js';
import { errorString } from '../../../src/machinery/field.js';

const rules = strategyFor('Service');

/** A stored Service as the allocator left it. */
function stored(spec: Service['spec']): Service {
  const s: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', resourceVersion: '7', uid: 'u' }, spec };
  rules.defaults(s);
  setDefaultIPFamilies(s);
  return s;
}

function update(old: Service, spec: Service['spec']): { svc: Service; errors: string[] } {
  const svc: Service = { ...structuredClone(old), spec: structuredClone(spec) };
  rules.defaults(svc);
  prepareServiceForUpdate(svc, old);
  setDefaultIPFamilies(svc);
  return { svc, errors: rules.validateUpdate(svc, old).map(errorString) };
}

describe('Service update preparation', () => {
  it('a replace without clusterIP or nodePorts keeps the allocated ones', () => {
    const old = stored({ type: 'NodePort', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    const { svc, errors } = update(old, { type: 'NodePort', selector: { app: 'web2' }, ports: [{ name: 'http', port: 80 }] });
    assert.deepEqual(errors, []);
    assert.equal(svc.spec.clusterIP, '10.96.0.20');
    assert.deepEqual(svc.spec.clusterIPs, ['10.96.0.20']);
    assert.equal(svc.spec.ports![0]!.nodePort, 30080);
  });

  it('keeps an IPv6 single-stack Service IPv6 when the client omits the families', () => {
    const old = stored({ clusterIP: 'fd00::20', selector: { app: 'web' }, ports: [{ port: 80 }] });
    assert.deepEqual(old.spec.ipFamilies, ['IPv6']);
    const { svc, errors } = update(old, { selector: { app: 'web' }, ports: [{ port: 80 }] });
    assert.deepEqual(errors, []);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv6']);
  });

  it('a changed clusterIP is still refused', () => {
    const old = stored({ clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80 }] });
    const { errors } = update(old, { ...old.spec, clusterIP: '10.96.0.21' });
    assert.deepEqual(errors, ['spec.clusterIPs[0]: Invalid value: ["10.96.0.21"]: may not change once set']);
  });

  it('ClusterIP to ExternalName drops the cluster IP and families', () => {
    const old = stored({ clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80 }] });
    const { svc, errors } = update(old, { ...structuredClone(old.spec), type: 'ExternalName', externalName: 'db.example.com' });
    assert.deepEqual(errors, []);
    assert.equal(svc.spec.clusterIP, undefined);
    assert.equal(svc.spec.clusterIPs, undefined);
    assert.equal(svc.spec.ipFamilies, undefined);
    assert.equal(svc.spec.ipFamilyPolicy, undefined);
  });

  it('NodePort to ClusterIP drops nodePorts and externalTrafficPolicy', () => {
    const old = stored({ type: 'NodePort', clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] });
    const { svc, errors } = update(old, { ...structuredClone(old.spec), type: 'ClusterIP' });
    assert.deepEqual(errors, []);
    assert.equal(svc.spec.ports![0]!.nodePort, undefined);
    assert.equal(svc.spec.externalTrafficPolicy, undefined);
  });

  it('LoadBalancer to ClusterIP drops LB-only fields and the LB status', () => {
    const old = stored({ type: 'LoadBalancer', clusterIP: '10.96.0.20', loadBalancerClass: 'example.com/lb', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] });
    old.status = { loadBalancer: { ingress: [{ ip: '127.240.0.1', ipMode: 'VIP' }] } };
    const next = structuredClone(old);
    next.spec.type = 'ClusterIP';
    rules.defaults(next);
    prepareServiceForUpdate(next, old);
    assert.deepEqual(rules.validateUpdate(next, old).map(errorString), []);
    assert.equal(next.spec.allocateLoadBalancerNodePorts, undefined);
    assert.equal(next.spec.loadBalancerClass, undefined);
    assert.deepEqual(next.status!.loadBalancer, {});
  });

  it('ExternalName to ClusterIP gets families from defaulting and validates', () => {
    const old = stored({ type: 'ExternalName', externalName: 'db.example.com' });
    const { svc, errors } = update(old, { type: 'ClusterIP', selector: { app: 'db' }, ports: [{ port: 5432 }] });
    assert.deepEqual(errors, []);
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  });
});
