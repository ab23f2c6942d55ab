// What the crun e2e tests share: `kubesvc up` with the busybox test puller, the web workload, and
// the crun state roots under a data dir (to check and clean up containers by exact id).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './harness.js';

export const busyboxBin = join(root, 'dist', 'test', 'node', 'crun', 'kubesvc-with-busybox.js');

/** busybox httpd behind a Service; `listen` is httpd's -p ($POD_IP:8080 in loopback mode). */
export function webManifest(listen: string, image = 'busybox:1.36'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: ${image}
        command: ["sh", "-c", "echo serving; cat /etc/hostname > /var/www/hostname; exec httpd -f -v -p ${listen} -h /var/www"]
        readinessProbe:
          exec:
            command: ["sh", "-c", "test -f /var/www/hostname"]
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;
}

/** The crun state roots of a data dir's nodes (`node/` in loopback mode, `nodes/<ns>/` in netns mode). */
export function crunStateRoots(dataDir: string): string[] {
  const nodes = existsSync(join(dataDir, 'nodes')) ? readdirSync(join(dataDir, 'nodes')).map((n) => join(dataDir, 'nodes', n)) : [];
  return [join(dataDir, 'node'), ...nodes].map((d) => join(d, 'crun', 'state')).filter((d) => existsSync(d));
}

/** The containers crun runs under a data dir. */
export function crunContainers(dataDir: string): string[] {
  return crunStateRoots(dataDir).flatMap((state) => {
    const list = spawnSync('crun', ['--root', state, 'list', '-q'], { encoding: 'utf8' });
    return (list.stdout ?? '').split('\n').filter(Boolean);
  });
}

/** Stops what a kill -9'd cluster left under its crun state roots (by exact id). */
export function killCrunContainers(dataDir: string): void {
  for (const state of crunStateRoots(dataDir)) {
    const list = spawnSync('crun', ['--root', state, 'list', '-q'], { encoding: 'utf8' });
    for (const id of (list.stdout ?? '').split('\n').filter(Boolean)) {
      spawnSync('crun', ['--root', state, 'kill', id, 'KILL']);
      spawnSync('crun', ['--root', state, 'delete', '-f', id]);
    }
  }
  // A cluster killed before it could clean up leaves its containers' overlay root filesystems
  // mounted: unmount every mount under this data dir (deepest first), so the dir can be removed.
  const prefix = `${dataDir.replace(/\/+$/, '')}/`;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', [m]);
}

