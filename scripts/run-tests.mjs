#!/usr/bin/env node
// Runs every compiled test file under dist/test with Node's own test runner.
// Node 20 has no glob support in `node --test`, so the files are listed here.
//
// Most files spend their time waiting (clusters starting, back-offs, watch timeouts), not
// computing: the whole suite takes about twice as much wall time as CPU time. So files run four at
// a time (KUBESVC_TEST_CONCURRENCY overrides), and the longest start first — by the durations the
// last run recorded in dist/test-timings.json, or a guess by directory on a fresh clone — so the
// workers finish together instead of one long file running alone at the end.
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

// Test files run from the checkout's root, and are named relative to it (as the reporter names them).
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const timingsFile = join(root, 'dist', 'test-timings.json');
const concurrency = Number(process.env.KUBESVC_TEST_CONCURRENCY) || 4;

function collect(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (n.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function readTimings() {
  try {
    return JSON.parse(readFileSync(timingsFile, 'utf8'));
  } catch {
    return {};
  }
}

// Files known to take long though their directory does not say so (a fresh clone's first run).
const slowHints = {
  'dist/test/hostile/corpus.test.js': 80,
  'dist/test/hostile/issue-cases.test.js': 40,
  'dist/test/e2e/netns-mode.test.js': 30,
  'dist/test/controllers/job.integration.test.js': 20,
  'dist/test/node/images/pause-liveness.test.js': 15,
  'dist/test/storage/etcd.test.js': 12,
  'dist/test/node/pod-network-retry.test.js': 10,
  'dist/test/node/crun/agent-pull.test.js': 9,
};

/** Seconds a file is expected to take: last run's figure, else a hint or a guess from its directory. */
function expected(file, timings) {
  if (typeof timings[file] === 'number') return timings[file];
  if (slowHints[file]) return slowHints[file];
  if (file.includes('/hostile/')) return 60; // the generated corpus against one cluster
  if (file.includes('/e2e/')) return 10; // `kubesvc up` and kubectl
  return 2;
}

const roots = process.argv.slice(2);
const found = (roots.length ? roots : [join(root, 'dist', 'test')])
  .flatMap((r) => (r.endsWith('.js') ? [r] : collect(r, [])))
  .map((f) => relative(root, resolve(f)));
if (found.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'dist/test', '- run `npm run build` first');
  process.exit(1);
}
const timings = readTimings();
// Longest first; ties keep the alphabetical order (sort is stable).
const files = [...found].sort((a, b) => expected(b, timings) - expected(a, timings));
const measured = join(tmpdir(), `kubesvc-test-timings-${process.pid}.json`);
const res = spawnSync(
  process.execPath,
  [
    '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${fileURLToPath(new URL('test-timings.mjs', import.meta.url))}`, `--test-reporter-destination=${measured}`,
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
try {
  const now = JSON.parse(readFileSync(measured, 'utf8'));
  writeFileSync(timingsFile, `${JSON.stringify({ ...timings, ...now }, null, 1)}\n`);
  const slowest = Object.entries(now).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`slowest files: ${slowest.map(([f, s]) => `${f.replace(/^dist\/test\//, '')} ${s}s`).join(', ')}`);
} catch {
  // An interrupted run records nothing; the next one uses the older figures.
}
rmSync(measured, { force: true });
process.exit(res.status ?? 1);
