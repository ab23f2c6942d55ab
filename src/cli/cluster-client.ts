// How the commands that talk to a running cluster (`proxy rules|trace`, `token`) find it and open
// a client to it, with the same flags and the same error when there is none.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HttpClient } from '../client/http-client.js';
import { UsageError, type FlagSpec } from './flags.js';

export const kubeconfigFlags: FlagSpec[] = [
  { name: 'kubeconfig', metavar: 'PATH', help: 'kubeconfig of the cluster', default: 'DIR/kubeconfig.yaml' },
  { name: 'data-dir', metavar: 'DIR', help: 'the data dir `kubesvc up` used', default: '~/.kubesvc' },
];

/**
 * --kubeconfig, else DIR/kubeconfig.yaml with DIR from --data-dir, else $KUBECONFIG's first file
 * (as kubectl reads it), else ~/.kubesvc/kubeconfig.yaml as `kubesvc up` writes it.
 */
export function resolveKubeconfig(kubeconfig: string | undefined, dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (kubeconfig) return resolve(kubeconfig);
  const fromEnv = dataDir === undefined ? (env.KUBECONFIG ?? '').split(':').find((p) => p !== '') : undefined;
  if (fromEnv) return resolve(fromEnv);
  const dir = resolve((dataDir ?? '~/.kubesvc').replace(/^~(?=$|\/)/, homedir()));
  return join(dir, 'kubeconfig.yaml');
}

/** A client of the cluster `kubeconfigPath` names; a plain UsageError when there is no such file. */
export function openClusterClient(kubeconfigPath: string): HttpClient {
  if (!existsSync(kubeconfigPath)) {
    throw new UsageError(`no kubeconfig at ${kubeconfigPath}: start a cluster with \`kubesvc up\`, or pass --kubeconfig or --data-dir`);
  }
  return HttpClient.fromKubeconfig(kubeconfigPath);
}
