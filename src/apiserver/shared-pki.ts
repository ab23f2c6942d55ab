// What every API server of one cluster must hold alike — the cluster CA (certificate and key) and
// the service-account signing key — kept in the datastore, encrypted with the server token, as
// k3s keeps its bootstrap data: the first server (`kubesvc server --cluster-init`) writes it, a
// server joining later with the same token and the same datastore reads it, so nobody copies
// certificates between machines. The key names the token only by a hash of it, and a datastore
// read without the token yields nothing usable (AES-256-GCM, key derived with PBKDF2-SHA256).
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyExistsError, type Backend } from '../storage/backend.js';

/** The files of DIR/pki every server shares; the rest (serving, admin, kubelet-client) each issues itself. */
export const sharedPkiFiles = ['ca.crt', 'ca.key', 'sa.key', 'sa.pub'] as const;
export type SharedPki = Record<(typeof sharedPkiFiles)[number], string>;

const iterations = 100_000;
const formatVersion = 1;

/** The datastore key of the cluster's shared PKI for `token` (a hash of it: the key itself must not tell the token). */
export function sharedPkiKey(token: string): string {
  return `/bootstrap/${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** Thrown when the stored data does not open with the token given. */
export class WrongTokenError extends Error {
  constructor() {
    super('the cluster data in the datastore does not open with this token');
    this.name = 'WrongTokenError';
  }
}

export function sealSharedPki(pki: SharedPki, token: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = pbkdf2Sync(token, salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(pki), 'utf8'), cipher.final()]);
  return JSON.stringify({
    version: formatVersion,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  });
}

export function openSharedPki(sealed: string, token: string): SharedPki {
  let box: { version?: unknown; salt?: unknown; iv?: unknown; tag?: unknown; data?: unknown };
  try {
    box = JSON.parse(sealed) as typeof box;
  } catch {
    throw new Error('the cluster data in the datastore is not readable (not JSON)');
  }
  if (box.version !== formatVersion || typeof box.salt !== 'string' || typeof box.iv !== 'string' || typeof box.tag !== 'string' || typeof box.data !== 'string') {
    throw new Error(`the cluster data in the datastore has an unknown format (version ${String(box.version)})`);
  }
  const key = pbkdf2Sync(token, Buffer.from(box.salt, 'base64'), iterations, 32, 'sha256');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]).toString('utf8');
    const pki = JSON.parse(text) as Partial<SharedPki>;
    for (const f of sharedPkiFiles) if (typeof pki[f] !== 'string') throw new Error(`missing ${f}`);
    return pki as SharedPki;
  } catch {
    throw new WrongTokenError();
  }
}

/** DIR/pki's shared files, or undefined when any is missing. */
export function readSharedPki(dir: string): SharedPki | undefined {
  const out: Partial<SharedPki> = {};
  for (const f of sharedPkiFiles) {
    try {
      out[f] = readFileSync(join(dir, 'pki', f), 'utf8');
    } catch {
      return undefined;
    }
  }
  return out as SharedPki;
}

/**
 * Writes the shared files into DIR/pki (keys 0600). A data dir that already holds another CA is
 * refused: its certificates belong to another cluster, and replacing them silently would cut
 * every client that trusts it.
 */
export function writeSharedPki(dir: string, pki: SharedPki): void {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  chmodSync(pkiDir, 0o700);
  let current: string | undefined;
  try {
    current = readFileSync(join(pkiDir, 'ca.crt'), 'utf8');
  } catch {
    // none yet
  }
  if (current !== undefined && current.trim() !== pki['ca.crt'].trim()) {
    throw new Error(`${pkiDir} holds the CA of another cluster; start this server with an empty --data-dir to join this one`);
  }
  for (const f of sharedPkiFiles) {
    const path = join(pkiDir, f);
    const mode = f.endsWith('.key') ? 0o600 : 0o644;
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, pki[f], { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  }
}

/**
 * Stores DIR/pki's shared files for `token` unless they are stored already. When the datastore
 * holds a cluster for this token with another CA, it is refused: two clusters on one datastore.
 */
export async function publishSharedPki(backend: Backend, dir: string, token: string): Promise<'stored' | 'present'> {
  const pki = readSharedPki(dir);
  if (!pki) throw new Error(`${join(dir, 'pki')} lacks the cluster CA or service-account key`);
  const key = sharedPkiKey(token);
  try {
    await backend.create(key, sealSharedPki(pki, token));
    return 'stored';
  } catch (e) {
    if (!(e instanceof KeyExistsError)) throw e;
  }
  const stored = await fetchSharedPki(backend, token);
  if (stored && stored['ca.crt'].trim() !== pki['ca.crt'].trim()) {
    throw new Error(`the datastore already holds another cluster for this token; use the token of that cluster (and an empty --data-dir), or another datastore`);
  }
  return 'present';
}

/** The cluster's shared PKI stored for `token`, or undefined when the datastore has none for it. */
export async function fetchSharedPki(backend: Backend, token: string): Promise<SharedPki | undefined> {
  const { kv } = await backend.get(sharedPkiKey(token));
  return kv ? openSharedPki(kv.value, token) : undefined;
}
