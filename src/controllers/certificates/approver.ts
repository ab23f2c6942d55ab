// The CSR approving controller (upstream's csrapproving, "sarapprove"): a kubelet's client
// certificate request is approved when its requester may create
// certificatesigningrequests/nodeclient (a bootstrap token joining a node, through kubeadm's
// binding) or, renewing for itself (CN = its own user name), certificatesigningrequests/selfnodeclient
// (nodes, through kubeadm's binding) — each asked of the authorizer with a SubjectAccessReview.
// Two more, which upstream leaves to the installer and k3s's server hands to its agents itself: a
// node's request for its own kubelet serving certificate, and a node's request for kube-proxy's
// client certificate (CN=system:kube-proxy, no groups), so that `kubesvc agent` joins with nothing
// but a token. Anything else waits for a human (`kubectl certificate approve`).
import type { CertificateSigningRequest } from '../../api/certificates.js';
import { isApproved, isDenied, isFailed, kubeAPIServerClientKubeletSigner, kubeAPIServerClientSigner, kubeletServingSigner } from '../../api/certificates.js';
import { parseCertificateRequest } from '../../apiserver/pki.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { apiServerClientProblem, kubeletClientProblem, kubeletServingProblem, requestPEM } from './csr-checks.js';
import { metaTime } from '../../machinery/time.js';

const approvable = new Set([kubeAPIServerClientKubeletSigner, kubeletServingSigner, kubeAPIServerClientSigner]);
const isNode = (csr: CertificateSigningRequest) => (csr.spec.groups ?? []).includes('system:nodes') && (csr.spec.username ?? '').startsWith('system:node:');


export class CSRApprovingController extends QueueWorker {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
  ) {
    super('csrapproving');
    this.csrs = informers.informer<CertificateSigningRequest>(R.certificatesigningrequests);
    const consider = (c: CertificateSigningRequest) => {
      if (approvable.has(c.spec?.signerName) && !isApproved(c) && !isDenied(c) && !isFailed(c)) this.queue.add(c.metadata.name ?? '');
    };
    this.csrs.addEventHandler({ onAdd: consider, onUpdate: (_o, c) => consider(c), onDelete: () => {} });
  }

  /** Whether the requester may create certificatesigningrequests/<subresource>. */
  private async allowed(csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: csr.spec.username,
        ...(csr.spec.uid ? { uid: csr.spec.uid } : {}),
        groups: csr.spec.groups ?? [],
        ...(csr.spec.extra ? { extra: csr.spec.extra } : {}),
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
      },
    } as unknown as KubeObject;
    const answer = (await this.client.create(R.subjectaccessreviews, undefined, review)) as KubeObject & { status?: { allowed?: boolean } };
    return answer.status?.allowed === true;
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!csr || !approvable.has(csr.spec.signerName) || isApproved(csr) || isDenied(csr) || isFailed(csr)) return;
    let info;
    try {
      info = await parseCertificateRequest(requestPEM(csr));
    } catch {
      return; // the signer never signs it either; a human may deny it
    }
    let message: string | undefined;
    switch (csr.spec.signerName) {
      case kubeAPIServerClientKubeletSigner:
        if (kubeletClientProblem(csr, info)) return;
        if (info.commonName === csr.spec.username && (await this.allowed(csr, 'selfnodeclient'))) message = 'Auto approving self kubelet client certificate after SubjectAccessReview.';
        else if (await this.allowed(csr, 'nodeclient')) message = 'Auto approving kubelet client certificate after SubjectAccessReview.';
        break;
      case kubeletServingSigner:
        if (isNode(csr) && info.commonName === csr.spec.username && !kubeletServingProblem(csr, info)) message = 'Auto approving the kubelet serving certificate of its own node.';
        break;
      case kubeAPIServerClientSigner:
        if (isNode(csr) && info.commonName === 'system:kube-proxy' && info.organizations.length === 0 && !apiServerClientProblem(csr)) message = "Auto approving kube-proxy's client certificate for a node.";
        break;
    }
    if (!message) return;
    const out = structuredClone(csr);
    out.status = { ...out.status, conditions: [...(out.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: metaTime(), lastTransitionTime: metaTime() }] };
    this.log.info(`approved ${name} for ${csr.spec.username ?? '?'}`);
    try {
      await this.client.update(R.certificatesigningrequests, undefined, out, { subresource: 'approval' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
