#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ after tsc: one file instead of ~350 small modules makes
// `kubesvc up` start hundreds of milliseconds sooner. Native and rarely used packages stay
// external (better-sqlite3 is a native addon; etcd3 and @peculiar/x509 load only when needed,
// through dynamic imports that must see the packages' own module shape).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

await build({
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'etcd3', '@peculiar/x509'],
  // Packages written as CommonJS call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __kubesvcRequire } from 'node:module'; const require = __kubesvcRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The built-in images' programs (src/node/images/<name>/main.ts): one file each, as a container
// image carries one binary. A pod is its own Node process; loading one small file instead of its
// module graph keeps each pod's private memory near Node's own floor (bench/README.md).
await build({
  entryPoints: Object.fromEntries(['agnhost', 'echo-basic', 'ingress', 'pause', 'serve-hostname'].map((n) => [n, `dist/src/node/images/${n}/main.js`])),
  outdir: 'dist/images',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  banner: { js: "import { createRequire as __kubesvcRequire } from 'node:module'; const require = __kubesvcRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The live view's page (served at /ui/ by the API server): one browser bundle, no CDN.
await build({
  entryPoints: { app: 'ui/app.ts' },
  outdir: 'dist/ui',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115'],
  // The rules panel bundles the proxy's renderers; their one Node.js need (sha256) gets a browser twin.
  alias: { 'node:crypto': './ui/shims/node-crypto.ts' },
  minify: true,
  logLevel: 'warning',
});
copyFileSync('ui/index.html', 'dist/ui/index.html');
copyFileSync('node_modules/elkjs/lib/elk-worker.min.js', 'dist/ui/elk-worker.js');

// The Gateway API CRDs `up` installs (manifests/gateway-api, upstream's files): as one JSON array,
// because parsing 650 KB of YAML takes over a second and JSON.parse a few milliseconds.
mkdirSync('dist/manifests', { recursive: true });
const crds = readdirSync('manifests/gateway-api').filter((f) => f.endsWith('.yaml')).sort().map((f) => parse(readFileSync(`manifests/gateway-api/${f}`, 'utf8')));
writeFileSync('dist/manifests/gateway-api.json', JSON.stringify(crds));
