// `kubesvc server`'s flags: a first server or a joining one, the token's shape, the datastore a
// joining server must share, addresses; each mistake named with what to do instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseServerOptions } from '../../src/cli/server.js';
import { kubesvcBin } from '../e2e/harness.js';

const parse = (argv: string[]) => {
  const o = parseServerOptions(argv);
  assert.notEqual(o, 'help');
  return o as Exclude<typeof o, 'help'>;
};

test('a first server: kubeadm-like defaults, the token optional', () => {
  const o = parse(['--cluster-init', '--advertise-address', '192.0.2.10']);
  assert.equal(o.clusterInit, true);
  assert.equal(o.token, undefined);
  assert.equal(o.datastore, 'sqlite');
  assert.equal(o.apiPort, 6443);
  assert.equal(o.bindAddress, '0.0.0.0');
  assert.equal(o.advertiseAddress, '192.0.2.10');
  assert.equal(o.serviceCIDR, '10.96.0.0/12');
  assert.deepEqual(o.nodePortRange, { base: 30000, size: 2768 });
  assert.equal(o.maxRequestsInFlight, 400);
  assert.equal(o.controlPlane.leaderElection.leaseDurationMs, 15_000);
});

test('a joining server: the URL, the token and an etcd datastore', () => {
  const o = parse(['--server', 'https://192.0.2.10:6443', '--token', 'abcdef.0123456789abcdef', '--datastore', 'etcd://192.0.2.1:2379,192.0.2.2:2379', '--tls-san', 'api.example', '--tls-san', '192.0.2.99']);
  assert.equal(o.join?.origin, 'https://192.0.2.10:6443');
  assert.equal(o.token, 'abcdef.0123456789abcdef');
  assert.deepEqual(o.tlsSANs, { dns: ['api.example'], ips: ['192.0.2.99'] });
});

test('mistakes are refused with what to do instead', () => {
  const refused: [string[], RegExp][] = [
    [['--cluster-init', '--server', 'https://192.0.2.10:6443'], /--cluster-init starts a new cluster and --server joins one: pass one of them/],
    [['--server', 'http://192.0.2.10:6443', '--token', 'abcdef.0123456789abcdef'], /--server must use https, not http:/],
    [['--server', 'not a url'], /--server must be a URL such as https:\/\/192\.0\.2\.10:6443/],
    [['--server', 'https://192.0.2.10:6443', '--datastore', 'etcd://a:1'], /--server needs the cluster token: --token TOKEN or --token-file PATH/],
    [['--server', 'https://192.0.2.10:6443', '--token', 'abcdef.0123456789abcdef'], /a joining server must use the datastore of the first one: --datastore etcd:\/\//],
    [['--cluster-init', '--token', 'secret'], /the token must be a bootstrap token, 6 and 16 characters/],
    [['--cluster-init', '--token', 'ABCDEF.0123456789ABCDEF'], /the token must be a bootstrap token/],
    [['--cluster-init', '--token-file', '/nonexistent/token'], /--token-file: cannot read \/nonexistent\/token: ENOENT/],
    [['--cluster-init', '--advertise-address', '10.0.0.300'], /--advertise-address must be an IPv4 address, not "10\.0\.0\.300"/],
    [['--cluster-init', '--bind-address', 'localhost'], /--bind-address must be an IPv4 address/],
    [['--cluster-init', '--api-port', '70000'], /--api-port must be a port number/],
    [['--cluster-init', '--service-cidr', '10.96.0.0/33'], /service-cidr/],
    [['--cluster-init', 'extra'], /server takes no arguments, got "extra"/],
    [['--cluster-init', '--max-requests-inflight', '-1'], /--max-requests-inflight can not be negative value/],
  ];
  for (const [argv, message] of refused) assert.throws(() => parseServerOptions(argv), message, argv.join(' '));
});

test('`kubesvc server --help` shows both ways to start, and a start with neither says what to do', () => {
  const help = spawnSync(process.execPath, [kubesvcBin, 'server', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /kubesvc server --cluster-init/);
  assert.match(help.stdout, /kubesvc server --server https:\/\/HOST:PORT --token TOKEN --datastore etcd:\/\//);
  assert.match(help.stdout, /--advertise-address IP/);
  const dir = `/tmp/kubesvc-server-flags-${process.pid}`;
  const none = spawnSync(process.execPath, [kubesvcBin, 'server', '--data-dir', dir, '--bind-address', '127.0.0.1', '--api-port', '0'], { encoding: 'utf8', timeout: 20_000 });
  spawnSync('rm', ['-rf', dir]);
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /no cluster here yet: start the first server with --cluster-init, or join one with --server URL --token TOKEN/);
});
