// imagePullSecrets matched to images as the kubelet's keyring does (pkg/credentialprovider's tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupCredentials } from '../../../src/node/oci-images/keyring.js';
import type { DockerConfigAuths } from '../../../src/node/runtime/image-puller.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const users = (creds: { username: string }[]) => creds.map((c) => c.username);

test('host globs, ports, path prefixes, most specific first', () => {
  const secrets = [
    {
      'registry.example.com': { auth: b64('host:pw') },
      'registry.example.com/team': { username: 'team', password: 'pw2' },
      '*.gcr.io': { auth: b64('glob:pw:with:colons') },
      'https://127.0.0.1:5000/v2/': { auth: b64('local:pw') },
    },
  ];
  assert.deepEqual(users(lookupCredentials(secrets, 'registry.example.com/team/app')), ['team', 'host']);
  assert.deepEqual(users(lookupCredentials(secrets, 'registry.example.com/other/app')), ['host']);
  assert.deepEqual(users(lookupCredentials(secrets, 'us.gcr.io/p/app')), ['glob']);
  assert.equal(lookupCredentials(secrets, 'us.gcr.io/p/app')[0]!.password, 'pw:with:colons');
  // A glob stands for one host part only.
  assert.deepEqual(users(lookupCredentials(secrets, 'a.b.gcr.io/p/app')), []);
  assert.deepEqual(users(lookupCredentials(secrets, '127.0.0.1:5000/x')), ['local']);
  assert.deepEqual(users(lookupCredentials(secrets, '127.0.0.1:5001/x')), []);
  assert.deepEqual(users(lookupCredentials(secrets, 'other.example.com/x')), []);
});

test('Docker Hub credentials under the docker CLI key serve docker.io images', () => {
  const hub = [{ 'https://index.docker.io/v1/': { auth: b64('hub:pw') } }];
  assert.deepEqual(users(lookupCredentials(hub, 'docker.io/library/busybox')), ['hub']);
  assert.deepEqual(users(lookupCredentials(hub, 'ghcr.io/x/y')), []);
  const docker = [{ 'docker.io': { auth: b64('d:pw') } }];
  assert.deepEqual(users(lookupCredentials(docker, 'docker.io/library/busybox')), ['d']);
});

test('several secrets: every match, duplicates once; bad entries ignored', () => {
  const secrets: DockerConfigAuths[] = [
    { 'ghcr.io': { auth: b64('one:a') } },
    { 'ghcr.io': { auth: b64('two:b') }, 'ghcr.io/x': { auth: b64('one:a') } },
    { 'ghcr.io': { auth: b64('nocolon') }, '': { auth: b64('e:e') }, 'q.io': null as never },
  ];
  // "ghcr.io/x" sorts before "ghcr.io": its credential is tried first, then the host's (one, two).
  assert.deepEqual(users(lookupCredentials(secrets, 'ghcr.io/x/y')), ['one', 'one', 'two']);
  assert.deepEqual(users(lookupCredentials(secrets, 'q.io/a')), []);
});
