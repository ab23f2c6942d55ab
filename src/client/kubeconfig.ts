// Reads the parts of a kubeconfig a client needs: the current context's server, CA and client
// certificate. Embedded data (`*-data`, base64) and file paths (relative to the kubeconfig's
// directory, as kubectl resolves them) are both accepted.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClientCredentials {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

interface Named<T> {
  name: string;
  [k: string]: T | string;
}

type Entry = Record<string, string | undefined>;

export function loadKubeconfig(path: string): ClientCredentials {
  const doc = parse(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ cluster: string; user: string }>[];
    clusters?: Named<Entry>[];
    users?: Named<Entry>[];
  };
  const dir = dirname(path);
  const pick = <T>(list: Named<T>[] | undefined, name: string | undefined, field: string, what: string): T => {
    const item = (name ? list?.find((x) => x.name === name) : list?.[0])?.[field];
    if (!item || typeof item === 'string') throw new Error(`kubeconfig ${path}: no ${what} ${JSON.stringify(name ?? '')}`);
    return item;
  };
  const ctx = pick(doc.contexts, doc['current-context'], 'context', 'context');
  const cluster = pick(doc.clusters, ctx.cluster, 'cluster', 'cluster');
  const user = pick(doc.users, ctx.user, 'user', 'user');
  const material = (e: Entry, field: string): string => {
    const data = e[`${field}-data`];
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const file = e[field];
    if (file) return readFileSync(resolve(dir, file), 'utf8');
    throw new Error(`kubeconfig ${path}: ${field} is missing`);
  };
  const server = cluster['server'];
  if (!server) throw new Error(`kubeconfig ${path}: cluster has no server`);
  return {
    server,
    ca: material(cluster, 'certificate-authority'),
    cert: material(user, 'client-certificate'),
    key: material(user, 'client-key'),
  };
}
