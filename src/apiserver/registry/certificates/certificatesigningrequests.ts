// certificates.k8s.io/v1 certificatesigningrequests (upstream's pkg/registry/certificates): the
// requester's identity is recorded from the request that creates it, never taken from the body;
// nobody creates a request already approved; the spec never changes; /approval writes the
// Approved/Denied conditions and /status the certificate and other conditions.
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../../api/certificates.js';
import {
  validateCertificateSigningRequest,
  validateCertificateSigningRequestStatusUpdate,
  validateCertificateSigningRequestUpdate,
} from '../../../api/validation/certificates.js';
import { resourceInfo } from '../../resources.js';
import { certificateSigningRequestPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { noDefaults } from '../strategy.js';
import { metaTime } from '../../../machinery/time.js';

const approval = (c: CertificateSigningRequestCondition) => c.type === 'Approved' || c.type === 'Denied';

/** Conditions get their timestamps from the server when the writer left them out. */
function stampConditions(csr: CertificateSigningRequest, old: CertificateSigningRequest | undefined): void {
  const now = metaTime();
  for (const c of csr.status?.conditions ?? []) {
    const was = old?.status?.conditions?.find((o) => o.type === c.type);
    c.lastUpdateTime ??= was?.lastUpdateTime ?? now;
    if (!c.lastTransitionTime) c.lastTransitionTime = was && was.status === c.status ? (was.lastTransitionTime ?? now) : now;
  }
}

export const certificatesigningrequests = entry<CertificateSigningRequest>({
  info: resourceInfo({
    group: 'certificates.k8s.io',
    version: 'v1',
    resource: 'certificatesigningrequests',
    kind: 'CertificateSigningRequest',
    namespaced: false,
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
  strategy: {
    defaults: noDefaults,
    prepareForCreate(csr) {
      csr.status = {};
    },
    prepareForUpdate(csr, old) {
      csr.spec = structuredClone(old.spec);
      if (old.status === undefined) delete csr.status;
      else csr.status = structuredClone(old.status);
    },
    prepareForStatusUpdate(csr, old, subresource) {
      const oldConditions = old.status?.conditions ?? [];
      const newConditions = csr.status?.conditions ?? [];
      csr.status ??= {};
      if (subresource === 'approval') {
        // Approval changes the Approved/Denied conditions only.
        csr.status.conditions = [...oldConditions.filter((c) => !approval(c)), ...newConditions.filter(approval)];
        if (old.status?.certificate) csr.status.certificate = old.status.certificate;
        else delete csr.status.certificate;
      } else {
        // /status may not approve or deny.
        csr.status.conditions = [...oldConditions.filter(approval), ...newConditions.filter((c) => !approval(c))];
      }
      if (!csr.status.conditions.length) delete csr.status.conditions;
      stampConditions(csr, old);
    },
    validateCreate: validateCertificateSigningRequest,
    validateUpdate: validateCertificateSigningRequestUpdate,
    validateStatusUpdate: validateCertificateSigningRequestStatusUpdate,
  },
  hooks: () => ({
    // The requester is whoever sends the create: what the approver and the signer trust.
    async admit(obj, ctx) {
      const csr = obj as CertificateSigningRequest;
      if (!csr.spec || typeof csr.spec !== 'object') return;
      delete csr.spec.username;
      delete csr.spec.uid;
      delete csr.spec.groups;
      delete csr.spec.extra;
      const u = ctx.userInfo;
      if (!u) return;
      csr.spec.username = u.name;
      if (u.uid) csr.spec.uid = u.uid;
      if (u.groups.length) csr.spec.groups = [...u.groups];
      if (u.extra && Object.keys(u.extra).length) csr.spec.extra = structuredClone(u.extra);
    },
  }),
  printer: certificateSigningRequestPrinter,
});
