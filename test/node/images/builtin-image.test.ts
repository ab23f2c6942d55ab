import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { builtinImage, UnsupportedCommandError, smallFootprint } from '../../../src/node/images/index.js';

describe('builtinImage: image names', () => {
  const agnhost = [
    'registry.k8s.io/e2e-test-images/agnhost:2.53',
    'registry.k8s.io/e2e-test-images/agnhost:2.39',
    'registry.k8s.io/e2e-test-images/agnhost',
    'k8s.gcr.io/e2e-test-images/agnhost:2.32',
    'e2e-test-images/agnhost:2.53',
    'registry.k8s.io/e2e-test-images/agnhost@sha256:' + 'a'.repeat(64),
    'registry.k8s.io/e2e-test-images/agnhost:2.53@sha256:' + 'b'.repeat(64),
  ];
  for (const name of agnhost) {
    it(`${name} is agnhost`, () => {
      const img = builtinImage(name);
      assert.ok(img);
      // The one-file build when `npm run build` made it, the tsc output otherwise.
      assert.match(img.entry, /dist\/(images\/agnhost\.js|src\/node\/images\/agnhost\/main\.js)$/);
      assert.ok(existsSync(img.entry), 'entry is compiled');
      assert.deepEqual(img.nodeFlags, smallFootprint, 'a test image runs small');
    });
  }
  it('serve_hostname and pause, any tag', () => {
    for (const n of ['registry.k8s.io/serve_hostname:v1.4', 'registry.k8s.io/serve_hostname', 'k8s.gcr.io/serve_hostname:1.1']) {
      assert.match(builtinImage(n)!.entry, /serve-hostname(\/main)?\.js$/);
    }
    for (const n of ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause', 'k8s.gcr.io/pause:3.2']) {
      assert.match(builtinImage(n)!.entry, /pause(\/main)?\.js$/);
    }
    assert.ok(existsSync(builtinImage('registry.k8s.io/pause:3.10')!.entry));
    assert.ok(existsSync(builtinImage('registry.k8s.io/serve_hostname')!.entry));
  });
  it('the ingress controller keeps V8\'s defaults (built for throughput)', () => {
    assert.deepEqual(builtinImage('kubesvc.io/ingress')!.nodeFlags, []);
  });
  it('unknown images are not built in', () => {
    for (const n of ['nginx', 'nginx:1.27', 'registry.k8s.io/e2e-test-images/busybox:1.36', 'example.com/agnhost', 'registry.k8s.io/pause-foo', 'agnhost']) {
      assert.equal(builtinImage(n), undefined, n);
    }
  });
  it('describes the entrypoint', () => {
    assert.equal(builtinImage('registry.k8s.io/e2e-test-images/agnhost:2.53')!.description, 'ENTRYPOINT ["/agnhost"] CMD ["pause"]');
    assert.equal(builtinImage('registry.k8s.io/pause:3.10')!.description, 'ENTRYPOINT ["/pause"]');
  });
});

describe('builtinImage: command and args as Docker combines them', () => {
  const agnhost = builtinImage('registry.k8s.io/e2e-test-images/agnhost:2.53')!;
  it('neither: ENTRYPOINT + CMD, i.e. pause', () => {
    assert.deepEqual(agnhost.args(undefined, undefined), ['pause']);
    assert.deepEqual(agnhost.args([], []), ['pause']);
  });
  it('args only replace CMD', () => {
    assert.deepEqual(agnhost.args(undefined, ['serve-hostname', '--port', '9376']), ['serve-hostname', '--port', '9376']);
    assert.deepEqual(agnhost.args([], ['netexec', '--http-port=8080']), ['netexec', '--http-port=8080']);
  });
  it('a command replaces ENTRYPOINT and drops CMD', () => {
    assert.deepEqual(agnhost.args(['/agnhost', 'netexec', '--http-port=8080'], undefined), ['netexec', '--http-port=8080']);
    assert.deepEqual(agnhost.args(['/agnhost'], ['serve-hostname']), ['serve-hostname']);
    assert.deepEqual(agnhost.args(['/agnhost'], undefined), []);
    assert.deepEqual(agnhost.args(['agnhost', 'pause'], undefined), ['pause']);
    assert.deepEqual(agnhost.args(['./agnhost'], ['pause']), ['pause']);
    assert.deepEqual(agnhost.args(['/agnhost-2', 'pause'], []), ['pause']);
  });
  it('other binaries cannot run', () => {
    assert.throws(() => agnhost.args(['/bin/sh', '-c', 'sleep 1'], undefined), UnsupportedCommandError);
    assert.throws(() => agnhost.args(['sleep'], ['3600']), /not supported/);
  });
  it('serve_hostname and pause take their flags as args', () => {
    const sh = builtinImage('registry.k8s.io/serve_hostname:v1.4')!;
    assert.deepEqual(sh.args(undefined, undefined), []);
    assert.deepEqual(sh.args(undefined, ['-port=9377']), ['-port=9377']);
    assert.deepEqual(sh.args(['/serve_hostname', '-udp', '-http=false'], undefined), ['-udp', '-http=false']);
    const p = builtinImage('registry.k8s.io/pause:3.10')!;
    assert.deepEqual(p.args(undefined, undefined), []);
    assert.deepEqual(p.args(['/pause'], undefined), []);
  });
});
