// The CSR signing controller (upstream's csrsigning): approved requests for the signers the cluster
// CA serves — kube-apiserver-client, kube-apiserver-client-kubelet and kubelet-serving — get a
// certificate written to status.certificate; a request the signer cannot honour (a bad signature,
// a subject or usages its signer does not allow) gets the Failed condition saying why.
import type { CertificateSigningRequest } from '../../api/certificates.js';
import {
  isApproved,
  isFinished,
  kubeAPIServerClientKubeletSigner,
  kubeAPIServerClientSigner,
  kubeletServingSigner,
} from '../../api/certificates.js';
import { parseCertificateRequest, type CertificateRequestInfo } from '../../apiserver/pki.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { apiServerClientProblem, kubeletClientProblem, kubeletServingProblem, requestPEM } from './csr-checks.js';
import { metaTime } from '../../machinery/time.js';

const signers: Record<string, { usage: 'clientAuth' | 'serverAuth'; problem(csr: CertificateSigningRequest, info: CertificateRequestInfo): string | undefined }> = {
  [kubeAPIServerClientSigner]: { usage: 'clientAuth', problem: (csr) => apiServerClientProblem(csr) },
  [kubeAPIServerClientKubeletSigner]: { usage: 'clientAuth', problem: kubeletClientProblem },
  [kubeletServingSigner]: { usage: 'serverAuth', problem: kubeletServingProblem },
};

/** Signs a PEM request with the cluster CA (the key stays with whoever holds it: pki.ts). */
export type ClusterSigner = (requestPem: string, o: { usage: 'clientAuth' | 'serverAuth'; expirationSeconds?: number }) => Promise<string>;


export class CSRSigningController extends QueueWorker {
  private readonly csrs: Informer<CertificateSigningRequest>;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly sign: ClusterSigner,
  ) {
    super('csrsigning');
    this.csrs = informers.informer<CertificateSigningRequest>(R.certificatesigningrequests);
    const consider = (c: CertificateSigningRequest) => {
      if (isApproved(c) && !isFinished(c) && signers[c.spec?.signerName]) this.queue.add(c.metadata.name ?? '');
    };
    this.csrs.addEventHandler({ onAdd: consider, onUpdate: (_o, c) => consider(c), onDelete: () => {} });
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!csr || !isApproved(csr) || isFinished(csr)) return;
    const signer = signers[csr.spec.signerName];
    if (!signer) return;
    let problem: string | undefined;
    let info: CertificateRequestInfo | undefined;
    try {
      info = await parseCertificateRequest(requestPEM(csr));
      if (!info.signatureValid) problem = 'x509: ECDSA verification failure';
    } catch (e) {
      problem = `unable to parse csr ${JSON.stringify(name)}: ${(e as Error).message}`;
    }
    problem ??= signer.problem(csr, info!);
    const out = structuredClone(csr);
    out.status ??= {};
    if (problem) {
      this.log.info(`not signing ${name}: ${problem}`);
      out.status.conditions = [...(out.status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: metaTime(), lastTransitionTime: metaTime() }];
    } else {
      const pem = await this.sign(requestPEM(csr), {
        usage: signer.usage,
        ...(csr.spec.expirationSeconds != null ? { expirationSeconds: csr.spec.expirationSeconds } : {}),
      });
      out.status.certificate = Buffer.from(pem).toString('base64');
      this.log.info(`signed ${name} for ${csr.spec.username ?? '?'} (${csr.spec.signerName})`);
    }
    try {
      await this.client.update(R.certificatesigningrequests, undefined, out, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
