// The OCI runtime config (config.json) of one container run, as containerd's CRI plugin builds it
// for a Kubernetes container: its own mount, PID, IPC and UTS namespaces, the pod's network
// namespace (or the machine's in loopback mode, where the pod binds its own 127.x address), the
// pod's hostname, the default capabilities and masked paths of a container runtime, and the
// kubelet's files (/etc/hostname, /etc/hosts, /etc/resolv.conf) bind-mounted from the bundle.
import type { ContainerMount } from '../types.js';
import type { ProcessSpec } from './process-spec.js';

/** containerd's default capability set (oci.defaultUnixCaps). */
const defaultCaps = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const maskedPaths = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface SpecInput {
  process: ProcessSpec;
  /** The container's root filesystem (the bundle's overlay mount or copy). */
  rootfs: string;
  hostname?: string;
  /** The pod's network namespace (a /run/netns path); absent: the machine's network. */
  netns?: string;
  /** Files the kubelet provides, by their path in the container. */
  etcFiles: { destination: string; source: string; readOnly: boolean }[];
  mounts: ContainerMount[];
  /**
   * The agent is not root: crun runs inside a user namespace that maps root to the agent's uid
   * (cli.ts), so the container has no user namespace of its own and may not mount sysfs.
   */
  rootless?: boolean;
}

function bind(destination: string, source: string, readOnly: boolean): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', readOnly ? 'ro' : 'rw'] };
}

function systemMounts(ownNetwork: boolean, rootless: boolean): OciMount[] {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(rootless ? [] : ['gid=5'])] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  ];
  // sysfs may only be mounted by who owns the network namespace: with the machine's network (and
  // always when rootless) the machine's /sys is bound read-only instead, as rootless runtimes do.
  if (ownNetwork && !rootless) mounts.push({ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] });
  else mounts.push({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  return mounts;
}

export function ociSpec(s: SpecInput): Record<string, unknown> {
  const namespaces: { type: string; path?: string }[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (s.netns) namespaces.push({ type: 'network', path: s.netns });
  const linux: Record<string, unknown> = { namespaces, maskedPaths, readonlyPaths };
  const { user } = s.process;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids ? { additionalGids: user.additionalGids } : {}) },
      args: s.process.args,
      env: s.process.env,
      cwd: s.process.cwd,
      capabilities: { bounding: defaultCaps, effective: defaultCaps, permitted: defaultCaps },
      noNewPrivileges: false,
    },
    root: { path: s.rootfs, readonly: false },
    ...(s.hostname ? { hostname: s.hostname } : {}),
    mounts: [
      ...systemMounts(!!s.netns, !!s.rootless),
      ...s.etcFiles.map((f) => bind(f.destination, f.source, f.readOnly)),
      ...s.mounts.map((m) => bind(m.containerPath, m.hostPath, m.readOnly)),
    ],
    linux,
  };
}
