// Pod defaults and validation, after upstream's TestValidatePodCreate/Update and defaults tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.js';
import { errorString } from '../../../src/machinery/field.js';
import { assertErrors, clone, type Expect, strategyFor } from './helpers.js';

const rules = strategyFor('Pod');

function rawPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }] },
  };
}

function pod(tweak: (p: Pod) => void = () => {}): Pod {
  const p = rawPod();
  tweak(p);
  rules.defaults(p);
  return p;
}

describe('Pod defaults', () => {
  it('fills the PodSpec and container defaults', () => {
    const p = pod();
    assert.equal(p.spec.restartPolicy, 'Always');
    assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(p.spec.terminationGracePeriodSeconds, 30);
    assert.equal(p.spec.schedulerName, 'default-scheduler');
    assert.deepEqual(p.spec.securityContext, {});
    assert.equal(p.spec.enableServiceLinks, true);
    const c = p.spec.containers[0]!;
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.ports![0]!.protocol, 'TCP');
  });

  it('pulls Always for :latest or an untagged image, IfNotPresent for a tag or digest', () => {
    const policy = (image: string) => pod((p) => (p.spec.containers[0]!.image = image)).spec.containers[0]!.imagePullPolicy;
    assert.equal(policy('nginx'), 'Always');
    assert.equal(policy('nginx:latest'), 'Always');
    assert.equal(policy('registry.local:5000/team/nginx'), 'Always');
    assert.equal(policy('registry.local:5000/team/nginx:1.2'), 'IfNotPresent');
    assert.equal(policy('nginx@sha256:0123456789abcdef'), 'IfNotPresent');
    assert.equal(pod((p) => (p.spec.containers[0]!.imagePullPolicy = 'Never')).spec.containers[0]!.imagePullPolicy, 'Never');
  });

  it('fills probe defaults and the httpGet path and scheme', () => {
    const p = pod((x) => (x.spec.containers[0]!.readinessProbe = { httpGet: { port: 80 } }));
    assert.deepEqual(p.spec.containers[0]!.readinessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('keeps explicit values', () => {
    const p = pod((x) => {
      x.spec.restartPolicy = 'Never';
      x.spec.terminationGracePeriodSeconds = 0;
      x.spec.enableServiceLinks = false;
    });
    assert.equal(p.spec.restartPolicy, 'Never');
    assert.equal(p.spec.terminationGracePeriodSeconds, 0);
    assert.equal(p.spec.enableServiceLinks, false);
  });

  it('makes every container port a host port under hostNetwork', () => {
    assert.equal(pod((x) => (x.spec.hostNetwork = true)).spec.containers[0]!.ports![0]!.hostPort, 80);
  });

  it('a defaulted pod is valid', () => {
    assert.deepEqual(rules.validateCreate(pod()).map(errorString), []);
  });
});

const createCases: { name: string; tweak: (p: Pod) => void; want: Expect[] | number }[] = [
  { name: 'missing containers', tweak: (p) => (p.spec.containers = []), want: [{ field: 'spec.containers', type: 'FieldValueRequired' }] },
  { name: 'container name required', tweak: (p) => (p.spec.containers[0]!.name = ''), want: [{ field: 'spec.containers[0].name', type: 'FieldValueRequired' }] },
  { name: 'container name must be a DNS-1123 label', tweak: (p) => (p.spec.containers[0]!.name = 'App_1'), want: [{ field: 'spec.containers[0].name', type: 'FieldValueInvalid' }] },
  {
    name: 'duplicate container names',
    tweak: (p) => p.spec.containers.push({ ...clone(p.spec.containers[0]!), ports: [] }),
    want: [{ field: 'spec.containers[1].name', type: 'FieldValueDuplicate', message: 'spec.containers[1].name: Duplicate value: "app"' }],
  },
  { name: 'image required', tweak: (p) => (p.spec.containers[0]!.image = ''), want: [{ field: 'spec.containers[0].image', type: 'FieldValueRequired' }] },
  {
    name: 'image with surrounding spaces',
    tweak: (p) => (p.spec.containers[0]!.image = ' nginx '),
    want: [{ field: 'spec.containers[0].image', type: 'FieldValueInvalid', message: 'spec.containers[0].image: Invalid value: " nginx ": must not have leading or trailing whitespace' }],
  },
  { name: 'containerPort required', tweak: (p) => (p.spec.containers[0]!.ports![0]!.containerPort = 0), want: [{ field: 'spec.containers[0].ports[0].containerPort', type: 'FieldValueRequired' }] },
  {
    name: 'containerPort out of range',
    tweak: (p) => (p.spec.containers[0]!.ports![0]!.containerPort = 65536),
    want: [{ field: 'spec.containers[0].ports[0].containerPort', type: 'FieldValueInvalid', message: 'spec.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive' }],
  },
  {
    name: 'container port name must be an IANA_SVC_NAME',
    tweak: (p) => (p.spec.containers[0]!.ports![0]!.name = '-web'),
    want: [{ field: 'spec.containers[0].ports[0].name', type: 'FieldValueInvalid', message: 'spec.containers[0].ports[0].name: Invalid value: "-web": must not begin or end with a hyphen' }],
  },
  {
    name: 'duplicate container port names',
    tweak: (p) => p.spec.containers[0]!.ports!.push({ name: 'http', containerPort: 81, protocol: 'TCP' }),
    want: [{ field: 'spec.containers[0].ports[1].name', type: 'FieldValueDuplicate' }],
  },
  {
    name: 'conflicting host ports',
    tweak: (p) => {
      p.spec.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { containerPort: 81, hostPort: 8080, protocol: 'TCP' }];
    },
    want: [{ field: 'spec.containers[0].ports[1].hostPort', type: 'FieldValueDuplicate', message: 'spec.containers[0].ports[1].hostPort: Duplicate value: "TCP//8080"' }],
  },
  {
    name: 'invalid restartPolicy',
    tweak: (p) => (p.spec.restartPolicy = 'Sometimes' as 'Always'),
    want: [{ field: 'spec.restartPolicy', type: 'FieldValueNotSupported', message: 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' }],
  },
  {
    name: 'invalid dnsPolicy',
    tweak: (p) => (p.spec.dnsPolicy = 'Bogus' as 'None'),
    want: [{ field: 'spec.dnsPolicy', type: 'FieldValueNotSupported', message: 'spec.dnsPolicy: Unsupported value: "Bogus": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"' }],
  },
  {
    name: 'dnsPolicy None needs a dnsConfig',
    tweak: (p) => (p.spec.dnsPolicy = 'None'),
    want: [{ field: 'spec.dnsConfig', type: 'FieldValueRequired', message: 'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None' }],
  },
  { name: 'dnsPolicy None with a nameserver', tweak: (p) => ((p.spec.dnsPolicy = 'None'), (p.spec.dnsConfig = { nameservers: ['1.1.1.1'] })), want: 0 },
  {
    name: 'probe without a handler',
    tweak: (p) => (p.spec.containers[0]!.livenessProbe = { successThreshold: 1 }),
    want: [{ field: 'spec.containers[0].livenessProbe', type: 'FieldValueRequired', message: 'spec.containers[0].livenessProbe: Required value: must specify a handler type' }],
  },
  {
    name: 'probe with two handlers',
    tweak: (p) => (p.spec.containers[0]!.readinessProbe = { tcpSocket: { port: 80 }, exec: { command: ['true'] }, successThreshold: 1 }),
    want: [{ field: 'spec.containers[0].readinessProbe.tcpSocket', type: 'FieldValueForbidden', message: 'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type' }],
  },
  {
    name: 'liveness probe successThreshold must be 1',
    tweak: (p) => (p.spec.containers[0]!.livenessProbe = { tcpSocket: { port: 'http' }, successThreshold: 2 }),
    want: [{ field: 'spec.containers[0].livenessProbe.successThreshold', type: 'FieldValueInvalid', message: 'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1' }],
  },
  {
    name: 'probe port name',
    tweak: (p) => (p.spec.containers[0]!.readinessProbe = { httpGet: { port: 'Http', path: '/', scheme: 'HTTP' }, successThreshold: 1 }),
    want: [{ field: 'spec.containers[0].readinessProbe.httpGet.port', type: 'FieldValueInvalid' }],
  },
  { name: 'exec probe needs a command', tweak: (p) => (p.spec.containers[0]!.startupProbe = { exec: {}, successThreshold: 1 }), want: [{ field: 'spec.containers[0].startupProbe.exec.command', type: 'FieldValueRequired' }] },
  { name: 'negative probe period', tweak: (p) => (p.spec.containers[0]!.readinessProbe = { tcpSocket: { port: 80 }, periodSeconds: -1 }), want: [{ field: 'spec.containers[0].readinessProbe.periodSeconds', type: 'FieldValueInvalid', message: 'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0' }] },
  { name: 'env name required', tweak: (p) => (p.spec.containers[0]!.env = [{ name: '', value: 'x' }]), want: [{ field: 'spec.containers[0].env[0].name', type: 'FieldValueRequired' }] },
  { name: 'env name with =', tweak: (p) => (p.spec.containers[0]!.env = [{ name: 'A=B', value: 'x' }]), want: [{ field: 'spec.containers[0].env[0].name', type: 'FieldValueInvalid' }] },
  { name: 'env name with dots and dashes', tweak: (p) => (p.spec.containers[0]!.env = [{ name: 'my.env-name', value: 'x' }]), want: 0 },
  {
    name: 'env value and valueFrom together',
    tweak: (p) => (p.spec.containers[0]!.env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]),
    want: [{ field: 'spec.containers[0].env[0].valueFrom', type: 'FieldValueInvalid' }],
  },
  { name: 'terminationGracePeriodSeconds required', tweak: (p) => delete p.spec.terminationGracePeriodSeconds, want: [{ field: 'spec.terminationGracePeriodSeconds', type: 'FieldValueRequired' }] },
  { name: 'hostname must be a DNS label', tweak: (p) => (p.spec.hostname = 'a.b'), want: [{ field: 'spec.hostname', type: 'FieldValueInvalid' }] },
  { name: 'activeDeadlineSeconds 0', tweak: (p) => (p.spec.activeDeadlineSeconds = 0), want: [{ field: 'spec.activeDeadlineSeconds', type: 'FieldValueInvalid', message: 'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive' }] },
  {
    name: 'negative resource quantity (ValidateNonnegativeQuantity)',
    tweak: (p) => (p.spec.containers[0]!.resources = { requests: { memory: '-1Gi', cpu: '-0' }, limits: { cpu: '-500m' } }),
    want: [
      { field: 'spec.containers[0].resources.limits[cpu]', type: 'FieldValueInvalid', message: 'spec.containers[0].resources.limits[cpu]: Invalid value: "-500m": must be greater than or equal to 0' },
      { field: 'spec.containers[0].resources.requests[memory]', type: 'FieldValueInvalid', message: 'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0' },
    ],
  },
  { name: 'a huge DecimalExponent quantity is valid (ParseQuantity caps only BinarySI)', tweak: (p) => (p.spec.containers[0]!.resources = { limits: { memory: '1e1000' } }), want: 0 },
  {
    name: 'hostAliases: ip must be an IP, hostnames DNS-1123 subdomains (ValidateHostAliases)',
    tweak: (p) => (p.spec['hostAliases'] = [{ ip: '10.0.0.1', hostnames: ['db.local'] }, { ip: 'garbage', hostnames: ['ok', 'Bad_Host'] }]),
    want: [
      { field: 'spec.hostAliases[1].ip', type: 'FieldValueInvalid', message: 'spec.hostAliases[1].ip: Invalid value: "garbage": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
      { field: 'spec.hostAliases[1].hostnames[1]', type: 'FieldValueInvalid' },
    ],
  },
  { name: 'pod name may be a subdomain', tweak: (p) => (p.metadata.name = 'web.v1'), want: 0 },
  { name: 'pod namespace required', tweak: (p) => delete p.metadata.namespace, want: [{ field: 'metadata.namespace', type: 'FieldValueRequired' }] },
];

describe('Pod validation on create', () => {
  for (const tc of createCases) {
    it(tc.name, () => {
      const p = pod();
      tc.tweak(p);
      assertErrors(rules.validateCreate(p), tc.want, tc.name);
    });
  }
});

describe('Pod validation on update', () => {
  const prefix =
    'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

  it('allows changing the image', () => {
    const old = pod();
    const p = clone(old);
    p.spec.containers[0]!.image = 'nginx:1.28';
    assertErrors(rules.validateUpdate(p, old), 0, 'image');
  });

  it('forbids other spec changes with upstream message', () => {
    const old = pod();
    const p = clone(old);
    p.spec.containers[0]!.ports![0]!.containerPort = 8080;
    const errs = rules.validateUpdate(p, old);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.field, 'spec');
    assert.equal(errs[0]!.type, 'FieldValueForbidden');
    assert.ok(errs[0]!.detail.startsWith(`${prefix}\n`), errs[0]!.detail);
    assert.match(errs[0]!.detail, /spec\.containers\[0\]\.ports\[0\]\.containerPort/);
  });

  it('forbids adding containers', () => {
    const old = pod();
    const p = clone(old);
    p.spec.containers.push({ ...clone(old.spec.containers[0]!), name: 'side', ports: [] });
    assertErrors(rules.validateUpdate(p, old), [
      { field: 'spec.containers', type: 'FieldValueForbidden', message: 'spec.containers: Forbidden: pod updates may not add or remove containers' },
    ], 'add');
  });

  it('activeDeadlineSeconds may be set, then only lowered', () => {
    const old = pod();
    const p = clone(old);
    p.spec.activeDeadlineSeconds = 100;
    assertErrors(rules.validateUpdate(p, old), 0, 'set');
    const q = clone(p);
    q.spec.activeDeadlineSeconds = 200;
    assertErrors(rules.validateUpdate(q, p), [{ field: 'spec.activeDeadlineSeconds', type: 'FieldValueInvalid', message: 'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value' }], 'raise');
    const r = clone(p);
    delete r.spec.activeDeadlineSeconds;
    assertErrors(rules.validateUpdate(r, p), [{ field: 'spec.activeDeadlineSeconds', type: 'FieldValueInvalid' }], 'unset');
  });

  it('tolerations may only be added', () => {
    const old = pod((p) => (p.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }]));
    const add = clone(old);
    add.spec.tolerations!.push({ key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 });
    assertErrors(rules.validateUpdate(add, old), 0, 'add');
    const change = clone(old);
    change.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'NoExecute' }];
    assertErrors(rules.validateUpdate(change, old), [
      { field: 'spec.tolerations', type: 'FieldValueForbidden', message: 'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds' },
    ], 'change');
  });

  it('status update may not move the pod to another node', () => {
    const old = pod();
    const p = clone(old);
    p.spec.nodeName = 'node-1';
    assertErrors(rules.validateStatusUpdate(p, old), [{ field: 'status.nodeName', type: 'FieldValueForbidden', message: 'status.nodeName: Forbidden: may not be changed directly' }], 'node');
  });

  it('status update checks pod IPs', () => {
    const old = pod();
    const p = clone(old);
    p.status = { podIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] };
    assertErrors(rules.validateStatusUpdate(p, old), [{ field: 'status.podIPs', type: 'FieldValueInvalid' }], 'ips');
    p.status = { podIPs: [{ ip: 'bogus' }] };
    assertErrors(rules.validateStatusUpdate(p, old), [{ field: 'status.podIPs[0]', type: 'FieldValueInvalid' }], 'bad ip');
    p.status = { hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], podIPs: [{ ip: '127.244.0.5' }] };
    assertErrors(rules.validateStatusUpdate(p, old), 0, 'good');
  });

  it('a terminated container of a Never pod may not run again', () => {
    const old = pod((p) => (p.spec.restartPolicy = 'Never'));
    old.status = { containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'nginx', imageID: '', state: { terminated: { exitCode: 0 } } }] };
    const p = clone(old);
    p.status!.containerStatuses![0]!.state = { running: {} };
    assertErrors(rules.validateStatusUpdate(p, old), [{ field: 'status.containerStatuses[0].state', type: 'FieldValueForbidden' }], 'transition');
  });
});
