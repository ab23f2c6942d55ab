// Allocation of a Service's clusterIPs, nodePorts and healthCheckNodePort, following
// upstream's pkg/registry/core/service/storage/alloc.go and the storage.go hooks around it
// (beginCreate, beginUpdate, afterDelete). The cluster is single-stack IPv4.
import type { Service } from '../../api/core.js';
import { fieldErr, omitValue, Path, type FieldError } from '../../machinery/field.js';
import { errors, StatusError } from '../../machinery/status.js';
import { AllocatorError } from './errors.js';
import { ClusterIPAllocator } from './ipallocator.js';
import { isIPv6, parseIPv4 } from './ipv4.js';
import { PortAllocationOperation } from './operation.js';
import { PortAllocator, type PortRange } from './portallocator.js';
import {
  ClusterIPNone,
  collectNodePorts,
  needsNodePort,
  dropTypeDependentFields,
  isHeadless,
  needsHealthCheck,
  normalizeClusterIPs,
  patchAllocatedValues,
  sameClusterIPs,
  sameIPFamilies,
  shouldAllocateNodePorts,
} from './service-fields.js';
import { callbackTxn, metaTxn, type AllocatorTxn } from './transaction.js';
import { validateServiceClusterIPsRelatedFields } from '../../api/validation/service-clusterips.js';
import type { ParentReference } from '../../api/validation/service-cidr.js';
import { nameIsDNS1035Label, nameIsDNSLabel } from '../../api/validation/names.js';
import type { Backend } from '../../storage/backend.js';
import type { Store } from '../store/store.js';
import { logger } from '../../util/log.js';

const log = logger('apiserver');

export type { AllocatorTxn } from './transaction.js';

export interface ServiceAllocationsOptions {
  serviceCIDR: string;
  nodePortRange: PortRange;
  /** The IPAddress store (networking.k8s.io/v1), resolved on first use. */
  ipaddresses: () => Store;
  /** Where the NodePort RangeAllocation is kept. */
  backend: Backend;
  /** Randomness for dynamic allocation; tests inject a fixed sequence. */
  random?: () => number;
}

const IPv4 = 'IPv4' as const;
const IPv6 = 'IPv6' as const;

function invalid(svc: Service, errs: FieldError[]): StatusError {
  return errors.invalid('', 'Service', svc.metadata.name ?? '', errs);
}

/**
 * An Invalid field error whose bad value is a string list, printed as Go's %#v prints a
 * []string (`[]string{"10.0.0.1"}`), which is what upstream's messages show for clusterIPs.
 */
function invalidStrings(path: Path, value: readonly string[] | undefined, detail: string): FieldError {
  const shown = value ? `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)';
  return { ...fieldErr.invalid(path, omitValue, detail), detail: `${shown}: ${detail}` };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ServiceAllocations {
  readonly clusterIPs: ClusterIPAllocator;
  readonly nodePorts: PortAllocator;

  constructor(opts: ServiceAllocationsOptions) {
    this.clusterIPs = new ClusterIPAllocator(opts.serviceCIDR, opts.ipaddresses, opts.random);
    this.nodePorts = new PortAllocator(opts.nodePortRange, opts.backend, opts.random);
  }

  /** "30000-32767", as the range appears in error messages. */
  get nodePortRange(): string {
    return this.nodePorts.rangeString;
  }

  /** The n-th address of the service CIDR (1 = kubernetes, 10 = kube-dns). */
  serviceIP(n: number): string {
    return this.clusterIPs.indexedIP(n);
  }

  /** beginCreate: normalizes, defaults IP families, then allocates; the caller commits after
   *  the storage write or reverts when anything later fails. Throws StatusError. */
  async allocateCreate(svc: Service, dryRun: boolean): Promise<AllocatorTxn> {
    normalizeClusterIPs(svc);
    this.initIPFamilyFields(svc);
    // An IPAddress names its Service: a Service validation will refuse for its name gets nothing
    // allocated (upstream would fail the IPAddress create with a 500; the client's mistake is a 422).
    if (nameIsDNS1035Label(svc.metadata.name ?? '', false).length || nameIsDNSLabel(svc.metadata.namespace ?? '', false).length) return callbackTxn({});
    const done: AllocatorTxn[] = [];
    try {
      done.push(await this.txnAllocClusterIPs(svc, dryRun));
      done.push(await this.txnAllocNodePorts(svc, dryRun));
    } catch (e) {
      await metaTxn(done).revert();
      throw e;
    }
    return metaTxn(done);
  }

  /** beginUpdate: keeps server-allocated values a re-applied manifest left out, allocates what
   *  a type change needs and releases (on commit) what it no longer needs. */
  async allocateUpdate(svc: Service, old: Service, dryRun: boolean): Promise<AllocatorTxn> {
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    this.initIPFamilyFields(svc, old);
    const done: AllocatorTxn[] = [];
    try {
      done.push(await this.txnUpdateClusterIPs(svc, old, dryRun));
      done.push(await this.txnUpdateNodePorts(svc, old, dryRun));
    } catch (e) {
      await metaTxn(done).revert();
      throw e;
    }
    // Upstream's strategy runs this right after beginUpdate (PrepareForUpdate).
    dropTypeDependentFields(svc, old);
    return metaTxn(done);
  }

  /** afterDelete: frees everything the Service held. A failure leaks until the repair loop frees it. */
  async release(svc: Service): Promise<void> {
    if (svc.spec.type !== 'ExternalName' && !isHeadless(svc)) {
      await this.releaseIPs(svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : []));
    }
    const ports = collectNodePorts(svc);
    if (needsHealthCheck(svc) && svc.spec.healthCheckNodePort) ports.push(svc.spec.healthCheckNodePort);
    await this.nodePorts.releaseAll(ports).catch((e: unknown) => log.warn(`releasing nodePorts ${ports.join(',')}: ${messageOf(e)}`));
  }

  // ---- IP families (single-stack IPv4 cluster) ----

  /** alloc.go initIPFamilyFields, for a cluster whose only family is IPv4. */
  private initIPFamilyFields(svc: Service, old?: Service): void {
    const spec = svc.spec;
    if (spec.type === 'ExternalName') return;
    if (old && this.isMatchingPreferDualStack(svc, old)) return;

    const headlessSelectorless = spec.clusterIP === ClusterIPNone && Object.keys(spec.selector ?? {}).length === 0;
    if (!spec.ipFamilyPolicy) {
      if (old?.spec.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
      else spec.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
    }
    // Upstream's loose pre-validation: a malformed clusterIP is the client's 422 here, before any
    // allocator sees it (otherwise it surfaces as "failed to parse service IP", a 500).
    const pre = validateServiceClusterIPsRelatedFields(svc);
    if (pre.length) throw invalid(svc, pre);
    const policyPath = Path.root('spec', 'ipFamilyPolicy');
    const errs: FieldError[] = [];

    if (old) {
      if (spec.ipFamilyPolicy === 'SingleStack') {
        // Single-stack with untouched dual values is a clear request to drop the secondary.
        if (sameClusterIPs(old, svc) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
        if (sameIPFamilies(old, svc) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
      } else {
        if ((spec.clusterIPs?.length ?? 0) > 0 && spec.clusterIPs!.length < (old.spec.clusterIPs?.length ?? 0)) {
          errs.push(fieldErr.invalid(policyPath, spec.ipFamilyPolicy, "must be 'SingleStack' to release the secondary cluster IP"));
        }
        if ((spec.ipFamilies?.length ?? 0) > 0 && spec.ipFamilies!.length < (old.spec.ipFamilies?.length ?? 0)) {
          errs.push(fieldErr.invalid(policyPath, spec.ipFamilyPolicy, "must be 'SingleStack' to release the secondary IP family"));
        }
      }
    }
    if (spec.ipFamilyPolicy === 'SingleStack') {
      if (spec.clusterIPs?.length === 2) {
        errs.push(fieldErr.invalid(policyPath, spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
      }
      if (spec.ipFamilies?.length === 2) {
        errs.push(fieldErr.invalid(policyPath, spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
      }
    }
    // Infer ipFamilies from clusterIPs the user gave.
    (spec.clusterIPs ?? []).some((ip, i) => {
      if (ip === ClusterIPNone) return true;
      if (i >= (spec.ipFamilies?.length ?? 0)) {
        const fam = isIPv6(ip) ? IPv6 : IPv4;
        if (fam !== IPv4) {
          errs.push(invalidStrings(Path.root('spec', 'clusterIPs').index(i), spec.clusterIPs, `${fam} is not configured on this cluster`));
        } else {
          spec.ipFamilies = [...(spec.ipFamilies ?? []), fam];
        }
      }
      return false;
    });
    if (errs.length) throw invalid(svc, errs);

    if (headlessSelectorless) {
      // Headless without a selector may carry endpoints of any family, even here.
      if (!spec.ipFamilies?.length) spec.ipFamilies = [IPv4];
      if (spec.ipFamilies.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') {
        spec.ipFamilies = [...spec.ipFamilies, spec.ipFamilies[0] === IPv4 ? IPv6 : IPv4];
      }
      return;
    }
    if (spec.ipFamilyPolicy === 'RequireDualStack') {
      errs.push(fieldErr.invalid(policyPath, spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
    }
    (spec.ipFamilies ?? []).forEach((fam, i) => {
      if (fam !== IPv4) errs.push(fieldErr.invalid(Path.root('spec', 'ipFamilies').index(i), fam, 'not configured on this cluster'));
    });
    if (errs.length) throw invalid(svc, errs);
    if (!spec.ipFamilies?.length) spec.ipFamilies = [IPv4];
  }

  private isMatchingPreferDualStack(svc: Service, old: Service): boolean {
    const t = svc.spec.type ?? 'ClusterIP';
    return (
      !!svc.spec.ipFamilyPolicy &&
      (old.spec.type ?? 'ClusterIP') === t &&
      t !== 'ExternalName' &&
      svc.spec.ipFamilyPolicy === 'PreferDualStack' &&
      (old.spec.ipFamilyPolicy ?? 'PreferDualStack') === 'PreferDualStack' &&
      sameClusterIPs(old, svc) &&
      sameIPFamilies(old, svc)
    );
  }

  // ---- clusterIPs ----

  private async txnAllocClusterIPs(svc: Service, dryRun: boolean): Promise<AllocatorTxn> {
    const allocated = await this.allocClusterIPs(svc, dryRun);
    return callbackTxn({ revert: () => (dryRun ? undefined : this.releaseIPs(allocated)) });
  }

  /** Allocates the primary (IPv4) clusterIP unless ExternalName or headless. */
  private async allocClusterIPs(svc: Service, dryRun: boolean): Promise<string[]> {
    const spec = svc.spec;
    if (spec.type === 'ExternalName' || isHeadless(svc)) return [];
    const ips = spec.clusterIPs ? [...spec.clusterIPs] : [];
    const families = spec.ipFamilies ?? [IPv4];
    while (ips.length < families.length) ips.push('');
    const ip = await this.allocIP(svc, ips[0] ?? '', dryRun);
    ips[0] = ip;
    spec.clusterIPs = ips;
    spec.clusterIP = ip;
    return dryRun ? [] : [ip];
  }

  private async allocIP(svc: Service, ip: string, dryRun: boolean): Promise<string> {
    const parent: ParentReference = { group: '', resource: 'services', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
    if (ip === '') {
      try {
        return dryRun ? this.clusterIPs.dryRunNext() : await this.clusterIPs.allocateNext(parent);
      } catch (e) {
        throw errors.internal(`failed to allocate a serviceIP: ${messageOf(e)}`);
      }
    }
    if (parseIPv4(ip) === undefined) throw errors.internal(`failed to parse service IP ${JSON.stringify(ip)}`);
    try {
      if (dryRun) this.clusterIPs.dryRunAllocate(ip);
      else await this.clusterIPs.allocate(ip, parent);
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      throw invalid(svc, [
        invalidStrings(Path.root('spec', 'clusterIPs'), svc.spec.clusterIPs, `failed to allocate IP ${ip}: ${e.message}`),
      ]);
    }
    return ip;
  }

  private async releaseIPs(ips: readonly string[]): Promise<void> {
    for (const ip of ips) {
      if (!ip || ip === ClusterIPNone || isIPv6(ip)) continue;
      await this.clusterIPs.release(ip).catch((e: unknown) => log.warn(`releasing clusterIP ${ip}: ${messageOf(e)}`));
    }
  }

  private async txnUpdateClusterIPs(svc: Service, old: Service, dryRun: boolean): Promise<AllocatorTxn> {
    let allocated: string[] = [];
    let toRelease: string[] = [];
    const oldType = old.spec.type ?? 'ClusterIP';
    const newType = svc.spec.type ?? 'ClusterIP';
    if (this.isMatchingPreferDualStack(svc, old)) {
      // nothing changes
    } else if (oldType === 'ExternalName' && newType !== 'ExternalName') {
      allocated = await this.allocClusterIPs(svc, dryRun);
    } else if (isHeadless(old)) {
      // headless Services hold no addresses
    } else if (oldType !== 'ExternalName' && newType === 'ExternalName') {
      toRelease = [...(old.spec.clusterIPs ?? [])];
    }
    // Single-stack cluster: no dual-stack upgrade or downgrade to handle.
    return callbackTxn({
      commit: () => (dryRun ? undefined : this.releaseIPs(toRelease)),
      revert: () => (dryRun ? undefined : this.releaseIPs(allocated)),
    });
  }

  // ---- nodePorts and healthCheckNodePort ----

  private nodePortField(i: number): Path {
    return Path.root('spec', 'ports').index(i).child('nodePort');
  }

  private async txnAllocNodePorts(svc: Service, dryRun: boolean): Promise<AllocatorTxn> {
    const op = new PortAllocationOperation(this.nodePorts, dryRun);
    // A dry run checks collisions against what storage holds now.
    if (dryRun && (needsNodePort(svc) || needsHealthCheck(svc))) await this.nodePorts.refresh();
    try {
      if (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer') await this.initNodePorts(svc, op);
      if (needsHealthCheck(svc)) await this.allocHealthCheckNodePort(svc, op);
    } catch (e) {
      await op.finish();
      throw e;
    }
    return portTxn(op);
  }

  /** alloc.go initNodePorts: ports sharing a port number (e.g. DNS on TCP and UDP) share one
   *  nodePort; explicit requests are honoured even when allocation is turned off. */
  private async initNodePorts(svc: Service, op: PortAllocationOperation): Promise<void> {
    const ports = svc.spec.ports ?? [];
    const byServicePort = new Map<number, number>();
    for (const [i, sp] of ports.entries()) {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
      const already = byServicePort.get(sp.port) ?? 0;
      if (!already) {
        const requested = ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort ?? 0;
        if (requested) {
          await this.allocPort(svc, op, requested, i);
          sp.nodePort = requested;
          byServicePort.set(sp.port, requested);
        } else {
          const np = await this.nextPort(svc, op, i);
          sp.nodePort = np;
          byServicePort.set(sp.port, np);
        }
      } else if (sp.nodePort !== already) {
        if (!sp.nodePort) sp.nodePort = already;
        else await this.allocPort(svc, op, sp.nodePort, i);
      }
    }
  }

  private async allocPort(svc: Service, op: PortAllocationOperation, port: number, i: number): Promise<void> {
    try {
      await op.allocate(port);
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      throw invalid(svc, [fieldErr.invalid(this.nodePortField(i), port, e.message)]);
    }
  }

  /**
   * Upstream answers a full range with InternalError "failed to allocate a nodePort: range is
   * full". kubesvc never answers 5xx for what a request asked for (a Service with 5,000 NodePorts
   * fills the range by itself), so it is a 422 on the port that found no room, in upstream's words.
   */
  private async nextPort(svc: Service, op: PortAllocationOperation, i: number): Promise<number> {
    try {
      return await op.allocateNext();
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      throw invalid(svc, [fieldErr.invalid(this.nodePortField(i), 0, `failed to allocate a nodePort: ${e.message}`)]);
    }
  }

  /**
   * Upstream wraps these failures in InternalError (500), although a port outside the range or
   * already taken is what the request asked for; kubesvc answers 422 on spec.healthCheckNodePort
   * with upstream's words instead, as it does for spec.ports[i].nodePort.
   */
  private async allocHealthCheckNodePort(svc: Service, op: PortAllocationOperation): Promise<void> {
    const requested = svc.spec.healthCheckNodePort ?? 0;
    const field = Path.root('spec', 'healthCheckNodePort');
    const fail = (e: unknown, what: string): never => {
      if (!(e instanceof AllocatorError)) throw e;
      throw invalid(svc, [fieldErr.invalid(field, requested, `${what}: ${e.message}`)]);
    };
    if (requested) {
      try {
        await op.allocate(requested);
      } catch (e) {
        fail(e, `failed to allocate requested HealthCheck NodePort ${requested}`);
      }
      return;
    }
    try {
      svc.spec.healthCheckNodePort = await op.allocateNext();
    } catch (e) {
      fail(e, 'failed to allocate a HealthCheck NodePort 0');
    }
  }

  private async txnUpdateNodePorts(svc: Service, old: Service, dryRun: boolean): Promise<AllocatorTxn> {
    const op = new PortAllocationOperation(this.nodePorts, dryRun);
    if (dryRun && (needsNodePort(svc) || needsHealthCheck(svc))) await this.nodePorts.refresh();
    const wasNodePorts = old.spec.type === 'NodePort' || old.spec.type === 'LoadBalancer';
    const newType = svc.spec.type ?? 'ClusterIP';
    try {
      if (wasNodePorts && (newType === 'ExternalName' || newType === 'ClusterIP')) {
        for (const p of collectNodePorts(old)) op.releaseDeferred(p);
      }
      if (newType === 'NodePort' || newType === 'LoadBalancer') await this.updateNodePorts(svc, old, op);
      // healthCheckNodePort follows whether the Service needs one before and after.
      const needed = needsHealthCheck(old);
      const needs = needsHealthCheck(svc);
      if (!needed && needs) await this.allocHealthCheckNodePort(svc, op);
      else if (needed && !needs && old.spec.healthCheckNodePort) op.releaseDeferred(old.spec.healthCheckNodePort);
    } catch (e) {
      await op.finish();
      throw e;
    }
    return portTxn(op);
  }

  /** alloc.go updateNodePorts: keeps nodePorts the old object held, allocates new ones and
   *  defers the release of those no longer used. */
  private async updateNodePorts(svc: Service, old: Service, op: PortAllocationOperation): Promise<void> {
    const oldPorts = collectNodePorts(old);
    const taken = new Set<number>();
    const seen = new Set<string>();
    for (const [i, sp] of (svc.spec.ports ?? []).entries()) {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) continue;
      if (sp.nodePort) {
        if (!oldPorts.includes(sp.nodePort) && !taken.has(sp.nodePort)) {
          await this.allocPort(svc, op, sp.nodePort, i);
          taken.add(sp.nodePort);
        }
      } else {
        sp.nodePort = await this.nextPort(svc, op, i);
      }
      const key = `{${sp.protocol ?? 'TCP'} ${sp.nodePort}}`;
      // Upstream returns a plain error here (a 500 without a reason); it is the request's own
      // duplicate, so kubesvc answers as upstream's validation words it.
      if (seen.has(key)) throw invalid(svc, [fieldErr.duplicate(this.nodePortField(i), sp.nodePort)]);
      seen.add(key);
    }
    const newPorts = collectNodePorts(svc);
    for (const p of oldPorts) if (!newPorts.includes(p)) op.releaseDeferred(p);
  }
}

/** A port operation as a txn; a failed release only leaks until the repair loop frees it. */
function portTxn(op: PortAllocationOperation): AllocatorTxn {
  const quiet = (what: string) => (e: unknown) => log.warn(`${what} nodePorts: ${messageOf(e)}`);
  return callbackTxn({ commit: () => op.commit().catch(quiet('releasing')), revert: () => op.finish().catch(quiet('reverting')) });
}
