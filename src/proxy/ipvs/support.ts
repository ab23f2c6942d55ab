// Whether this machine's kernel can run the IPVS mode. Upstream's CanUseIPVSProxier creates a
// dummy virtual server to find out; without root we read what the kernel exposes instead:
// /proc/net/ip_vs exists once ip_vs is loaded (or built in), and an ip_vs module file under
// /lib/modules/<release> means it could be loaded by root. `kubesvc up --proxy-mode ipvs` calls
// this first, so a kernel without IPVS stops the start with a message, not a failing sync loop.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { release } from 'node:os';

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

/** The full error `--proxy-mode ipvs` stops with on a kernel without IPVS. */
export function ipvsUnsupportedMessage(reason: string): string {
  return (
    `proxy mode "ipvs" needs the kernel's IP Virtual Server support (the ip_vs module and ip_vs_rr/wrr/sh schedulers), ` +
    `which this kernel lacks: ${reason}. ` +
    `Use --proxy-mode ${modesWithoutIPVS.slice(0, -1).join(', ')} or ${modesWithoutIPVS[modesWithoutIPVS.length - 1]} instead, which need no IPVS; ` +
    '`kubesvc proxy rules --mode ipvs` still prints what IPVS mode would program.'
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
