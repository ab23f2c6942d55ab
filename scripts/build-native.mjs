#!/usr/bin/env node
// Builds the optional native addons (native/*/binding.gyp) with the node-gyp that npm bundles.
// Run by `npm ci` (the prepare script) and `npm run build`. Optional by design: where there is no C
// compiler, no glibc or no Node headers, kubesvc runs exactly as without the addon, so this never
// fails the install; it says in one line what was skipped. An addon already newer than its
// sources is left alone, so `npm run build` costs nothing here after the first time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Each addon, the file its build produces and what kubesvc does without it. */
const addons = [
  {
    dir: join(root, 'native', 'malloc-trim'),
    output: join('build', 'Release', 'malloc_trim.node'),
    without: 'it gives memory back more slowly after crowds of connections',
  },
  {
    dir: join(root, 'native', 'udp-batch'),
    output: join('build', 'Release', 'udp_batch.node'),
    without: 'the cluster DNS server reads and answers UDP one datagram at a time, through Node\'s dgram',
  },
  {
    dir: join(root, 'native', 'tcp-relay'),
    output: join('build', 'Release', 'tcp_relay.node'),
    without: 'the userspace proxy accepts, dials and copies bytes through Node\'s sockets and streams',
  },
];
const force = process.argv.includes('--force');

const note = (msg) => process.stdout.write(`kubesvc: ${msg}\n`);

function nodeGyp() {
  const candidates = [
    // npm sets this for the scripts it runs.
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    // Where npm lives next to this node (Debian, nodesource and the official tarballs).
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** Node's own headers next to the binary, so node-gyp does not try to download them. */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** Whether a command is on PATH. */
function onPath(cmd) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
}

/** What node-gyp needs and is missing, said plainly (its own errors run to dozens of lines). */
function missingTools() {
  const missing = [];
  if (!(process.env.CC ? onPath(process.env.CC.split(' ')[0]) || existsSync(process.env.CC.split(' ')[0]) : onPath('cc') || onPath('gcc') || onPath('clang'))) missing.push('a C compiler');
  if (!onPath('make')) missing.push('make');
  if (!process.env.PYTHON && !onPath('python3') && !onPath('python')) missing.push('python3');
  return missing;
}

/** Whether the addon is newer than its sources and the headers the addons share (native/include). */
function upToDate(dir, output) {
  const out = join(dir, output);
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  const shared = join(root, 'native', 'include');
  return [dir, shared]
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => /\.(c|h|gyp)$/.test(f)).map((f) => join(d, f)))
    .every((f) => statSync(f).mtimeMs <= built);
}

function main() {
  // malloc_trim is glibc's and recvmmsg/sendmmsg Linux's; elsewhere (macOS, musl) kubesvc runs without both.
  const glibc = process.platform === 'linux' && process.report?.getReport().header.glibcVersionRuntime;
  if (!glibc) return;
  const gyp = nodeGyp();
  for (const { dir, output, without } of addons) {
    if (!force && upToDate(dir, output)) continue;
    const name = dir.slice(root.length + 1);
    const missing = gyp ? missingTools() : ['node-gyp'];
    if (missing.length) {
      note(`optional addon ${name} not built (missing ${missing.join(', ')}); kubesvc works without it (${without})`);
      continue;
    }
    const r = spawnSync(process.execPath, [gyp, 'rebuild', ...nodeDirArgs()], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    if (r.status === 0) continue;
    const why = r.error?.message ?? `${r.stderr ?? ''}`.split('\n').find((l) => /gyp ERR! stack Error|error:/.test(l))?.replace(/^gyp ERR! stack /, '').trim() ?? `node-gyp exited ${r.status}`;
    note(`optional addon ${name} not built (${why}); kubesvc works without it (${without})`);
  }
}

main();
