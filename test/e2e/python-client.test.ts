// The official Python client (Debian's python3-kubernetes 22.x), unchanged, against `kubesvc up`:
// watch, pagination, the three patch types, exec and logs, each a small script run by /usr/bin/python3
// with the kubeconfig kubesvc wrote. Each script prints one JSON line the test asserts on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, tempDir, type Cluster } from './harness.js';

// Debian's interpreter, where apt installs the package (the python3 first on PATH may be another one).
const python = '/usr/bin/python3';

function clientVersion(): string | undefined {
  const r = spawnSync(python, ['-c', 'import kubernetes; print(kubernetes.__version__)'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const version = clientVersion();
const skip = version === undefined ? 'python3-kubernetes is not installed (apt-get install python3-kubernetes); /usr/bin/python3 cannot import kubernetes' : false;

/** Loads the kubeconfig given as argv[1]; every script starts with this. */
const prelude = `
import json, sys, threading, time
from kubernetes import client, config, watch
from kubernetes.stream import stream
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
def out(v):
    print(json.dumps(v))
`;

describe('official Python client', { skip }, () => {
  let c: Cluster;
  let dir: string;
  before(async () => {
    c = await startCluster();
    dir = tempDir('kubesvc-py-');
  });
  after(async () => {
    await c?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a script (without blocking the event loop, so the server in the child keeps answering) and parses its last line. */
  async function run(name: string, body: string, timeoutMs = 30_000): Promise<any> {
    const file = join(dir, `${name}.py`);
    writeFileSync(file, prelude + body);
    const proc = spawn(python, [file, c.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', HOME: dir } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    clearTimeout(timer);
    assert.equal(code, 0, `${name}.py exited ${code}:\n${stderr}${stdout}`);
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last);
  }

  it(`is version 22.x (found ${version})`, () => {
    assert.match(version!, /^22\./);
  });

  it('watches: events for changes made after the watch began, from the resourceVersion of a list', async () => {
    // The client sends watch=True; answering it with a List would give no event for objects created later.
    const r = await run('watch', `
rv = v1.list_namespaced_service('default').metadata.resource_version
def change():
    time.sleep(0.5)
    v1.create_namespaced_service('default', {'metadata': {'name': 'py-watched', 'labels': {'py': 'watch'}}, 'spec': {'ports': [{'port': 80}]}})
    v1.patch_namespaced_service('py-watched', 'default', {'metadata': {'labels': {'step': 'two'}}})
    v1.delete_namespaced_service('py-watched', 'default')
threading.Thread(target=change, daemon=True).start()
events = []
w = watch.Watch()
started = time.time()
for ev in w.stream(v1.list_namespaced_service, 'default', label_selector='py=watch', resource_version=rv, timeout_seconds=10):
    events.append([ev['type'], ev['object'].metadata.name, (ev['object'].metadata.labels or {}).get('step')])
    if len(events) == 3:
        w.stop()
out({'events': events, 'seconds': time.time() - started, 'resourceVersion': w.resource_version})
`);
    assert.deepEqual(r.events, [
      ['ADDED', 'py-watched', null],
      ['MODIFIED', 'py-watched', 'two'],
      ['DELETED', 'py-watched', 'two'],
    ]);
    assert.ok(r.seconds < 9, `the events came as they happened, not at the watch's timeout: ${r.seconds}s`);
    assert.ok(Number(r.resourceVersion) > 0, 'the client kept the last event resourceVersion to resume from');
  });

  it('pages through a list with limit and continue, and a bad continue token is a 400', async () => {
    const r = await run('paginate', `
for i in range(7):
    v1.create_namespaced_service('default', {'metadata': {'name': 'py-page-%d' % i, 'labels': {'py': 'page'}}, 'spec': {'ports': [{'port': 80}]}})
pages = []
token = None
while True:
    page = v1.list_namespaced_service('default', label_selector='py=page', limit=3, _continue=token)
    pages.append([s.metadata.name for s in page.items])
    token = page.metadata._continue
    if not token or len(pages) > 10:
        break
try:
    v1.list_namespaced_service('default', limit=3, _continue='not-a-token')
    bad = None
except client.ApiException as e:
    bad = {'status': e.status, 'reason': json.loads(e.body)['reason']}
out({'pages': pages, 'bad': bad})
`);
    assert.deepEqual(r.pages.map((p: string[]) => p.length), [3, 3, 1]);
    assert.deepEqual(r.pages.flat(), [0, 1, 2, 3, 4, 5, 6].map((i) => `py-page-${i}`));
    assert.deepEqual(r.bad, { status: 400, reason: 'BadRequest' });
  });

  it('patches with JSON patch, strategic merge patch and JSON merge patch, each with its own semantics', async () => {
    const r = await run('patch', `
v1.create_namespaced_service('default', {'metadata': {'name': 'py-patched'}, 'spec': {'selector': {'app': 'a'}, 'ports': [{'name': 'http', 'port': 80}]}})
# a list body: the client sends application/json-patch+json
s = v1.patch_namespaced_service('py-patched', 'default', [{'op': 'add', 'path': '/metadata/labels', 'value': {'patched': 'json'}}])
json_patch = s.metadata.labels
# a dict body: application/strategic-merge-patch+json; ports merge by their port key
s = v1.patch_namespaced_service('py-patched', 'default', {'spec': {'ports': [{'name': 'https', 'port': 443}]}})
strategic = sorted(p.port for p in s.spec.ports)
# merge patch (RFC 7386) replaces the whole list
api = client.ApiClient()
api.set_default_header('Content-Type', 'application/merge-patch+json')
s = client.CoreV1Api(api).patch_namespaced_service('py-patched', 'default', {'spec': {'ports': [{'name': 'dns', 'port': 53, 'protocol': 'UDP'}]}})
merge = [[p.port, p.protocol] for p in s.spec.ports]
try:
    v1.patch_namespaced_service('py-patched', 'default', [{'op': 'test', 'path': '/spec/selector/app', 'value': 'other'}])
    failed_test = None
except client.ApiException as e:
    failed_test = e.status
out({'json': json_patch, 'strategic': strategic, 'merge': merge, 'failedTest': failed_test})
`);
    assert.deepEqual(r.json, { patched: 'json' });
    assert.deepEqual(r.strategic, [80, 443]);
    assert.deepEqual(r.merge, [[53, 'UDP']]);
    // A failing JSON patch "test" op is upstream's 422.
    assert.equal(r.failedTest, 422);
  });

  it('reads logs (whole, tailed, followed) and execs commands with stdout, stderr, stdin and exit code', async () => {
    const r = await run('exec-logs', `
v1.create_namespaced_pod('default', {'metadata': {'name': 'py-pod'}, 'spec': {'containers': [{'name': 'app', 'image': 'kubesvc.io/host',
    'command': ['sh', '-c', 'echo first; echo second; i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo tick-$i; sleep 0.1; done; exec sleep 3600']}]}})
deadline = time.time() + 20
while time.time() < deadline:
    p = v1.read_namespaced_pod('py-pod', 'default')
    if p.status.phase == 'Running':
        break
    time.sleep(0.1)
time.sleep(0.3)
whole = v1.read_namespaced_pod_log('py-pod', 'default').split('\\n')[:2]
tail = v1.read_namespaced_pod_log('py-pod', 'default', tail_lines=1)
follow = v1.read_namespaced_pod_log('py-pod', 'default', follow=True, _preload_content=False)
followed = []
for line in follow.stream():
    followed += [l for l in line.decode().split('\\n') if l.startswith('tick-')]
    if len(followed) >= 5:
        break
follow.release_conn()
output = stream(v1.connect_get_namespaced_pod_exec, 'py-pod', 'default', command=['sh', '-c', 'echo out-$((6*7)); echo oops >&2'],
    stderr=True, stdin=False, stdout=True, tty=False)
ws = stream(v1.connect_get_namespaced_pod_exec, 'py-pod', 'default', command=['sh', '-c', 'read x; echo got-$x; exit 3'],
    stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
ws.write_stdin('hello\\n')
ws.run_forever(timeout=10)
piped = ws.read_stdout(timeout=5)
out({'phase': p.status.phase, 'whole': whole, 'tail': tail, 'followed': followed, 'exec': output, 'stdin': piped, 'rc': ws.returncode})
`, 60_000);
    assert.equal(r.phase, 'Running');
    assert.deepEqual(r.whole, ['first', 'second']);
    assert.match(r.tail, /^tick-\d+\n$/);
    assert.equal(r.followed.length >= 5, true, JSON.stringify(r.followed));
    const ticks = r.followed.map((l: string) => Number(l.slice('tick-'.length)));
    assert.deepEqual(ticks, [...ticks].sort((a, b) => a - b), 'followed lines in order');
    assert.equal(r.exec, 'out-42\noops\n');
    assert.equal(r.stdin, 'got-hello\n');
    assert.equal(r.rc, 3);
  });

  it('finds resources through the dynamic client (unaggregated discovery) and lists them', async () => {
    const r = await run('dynamic', `
from kubernetes import dynamic
dyn = dynamic.DynamicClient(client.ApiClient())
svc = dyn.resources.get(api_version='v1', kind='Service')
deploy = dyn.resources.get(api_version='apps/v1', kind='Deployment')
names = [i.metadata.name for i in svc.get(namespace='default').items]
out({'svc': [svc.name, svc.namespaced, svc.short_names], 'deploy': [deploy.name, deploy.group], 'hasKubernetes': 'kubernetes' in names})
`);
    assert.deepEqual(r.svc, ['services', true, ['svc']]);
    assert.deepEqual(r.deploy, ['deployments', 'apps']);
    assert.equal(r.hasKubernetes, true);
  });
});
