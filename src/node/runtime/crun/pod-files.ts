// The files the kubelet and containerd give every container of a pod, written into the bundle and
// bind-mounted: /etc/hostname (the pod's hostname), /etc/hosts (kubelet-managed: localhost and the
// pod's own name at its IP) and /etc/resolv.conf (the pod network's, else the machine's).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PodFile {
  destination: string;
  source: string;
  readOnly: boolean;
}

/** The pod's network namespace name behind an `ip netns exec <name>` prefix (netns mode). */
export function netnsName(execPrefix: readonly string[] | undefined): string | undefined {
  const p = execPrefix ?? [];
  const at = p.findIndex((a, i) => a === 'netns' && p[i + 1] === 'exec');
  return at >= 0 ? p[at + 2] : undefined;
}

export async function writePodFiles(bundle: string, o: { hostname?: string; podIP?: string; netns?: string }): Promise<PodFile[]> {
  const files: PodFile[] = [];
  if (o.hostname) {
    await writeFile(join(bundle, 'hostname'), `${o.hostname}\n`);
    files.push({ destination: '/etc/hostname', source: join(bundle, 'hostname'), readOnly: false });
  }
  const hosts = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    ...(o.podIP && o.hostname ? [`${o.podIP}\t${o.hostname}`] : []),
  ];
  await writeFile(join(bundle, 'hosts'), hosts.join('\n') + '\n');
  files.push({ destination: '/etc/hosts', source: join(bundle, 'hosts'), readOnly: false });
  // netns mode writes the pod's resolv.conf where `ip netns exec` would bind it.
  const podResolv = o.netns ? `/etc/netns/${o.netns}/resolv.conf` : undefined;
  const resolv = podResolv && existsSync(podResolv) ? podResolv : '/etc/resolv.conf';
  if (existsSync(resolv)) files.push({ destination: '/etc/resolv.conf', source: resolv, readOnly: true });
  return files;
}
