#!/usr/bin/env node
// Lists the import cycles among src/ (type-only imports included, as madge counts them): every
// strongly connected component of more than one file, found with Tarjan's algorithm over the
// relative imports of each .ts file. `node scripts/import-cycles.mjs [dir ...]`; exits 1 when a
// cycle goes through one of the given directories (all of src/ by default).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const all = files(src);
const known = new Set(all);
const edges = new Map();
const importRe = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/g;
for (const f of all) {
  const text = readFileSync(f, 'utf8');
  const deps = new Set();
  for (const m of text.matchAll(importRe)) {
    const target = resolve(dirname(f), m[1].replace(/\.js$/, '.ts'));
    if (known.has(target)) deps.add(target);
  }
  edges.set(f, [...deps]);
}

// Tarjan's strongly connected components, iteratively (deep graphs would overflow the stack).
let index = 0;
const idx = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const sccs = [];
for (const start of all) {
  if (idx.has(start)) continue;
  const work = [[start, 0]];
  idx.set(start, index);
  low.set(start, index++);
  stack.push(start);
  onStack.add(start);
  while (work.length) {
    const frame = work[work.length - 1];
    const [v, i] = frame;
    const deps = edges.get(v);
    if (i < deps.length) {
      frame[1]++;
      const w = deps[i];
      if (!idx.has(w)) {
        idx.set(w, index);
        low.set(w, index++);
        stack.push(w);
        onStack.add(w);
        work.push([w, 0]);
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
      continue;
    }
    work.pop();
    if (work.length) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(v)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) sccs.push(comp.map((p) => relative(root, p)).sort());
    }
  }
}

const scopes = process.argv.slice(2).map((d) => relative(root, resolve(d)));
let failed = false;
for (const comp of sccs) {
  const hit = scopes.length === 0 || comp.some((p) => scopes.some((s) => p.startsWith(s)));
  if (hit) failed = true;
  console.log(`${hit ? 'cycle' : 'cycle (outside the given directories)'} of ${comp.length} files:\n  ${comp.join('\n  ')}`);
}
if (sccs.length === 0) console.log('no import cycles');
process.exit(failed ? 1 : 0);
