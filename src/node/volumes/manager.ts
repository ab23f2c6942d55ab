// The kubelet's volume manager for one node: before a pod's containers start, every volume of
// the pod is set up under DATA/pods/<uid>/volumes/kubernetes.io~<plugin>/<name> (hostPath uses
// the path itself), and set up again on every sync, so ConfigMap, Secret, label and token changes
// reach the files (through the AtomicWriter's swap). emptyDir with medium Memory is a tmpfs when
// the agent may mount one; a persistentVolumeClaim is its bound volume's directory. Failures
// carry the volume's name for the FailedMount event.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../api/core.js';
import { Quantity } from '../../api/quantity.js';
import type { PodObjects } from '../pod-objects.js';
import { AtomicWriter, type Payload } from './atomic-writer.js';
import type { ClaimVolumes } from './persistent-volume.js';
import { checkHostPathType, type HostPathType } from './host-path.js';
import { configMapPayload, defaultFileMode, downwardAPIPayload, projectedPayload, secretPayload, type TokenSource } from './projections.js';

/** One volume's setup failed: `MountVolume.SetUp failed for volume "<volume>" : <message>`. */
export class VolumeSetUpError extends Error {
  constructor(
    readonly volume: string,
    why: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${why}`);
  }
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string | number };
  hostPath?: { path: string; type?: HostPathType };
  configMap?: Parameters<typeof configMapPayload>[1];
  secret?: Parameters<typeof secretPayload>[1] & { secretName?: string };
  downwardAPI?: { items?: Parameters<typeof downwardAPIPayload>[1]; defaultMode?: number };
  projected?: Parameters<typeof projectedPayload>[1];
  [other: string]: unknown;
}

/** Which plugin a volume uses, by its one set source field. */
export function volumePlugin(v: Volume): string {
  for (const k of Object.keys(v)) if (k !== 'name' && v[k] !== undefined && v[k] !== null) return k;
  return 'emptyDir';
}

const pluginDirs: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

function isMountPoint(dir: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === dir);
  } catch {
    return false;
  }
}

const noClaimVolumes: ClaimVolumes = () => Promise.reject(new Error('persistentVolumeClaim volumes are not served on this node'));

export class VolumeManager {
  constructor(
    private readonly dataDir: string,
    private readonly objects: PodObjects,
    private readonly token: TokenSource,
    /** May the agent mount (tmpfs for medium: Memory)? Root may. */
    private readonly canMount = process.getuid?.() === 0,
    /** The directories behind persistentVolumeClaim volumes (read through the API). */
    private readonly claims: ClaimVolumes = noClaimVolumes,
  ) {}

  podVolumesDir(uid: string): string {
    return join(this.dataDir, 'pods', uid, 'volumes');
  }

  /** Sets up (or refreshes) every volume of the pod: volume name → directory or file on this machine. */
  async setUp(pod: Pod): Promise<Map<string, string>> {
    const paths = new Map<string, string>();
    for (const v of (pod.spec.volumes ?? []) as Volume[]) {
      try {
        paths.set(v.name, await this.setUpVolume(pod, v));
      } catch (e) {
        throw e instanceof VolumeSetUpError ? e : new VolumeSetUpError(v.name, (e as Error).message);
      }
    }
    return paths;
  }

  private async setUpVolume(pod: Pod, v: Volume): Promise<string> {
    const plugin = volumePlugin(v);
    if (plugin === 'persistentVolumeClaim') {
      const src = v['persistentVolumeClaim'] as { claimName?: string };
      return this.claims(pod, src.claimName ?? '');
    }
    if (plugin === 'hostPath') {
      checkHostPathType(v.hostPath!.path, v.hostPath!.type);
      return v.hostPath!.path;
    }
    const dir = pluginDirs[plugin];
    if (!dir) throw new Error(`volume type ${plugin} is not supported by this node`);
    const target = join(this.podVolumesDir(pod.metadata.uid!), dir, v.name);
    let payload: Payload;
    switch (plugin) {
      case 'emptyDir':
        this.emptyDir(target, v.emptyDir ?? {});
        return target;
      case 'configMap':
        payload = configMapPayload(pod, v.configMap!, this.objects);
        break;
      case 'secret':
        // secretName is the field's name in the API; name is what the shared code reads.
        payload = secretPayload(pod, { ...v.secret!, name: v.secret!.secretName ?? v.secret!.name }, this.objects);
        break;
      case 'downwardAPI':
        payload = downwardAPIPayload(pod, v.downwardAPI!.items, this.objects, v.downwardAPI!.defaultMode ?? defaultFileMode);
        break;
      default:
        payload = await projectedPayload(pod, v.projected!, this.objects, this.token);
    }
    new AtomicWriter(target).write(payload);
    return target;
  }

  private emptyDir(target: string, src: { medium?: string; sizeLimit?: string | number }): void {
    mkdirSync(target, { recursive: true, mode: 0o777 });
    if (src.medium !== 'Memory' || !this.canMount || isMountPoint(target)) return;
    const opts = ['mode=0777'];
    if (src.sizeLimit !== undefined) {
      const q = Quantity.parse(String(src.sizeLimit));
      opts.push(`size=${(q.num + q.den - 1n) / q.den}`);
    }
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', target], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** Unmounts what setUp mounted for the pod (its directory is then removed with the pod's). */
  tearDown(uid: string): void {
    const root = this.podVolumesDir(uid);
    let lines: string[] = [];
    try {
      lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
    } catch {
      return;
    }
    for (const l of lines) {
      const mp = l.split(' ')[4];
      if (!mp?.startsWith(`${root}/`)) continue;
      try {
        execFileSync('umount', ['-l', mp], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  }
}
