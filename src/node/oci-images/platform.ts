// This node's platform in OCI terms and the choice of a manifest from an image index, as
// containerd's default platform matcher: same OS and architecture, the variant equal or, for
// arm64, absent ("v8" is arm64's only variant).
import type { Descriptor, Platform } from './media-types.js';

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

export function nodePlatform(): Platform {
  const architecture = ARCH[process.arch] ?? process.arch;
  if (architecture === 'arm') {
    const v = (process.config.variables as { arm_version?: string }).arm_version;
    return { os: 'linux', architecture, variant: `v${v ?? '7'}` };
  }
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  return { os: 'linux', architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function normalizedVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64' && (p.variant === undefined || p.variant === '' || p.variant === 'v8')) return 'v8';
  return p.variant || undefined;
}

/** Whether an image built for `candidate` runs on `want` (its variant equal, or none given). */
export function platformMatches(want: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  if (candidate.os !== want.os || candidate.architecture !== want.architecture) return false;
  const cv = normalizedVariant(candidate);
  return cv === undefined || cv === normalizedVariant(want);
}

/** The index entry for `want`: an exact variant before a variant-less entry, else the first in index order. */
export function selectManifest(manifests: Descriptor[], want: Platform): Descriptor | undefined {
  const matching = manifests.filter((m) => platformMatches(want, m.platform));
  const exact = matching.find((m) => normalizedVariant(m.platform!) === normalizedVariant(want));
  return exact ?? matching[0];
}
