// SetDefaults_Service, from upstream's pkg/apis/core/v1 defaults_test.go Service cases, and
// the registry's single-stack IPv4 family defaults.
import { strategyFor } from './helpers.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../../src/api/core.js';
import { setDefaultIPFamilies } from '../../../src/api/defaults/service.js';

function svc(spec: Service['spec'], extra: Partial<Service> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec, ...extra };
}

function defaulted(s: Service): Service {
  strategyFor('Service').defaults(s);
  return s;
}

/** Defaults plus what the registry does on create before validating (families, clusterIPs). */
function registered(s: Service): Service {
  defaulted(s);
  setDefaultIPFamilies(s);
  return s;
}

describe('Service defaults (SetDefaults_Service)', () => {
  it('fills type ClusterIP, sessionAffinity None, protocol TCP and targetPort = port', () => {
    const s = defaulted(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }));
    assert.equal(s.spec.type, 'ClusterIP');
    assert.equal(s.spec.sessionAffinity, 'None');
    assert.deepEqual(s.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(s.spec.internalTrafficPolicy, 'Cluster');
    assert.equal(s.spec.externalTrafficPolicy, undefined);
    assert.equal(s.spec.allocateLoadBalancerNodePorts, undefined);
  });

  it('keeps an explicit protocol and a named or numeric targetPort', () => {
    const s = defaulted(svc({ ports: [{ port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'b', port: 80, targetPort: 8080 }] }));
    assert.deepEqual(s.spec.ports, [
      { port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'b', port: 80, protocol: 'TCP', targetPort: 8080 },
    ]);
  });

  it('treats targetPort 0 and "" as unset', () => {
    const s = defaulted(svc({ ports: [{ name: 'a', port: 81, targetPort: 0 }, { name: 'b', port: 82, targetPort: '' }] }));
    assert.deepEqual(s.spec.ports!.map((p) => p.targetPort), [81, 82]);
  });

  it('ClientIP affinity gets a 10800 second timeout', () => {
    const s = defaulted(svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    assert.deepEqual(s.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('ClientIP affinity keeps a timeout the user chose', () => {
    const s = defaulted(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] }));
    assert.deepEqual(s.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 60 } });
  });

  it('None affinity drops sessionAffinityConfig', () => {
    const s = defaulted(svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] }));
    assert.equal(s.spec.sessionAffinity, 'None');
    assert.equal(s.spec.sessionAffinityConfig, undefined);
  });

  for (const type of ['NodePort', 'LoadBalancer'] as const) {
    it(`${type} gets externalTrafficPolicy Cluster`, () => {
      const s = defaulted(svc({ type, ports: [{ port: 80 }] }));
      assert.equal(s.spec.externalTrafficPolicy, 'Cluster');
      assert.equal(s.spec.internalTrafficPolicy, 'Cluster');
    });
  }

  it('keeps externalTrafficPolicy Local', () => {
    assert.equal(defaulted(svc({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] })).spec.externalTrafficPolicy, 'Local');
  });

  it('ClusterIP with externalIPs is externally accessible, so gets externalTrafficPolicy Cluster', () => {
    assert.equal(defaulted(svc({ externalIPs: ['1.2.3.4'], ports: [{ port: 80 }] })).spec.externalTrafficPolicy, 'Cluster');
  });

  it('keeps internalTrafficPolicy Local', () => {
    assert.equal(defaulted(svc({ internalTrafficPolicy: 'Local', ports: [{ port: 80 }] })).spec.internalTrafficPolicy, 'Local');
  });

  it('LoadBalancer gets allocateLoadBalancerNodePorts true, but an explicit false stays', () => {
    assert.equal(defaulted(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] })).spec.allocateLoadBalancerNodePorts, true);
    assert.equal(defaulted(svc({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] })).spec.allocateLoadBalancerNodePorts, false);
  });

  it('LoadBalancer ingress IPs get ipMode VIP', () => {
    const s = defaulted(
      svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }, { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.com' }, { ip: '5.6.7.8', ipMode: 'Proxy' }] } } }),
    );
    assert.deepEqual(s.status!.loadBalancer!.ingress, [{ ip: '1.2.3.4', ipMode: 'VIP' }, { hostname: 'lb.example.com' }, { ip: '5.6.7.8', ipMode: 'Proxy' }]);
  });

  it('leaves IP families and clusterIPs to the registry, as upstream SetDefaults_Service does', () => {
    const s = defaulted(svc({ clusterIP: 'None', ports: [{ port: 80 }] }));
    assert.equal(s.spec.ipFamilyPolicy, undefined);
    assert.equal(s.spec.ipFamilies, undefined);
    assert.equal(s.spec.clusterIPs, undefined);
  });

  it('ExternalName gets neither internalTrafficPolicy nor IP families', () => {
    const s = registered(svc({ type: 'ExternalName', externalName: 'example.com' }));
    assert.equal(s.spec.internalTrafficPolicy, undefined);
    assert.equal(s.spec.ipFamilyPolicy, undefined);
    assert.equal(s.spec.ipFamilies, undefined);
    assert.equal(s.spec.externalTrafficPolicy, undefined);
  });
});

describe('registry IP family defaults on a single-stack IPv4 cluster (setDefaultIPFamilies)', () => {
  it('a ClusterIP Service is SingleStack IPv4', () => {
    const s = registered(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }));
    assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  });

  it('a headless Service with a selector is SingleStack IPv4', () => {
    const s = registered(svc({ clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] }));
    assert.deepEqual(s.spec.clusterIPs, ['None']);
    assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  });

  it('a headless Service without selector is RequireDualStack with both families, as upstream', () => {
    const s = registered(svc({ clusterIP: 'None', ports: [{ port: 80 }] }));
    assert.equal(s.spec.ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(s.spec.ipFamilies, ['IPv4', 'IPv6']);
  });

  it('the family follows a requested clusterIP', () => {
    const s = registered(svc({ clusterIP: 'fd00::10', ports: [{ port: 80 }] }));
    assert.deepEqual(s.spec.clusterIPs, ['fd00::10']);
    assert.deepEqual(s.spec.ipFamilies, ['IPv6']);
  });

  it('user-chosen families and policy are kept', () => {
    const s = registered(svc({ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6'], ports: [{ port: 80 }] }));
    assert.equal(s.spec.ipFamilyPolicy, 'PreferDualStack');
    assert.deepEqual(s.spec.ipFamilies, ['IPv6']);
  });
});

describe('defaulted Services validate cleanly', () => {
  const cases: [string, Service['spec']][] = [
    ['ClusterIP', { selector: { app: 'web' }, ports: [{ port: 80 }] }],
    ['NodePort', { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] }],
    ['LoadBalancer', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] }],
    ['ExternalName', { type: 'ExternalName', externalName: 'db.example.com' }],
    ['headless', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] }],
    ['ClientIP affinity', { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }],
    ['multi-port', { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }],
  ];
  for (const [name, spec] of cases) {
    it(name, () => {
      const s = registered(svc(spec));
      assert.deepEqual(strategyFor('Service').validateCreate(s), []);
    });
  }

  it('defaulting twice changes nothing', () => {
    const once = defaulted(svc({ type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    const twice = defaulted(structuredClone(once));
    assert.deepEqual(twice, once);
  });
});
