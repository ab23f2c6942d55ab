// Wrongly typed bodies over real HTTPS, on create, update, merge / strategic / JSON patch and
// scale: each is refused with upstream's status and words (400 from the decoder on create and
// update, 422 on the field `patch` for a patch), nothing is stored, and the server keeps answering.
// Also the Service bodies that used to end in a 500 (TypeErrors, allocation errors).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { kubectlBin, type HttpResult } from '../e2e/harness.js';

const SVC = '/api/v1/namespaces/default/services';
const DEP = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const JSONPATCH = 'application/json-patch+json';

const service = (name: string, spec: object = {}, metadata: object = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, ...metadata }, spec: { ports: [{ port: 80 }], ...spec } });
const deployment = (name: string, spec: object = {}, metadata: object = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...metadata },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } },
      ...spec,
    },
  });

describe('typed decoding of request bodies over HTTPS', () => {
  let t: TestApiServer;
  /** Every object the store holds under these paths, as stored (resourceVersions included). */
  const snapshot = async (): Promise<string> => {
    const out: unknown[] = [];
    for (const p of [SVC, DEP]) out.push((await t.send('GET', p)).json().items);
    return JSON.stringify(out);
  };
  const expectStatus = (r: HttpResult, code: number, message: string, reason = code === 400 ? 'BadRequest' : 'Invalid') => {
    assert.equal(r.status, code, r.body);
    const s = r.json();
    assert.equal(s.kind, 'Status');
    assert.equal(s.reason, reason);
    assert.equal(s.message, message);
    return s;
  };
  /** 422 Invalid on `patch`; `value` (the invalid value) is checked exactly when given. */
  const patchInvalid = (r: HttpResult, detail: string, value?: string) => {
    assert.equal(r.status, 422, r.body);
    const s = r.json();
    assert.equal(s.reason, 'Invalid');
    if (value !== undefined) assert.equal(s.message, ` "" is invalid: patch: Invalid value: ${JSON.stringify(value)}: ${detail}`);
    assert.ok(s.message.endsWith(`: ${detail}`), s.message);
    assert.ok(s.message.startsWith(' "" is invalid: patch: Invalid value: "'), s.message);
    assert.equal(s.details.causes.length, 1);
    assert.equal(s.details.causes[0].field, 'patch');
    assert.equal(s.details.causes[0].reason, 'FieldValueInvalid');
    assert.equal(s.details.name, undefined, 'upstream leaves the kind and name empty');
  };

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-typed-' });
    assert.equal((await t.send('POST', SVC, service('web'))).status, 201);
    assert.equal((await t.send('POST', DEP, deployment('app', { replicas: 1 }))).status, 201);
  });
  after(async () => {
    await t?.stop();
  });

  it('refuses wrongly typed create bodies with 400 in the decoder words, storing nothing', async () => {
    const before = await snapshot();
    const cases: [string, string, string][] = [
      [SVC, service('l1', {}, { labels: { a: 123 } }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
      [SVC, service('l2', {}, { labels: [] }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
      [SVC, service('s1', { selector: [] }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string'],
      [SVC, service('p1', { ports: {} }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
      [SVC, service('p2', { ports: 'x' }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
      [SVC, service('p3', { ports: [{ port: 80, targetPort: true }] }),
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal bool into Go value of type int32'],
      [DEP, deployment('r1', { replicas: 2147483648 }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32'],
      [DEP, deployment('r2', { selector: [] }),
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal array into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector'],
    ];
    for (const [path, body, message] of cases) expectStatus(await t.send('POST', path, body), 400, message);
    // YAML bodies are decoded the same way.
    expectStatus(
      await t.send('POST', SVC, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: y\n  labels:\n    a: 1\nspec:\n  ports:\n  - port: 80\n', 'application/yaml'),
      400,
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    // A kind that is not a string stops the serializer before it knows the type.
    expectStatus(
      await t.send('POST', SVC, '{"kind":5,"apiVersion":"v1","metadata":{"name":"k"}}'),
      400,
      'the object provided is unrecognized (must be of type Service): couldn\'t get version/kind; json parse error: ' +
        'json: cannot unmarshal number into Go struct field .kind of type string ({"kind":5,"apiVersion":"v1","m ...)',
    );
    assert.equal(await snapshot(), before);
  });

  it('refuses wrongly typed update bodies with 400, storing nothing', async () => {
    const before = await snapshot();
    const current = (await t.send('GET', `${SVC}/web`)).json();
    current.metadata.labels = { a: [] };
    expectStatus(
      await t.send('PUT', `${SVC}/web`, JSON.stringify(current)),
      400,
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type string',
    );
    const dep = (await t.send('GET', `${DEP}/app`)).json();
    dep.spec.replicas = 2147483648;
    expectStatus(
      await t.send('PUT', `${DEP}/app`, JSON.stringify(dep)),
      400,
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    assert.equal(await snapshot(), before);
  });

  it('refuses patches that produce wrong types with 422 on the field patch, storing nothing', async () => {
    const before = await snapshot();
    // JSON and merge patches: the value is the patched object's JSON.
    patchInvalid(
      await t.send('PATCH', `${SVC}/web`, JSON.stringify({ metadata: { labels: { a: 123 } } }), MERGE),
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    patchInvalid(
      await t.send('PATCH', `${SVC}/web`, JSON.stringify({ spec: { ports: {} } }), MERGE),
      'json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort',
    );
    patchInvalid(
      await t.send('PATCH', `${SVC}/web`, JSON.stringify([{ op: 'replace', path: '/spec/ports', value: 1 }]), JSONPATCH),
      'json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort',
    );
    patchInvalid(
      await t.send('PATCH', `${DEP}/app`, JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 2147483648 }]), JSONPATCH),
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    const merged = await t.send('PATCH', `${SVC}/web`, JSON.stringify({ spec: { selector: [] } }), MERGE);
    patchInvalid(merged, 'json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string');
    assert.match(merged.json().message, /patch: Invalid value: "\{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Service\\"/);
    // Strategic merge patches: the value is the patch as Go prints a map, the words the converter's.
    patchInvalid(
      await t.send('PATCH', `${SVC}/web`, JSON.stringify({ metadata: { labels: { a: 123 } } }), SMP),
      'cannot convert int64 to string',
      'map[metadata:map[labels:map[a:123]]]',
    );
    patchInvalid(
      await t.send('PATCH', `${SVC}/web`, JSON.stringify({ spec: { ports: 'x' } }), SMP),
      'cannot restore slice from string',
      'map[spec:map[ports:x]]',
    );
    patchInvalid(
      await t.send('PATCH', `${DEP}/app`, JSON.stringify({ spec: { replicas: 2147483648 } }), SMP),
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
      'map[spec:map[replicas:2147483648]]',
    );
    assert.equal(await snapshot(), before);
  });

  it('decodes Scale bodies: replicas beyond int32 are refused on PUT and PATCH, storing nothing', async () => {
    const before = await snapshot();
    const sc = (await t.send('GET', `${DEP}/app/scale`)).json();
    sc.spec.replicas = 2147483648;
    expectStatus(
      await t.send('PUT', `${DEP}/app/scale`, JSON.stringify(sc)),
      400,
      'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 2147483648 into Go struct field ScaleSpec.spec.replicas of type int32',
    );
    patchInvalid(
      await t.send('PATCH', `${DEP}/app/scale`, JSON.stringify({ spec: { replicas: 4294967297 } }), MERGE),
      'json: cannot unmarshal number 4294967297 into Go struct field ScaleSpec.spec.replicas of type int32',
    );
    patchInvalid(
      await t.send('PATCH', `${DEP}/app/scale`, JSON.stringify({ spec: { replicas: '3' } }), MERGE),
      'json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas of type int32',
    );
    assert.equal(await snapshot(), before);
    // A valid scale still works.
    const ok = await t.send('PATCH', `${DEP}/app/scale`, JSON.stringify({ spec: { replicas: 2 } }), MERGE);
    assert.equal(ok.status, 200, ok.body);
    assert.equal((await t.send('GET', `${DEP}/app`)).json().spec.replicas, 2);
  });

  it('decodes DeleteOptions and pods/binding bodies: a wrong type is a 400, nothing changes', async () => {
    const before = await snapshot();
    expectStatus(
      await t.send('DELETE', `${SVC}/web`, JSON.stringify({ gracePeriodSeconds: 'soon' })),
      400,
      'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64',
    );
    expectStatus(
      await t.send('DELETE', `${SVC}/web`, JSON.stringify({ preconditions: { uid: 5 } })),
      400,
      'json: cannot unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID',
    );
    assert.equal(await snapshot(), before);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me' }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } };
    assert.equal((await t.send('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod))).status, 201);
    const binding = (target: unknown) => JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target });
    expectStatus(
      await t.send('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding({ kind: 'Node', name: 5 })),
      400,
      'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal number into Go struct field ObjectReference.target.name of type string',
    );
    assert.equal((await t.send('GET', '/api/v1/namespaces/default/pods/bind-me')).json().spec.nodeName, undefined);
    const ok = await t.send('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding({ kind: 'Node', name: 'node-1' }));
    assert.equal(ok.status, 201, ok.body);
    assert.equal((await t.send('GET', '/api/v1/namespaces/default/pods/bind-me')).json().spec.nodeName, 'node-1');
    assert.equal((await t.send('DELETE', '/api/v1/namespaces/default/pods/bind-me?gracePeriodSeconds=0')).status < 300, true);
  });

  it('kubectl shows the refusal as it does against a real apiserver', { skip: existsSync(kubectlBin) ? false : 'no kubectl' }, async () => {
    // The API server runs in this process, so kubectl must not block the event loop (no spawnSync).
    const run = (args: string[], input: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = execFile(
          kubectlBin,
          args,
          { timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBECONFIG: t.kubeconfig, HOME: t.dir, KUBECACHEDIR: join(t.dir, 'kubectl-cache') } },
          (err, _stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
        );
        child.stdin!.end(input);
      });
    // kubectl create -f decodes builtin kinds itself and stops first ('unable to decode "STDIN"');
    // --raw sends the body as a buggy client would.
    const r = await run(['create', '--raw', SVC, '-f', '-'], service('kc', {}, { labels: { version: 5 } }));
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Error from server \(BadRequest\): Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number into Go struct field ObjectMeta\.metadata\.labels of type string/,
    );
    assert.equal((await t.send('GET', `${SVC}/kc`)).status, 404);
  });

  it('takes the largest int32 replicas as upstream does, in time independent of the count', async () => {
    // A huge count is a legitimate request; only the controllers act on it (in bursts of 500).
    // Nothing on the request path may cost time or memory in proportion to it.
    const t0 = performance.now();
    const r = await t.send('POST', DEP, deployment('huge', { replicas: 2147483647 }));
    assert.equal(r.status, 201, r.body);
    const s = await t.send('PATCH', `${DEP}/huge/scale`, JSON.stringify({ spec: { replicas: 2147483646 } }), MERGE);
    assert.equal(s.status, 200, s.body);
    assert.equal(s.json().spec.replicas, 2147483646);
    const p = await t.send('PATCH', `${DEP}/huge`, JSON.stringify({ spec: { replicas: 2147483647 } }), SMP);
    assert.equal(p.status, 200, p.body);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `three writes of a 2^31-1 replica count took ${ms.toFixed(0)} ms`);
    assert.equal((await t.send('DELETE', `${DEP}/huge`)).status, 200);
  });

  it('answers the Service bodies that used to be 500s with 422 naming the field', async () => {
    const before = await snapshot();
    const invalid = async (body: string, field: string, message: string) => {
      const r = await t.send('POST', SVC, body);
      const s = expectStatus(r, 422, message);
      assert.ok(s.details.causes.some((x: { field: string }) => x.field === field), r.body);
    };
    await invalid(service('n1', { ports: [null] }), 'spec.ports[0].port',
      'Service "n1" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]');
    await invalid(service('n2', { clusterIP: 'garbage' }), 'spec.clusterIPs[0]',
      'Service "n2" is invalid: spec.clusterIPs[0]: Invalid value: "garbage": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    const lbLocal = { type: 'LoadBalancer', externalTrafficPolicy: 'Local' };
    for (const hc of [-1, 99999]) {
      await invalid(service(`hc${hc}`.replace('-', 'm'), { ...lbLocal, healthCheckNodePort: hc }), 'spec.healthCheckNodePort',
        `Service "${`hc${hc}`.replace('-', 'm')}" is invalid: spec.healthCheckNodePort: Invalid value: ${hc}: failed to allocate requested HealthCheck NodePort ${hc}: ` +
          'provided port is not in the valid range. The range of valid ports is 30000-32767');
    }
    const ports = Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, port: 1000 + i }));
    await invalid(service('many', { type: 'NodePort', ports }), 'spec.ports[2768].nodePort',
      'Service "many" is invalid: spec.ports[2768].nodePort: Invalid value: 0: failed to allocate a nodePort: range is full');
    // The ports that request allocated before it failed were given back.
    const np = await t.send('POST', SVC, service('np', { type: 'NodePort' }));
    assert.equal(np.status, 201, np.body);
    assert.equal((await t.send('DELETE', `${SVC}/np`)).status, 200);
    // Patches producing these are refused the same way, through decode then validation.
    const r = await t.send('PATCH', `${SVC}/web`, JSON.stringify({ spec: { ports: [null] } }), MERGE);
    assert.equal(r.status, 422, r.body);
    // A required string left null is Go's "" (found by the property test: it was a TypeError).
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hostips' }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } };
    assert.equal((await t.send('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod))).status, 201);
    const st = await t.send('PATCH', '/api/v1/namespaces/default/pods/hostips/status', JSON.stringify({ status: { hostIPs: [{ ip: null }] } }), MERGE);
    expectStatus(st, 422, 'Pod "hostips" is invalid: status.hostIPs[0]: Invalid value: "": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    assert.equal((await t.send('DELETE', '/api/v1/namespaces/default/pods/hostips?gracePeriodSeconds=0')).status < 300, true);
    assert.equal(await snapshot(), before);
    assert.equal((await t.send('GET', '/readyz', undefined)).status, 200);
  });
});
