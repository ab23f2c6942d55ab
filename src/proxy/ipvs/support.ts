// Whether this machine's kernel can run the IPVS mode. Upstream's CanUseIPVSProxier creates a
// dummy virtual server to find out; without root we read what the kernel exposes instead:
// /proc/net/ip_vs exists once ip_vs is loaded (or built in), and an ip_vs module file under
// /lib/modules/<release> means it could be loaded by root. `kubesvc up --proxy-mode ipvs` calls
// this first, so a kernel without IPVS stops the start with a message, not a failing sync loop.
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';

export interface IPVSSupport {
  ok: boolean;
  reason?: string;
}

/** What checkIPVSSupport reads; injectable so tests need no particular kernel. */
export interface KernelProbe {
  exists(path: string): boolean;
  readFile(path: string): string | undefined;
  listDir(path: string): string[] | undefined;
  release(): string;
}

const realProbe: KernelProbe = {
  exists: (p) => existsSync(p),
  readFile: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir: (p) => {
    try {
      return readdirSync(p);
    } catch {
      return undefined;
    }
  },
  release: () => release(),
};

/** The modes that need no IPVS, for the message. */
export const modesWithoutIPVS = ['userspace', 'iptables', 'nftables'] as const;

/** `kubesvc up --network`: which proxy modes each network mode runs. */
export type NetworkMode = 'loopback' | 'netns';

/**
 * The full error `--proxy-mode ipvs` stops with on a kernel without IPVS. Not every other mode
 * works with every network mode (`kubesvc up`: loopback runs only userspace, netns only iptables
 * and nftables), so the advice names that pairing; given the network mode, it names only the
 * modes that work with it.
 */
export function ipvsUnsupportedMessage(reason: string, network?: NetworkMode): string {
  const all = `${modesWithoutIPVS.slice(0, -1).join(', ')} or ${modesWithoutIPVS[modesWithoutIPVS.length - 1]}`;
  const advice =
    network === 'loopback'
      ? 'Use --proxy-mode userspace instead, the one mode --network loopback runs (iptables and nftables, which need no IPVS either, need --network netns); '
      : network === 'netns'
        ? 'Use --proxy-mode iptables or nftables instead, which need no IPVS and are what --network netns runs (userspace needs --network loopback); '
        : `Use --proxy-mode ${all} instead, which need no IPVS (userspace with --network loopback, iptables or nftables with --network netns); `;
  return (
    `proxy mode "ipvs" needs the kernel's IP Virtual Server support (the ip_vs module and ip_vs_rr/wrr/sh schedulers), ` +
    `which this kernel lacks: ${reason}. ` +
    advice +
    '`kubesvc proxy rules --mode ipvs` still prints what IPVS mode would program.'
  );
}

/** The programs IPVS mode runs besides ip, iptables and conntrack, with the Debian package of each. */
export const ipvsTools = [
  { tool: 'ipvsadm', pkg: 'ipvsadm' },
  { tool: 'ipset', pkg: 'ipset' },
] as const;

/** Whether `name` is an executable file in one of PATH's directories (what spawn would run). */
export function onPath(name: string, path: string = process.env['PATH'] ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const f = join(dir, name);
    try {
      if (!statSync(f).isFile()) continue;
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      // Not here (or not executable): try the next directory.
    }
  }
  return false;
}

/**
 * The IPVS tools not installed, checked in this process's PATH: `ip netns exec` runs them from
 * the same filesystem, so a node's namespace sees the same binaries. Without them every sync
 * would fail with a spawn error, forever.
 */
export function missingIPVSTools(has: (tool: string) => boolean = (t) => onPath(t)): string[] {
  return ipvsTools.filter((t) => !has(t.tool)).map((t) => t.tool);
}

/** The error startProxy stops with when missingIPVSTools finds some. */
export function ipvsToolsMissingMessage(missing: readonly string[]): string {
  const pkgs = ipvsTools.filter((t) => missing.includes(t.tool)).map((t) => t.pkg);
  return (
    `proxy mode "ipvs" needs ${missing.join(' and ')}, not found on PATH; ` +
    `install the Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(' and ')} (\`apt-get install ${pkgs.join(' ')}\`)`
  );
}

export function checkIPVSSupport(probe: KernelProbe = realProbe): IPVSSupport {
  if (probe.exists('/proc/net/ip_vs')) return { ok: true };
  const rel = probe.release();
  const modDir = `/lib/modules/${rel}`;
  const builtin = probe.readFile(`${modDir}/modules.builtin`) ?? '';
  if (/(^|\/)ip_vs\.ko/m.test(builtin)) {
    // Built in yet no /proc entry: the IPVS proc files are missing (e.g. another network namespace's view).
    return { ok: false, reason: `ip_vs is built into kernel ${rel} but /proc/net/ip_vs is missing` };
  }
  const ipvsDir = probe.listDir(`${modDir}/kernel/net/netfilter/ipvs`);
  if (ipvsDir?.some((f) => f.startsWith('ip_vs.ko'))) {
    return {
      ok: false,
      reason: `the ip_vs module of kernel ${rel} is not loaded (/proc/net/ip_vs is missing); load it as root with \`modprobe ip_vs\``,
    };
  }
  return {
    ok: false,
    reason: `/proc/net/ip_vs is missing and kernel ${rel} has no loadable ip_vs module (${probe.listDir(modDir) ? `none under ${modDir}` : `no ${modDir}`})`,
  };
}
