// Custom resource creates/s through the apiextensions library with CEL-validated schemas: the
// Gateway API v1.6.1 HTTPRoute and Gateway CRDs (dozens of x-kubernetes-validations rules each),
// each create doing what the registry will do per request: prune, default, ObjectMeta and OpenAPI
// validation, every CEL rule with its cost accounting. Pure library speed, no HTTP or storage.
// Run: npm run build && node dist/bench/crd-cel.js [--seconds N]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { CustomResourceVersion, type CustomResourceDefinition } from '../src/api/apiextensions/index.js';
import { gateway, httpRoute } from './gateway-objects.js';
import { numberArg } from './args.js';

const SECONDS = numberArg('seconds', 3, 60);
const MAX_OBJECTS = 2_000_000;

const fixtures = fileURLToPath(new URL('../../manifests/gateway-api/', import.meta.url));

function served(plural: string): { h: CustomResourceVersion; compileMs: number } {
  const crd = YAML.parse(readFileSync(`${fixtures}gateway.networking.k8s.io_${plural}.yaml`, 'utf8')) as CustomResourceDefinition;
  const t = performance.now();
  const h = new CustomResourceVersion(crd, crd.spec!.versions!.find((v) => v.name === 'v1')!);
  return { h, compileMs: performance.now() - t };
}

function run(label: string, h: CustomResourceVersion, make: (i: number) => Record<string, unknown>): void {
  const lat: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let i = 0;
  for (; i < MAX_OBJECTS && performance.now() < end; i++) {
    const obj = make(i);
    const t = performance.now();
    h.prepareForCreate(obj);
    const errs = h.validate(obj);
    lat.push(performance.now() - t);
    if (errs.length) throw new Error(`${label}: unexpected errors: ${JSON.stringify(errs)}`);
  }
  lat.sort((a, b) => a - b);
  const total = lat.reduce((a, b) => a + b, 0);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(3);
  console.log(`${label}: ${i} creates, ${Math.round((i / total) * 1000)} creates/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
}

const route = served('httproutes');
const gw = served('gateways');
const rules = (h: CustomResourceVersion) => [...h.rules.byNode.values()].reduce((n, r) => n + r.length, 0);
console.log(`node ${process.version}, ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`compile: httproutes ${rules(route.h)} rules in ${route.compileMs.toFixed(0)} ms, gateways ${rules(gw.h)} rules in ${gw.compileMs.toFixed(0)} ms`);
run('HTTPRoute (2 rules, 2 backends, filter, timeouts)', route.h, httpRoute);
run('Gateway (HTTP + HTTPS listeners)', gw.h, gateway);
