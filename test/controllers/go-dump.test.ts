import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpPodTemplateSpec, parseQuantityFast } from '../../src/controllers/deployment/go-dump.js';

test("spew %#v layout: Go field order, type prefixes, nil pointers/slices/maps, zero values", () => {
  const d = dumpPodTemplateSpec({ metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, protocol: 'TCP' }] }], terminationGracePeriodSeconds: 30, securityContext: {} } });
  assert.ok(d.startsWith('(v1.PodTemplateSpec){ObjectMeta:(v1.ObjectMeta){Name:(string) GenerateName:(string) Namespace:(string) SelfLink:(string) UID:(types.UID) ResourceVersion:(string) Generation:(int64)0 CreationTimestamp:(v1.Time){Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}} DeletionTimestamp:(*v1.Time)<nil> DeletionGracePeriodSeconds:(*int64)<nil> Labels:(map[string]string)map[a:1 b:2] Annotations:(map[string]string)<nil> OwnerReferences:([]v1.OwnerReference)<nil>'));
  assert.ok(d.includes('Containers:([]v1.Container)[{Name:(string)c Image:(string)busybox Command:([]string)<nil>'));
  assert.ok(d.includes('Ports:([]v1.ContainerPort)[{Name:(string) HostPort:(int32)0 ContainerPort:(int32)80 Protocol:(v1.Protocol)TCP HostIP:(string)}]'));
  assert.ok(d.includes('TerminationGracePeriodSeconds:(*int64)30 ActiveDeadlineSeconds:(*int64)<nil>'));
  assert.ok(d.includes('SecurityContext:(*v1.PodSecurityContext){SELinuxOptions:(*v1.SELinuxOptions)<nil>'));
  assert.ok(d.endsWith('Resources:(*v1.ResourceRequirements)<nil>}}'));
});

test('probe handlers are the embedded ProbeHandler; ports are IntOrString structs', () => {
  const d = dumpPodTemplateSpec({ spec: { containers: [{ name: 'c', readinessProbe: { httpGet: { port: 'http', path: '/' }, periodSeconds: 5 } }] } });
  assert.ok(d.includes('ReadinessProbe:(*v1.Probe){ProbeHandler:(v1.ProbeHandler){Exec:(*v1.ExecAction)<nil> HTTPGet:(*v1.HTTPGetAction){Path:(string)/ Port:(intstr.IntOrString){Type:(intstr.Type)1 IntVal:(int32)0 StrVal:(string)http}'));
  assert.ok(d.includes('PeriodSeconds:(int32)5'));
});

test('quantities as resource.ParseQuantity leaves them (canonical text kept)', () => {
  assert.deepEqual(parseQuantityFast('100m'), { value: 100n, scale: -3, format: 'DecimalSI', s: '100m' });
  assert.deepEqual(parseQuantityFast('1Gi'), { value: 1073741824n, scale: 0, format: 'BinarySI', s: '1Gi' });
  assert.deepEqual(parseQuantityFast('128Mi'), { value: 134217728n, scale: 0, format: 'BinarySI', s: '' });
  assert.deepEqual(parseQuantityFast('2000m'), { value: 2000n, scale: -3, format: 'DecimalSI', s: '' });
  assert.deepEqual(parseQuantityFast('0.5'), { value: 5n, scale: -1, format: 'DecimalSI', s: '' });
  assert.deepEqual(parseQuantityFast('0'), { value: 0n, scale: 0, format: 'DecimalSI', s: '0' });
  const d = dumpPodTemplateSpec({ spec: { containers: [{ name: 'c', resources: { requests: { memory: '1Gi', cpu: '100m' } } }] } });
  assert.ok(d.includes('Requests:(v1.ResourceList)map[cpu:{i:(resource.int64Amount){value:(int64)100 scale:(resource.Scale)-3} d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)100m Format:(resource.Format)DecimalSI} memory:{'));
});
