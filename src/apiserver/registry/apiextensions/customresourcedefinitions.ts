// apiextensions.k8s.io/v1 customresourcedefinitions (apiextensions-apiserver
// pkg/registry/customresourcedefinition): cluster-scoped, its status written by the naming and
// establishing controllers (crd/controller.ts) through /status, validated by the CRD library.
import {
  defaultCustomResourceDefinition,
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
  type CustomResourceDefinition,
} from '../../../api/apiextensions/index.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateObjectMetaUpdate } from '../../../api/validation/objectmeta.js';
import { Path } from '../../../machinery/field.js';
import { resourceInfo } from '../../resources.js';
import { entry } from '../entry.js';
import { cleanupFinalizer } from './crd-controller.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

type CRD = CustomResourceDefinition & KubeObject;

export const customresourcedefinitions = entry<CRD>({
  info: resourceInfo({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  strategy: {
    allowUnconditionalUpdate: false,
    defaults: (crd) => defaultCustomResourceDefinition(crd),
    // upstream's PrepareForCreate: the status is the controllers' to set.
    prepareForCreate(crd) {
      const storage = (crd.spec?.versions ?? []).filter((v) => v.storage).map((v) => v.name ?? '');
      crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: storage };
      startGeneration(crd);
    },
    prepareForUpdate(crd, old) {
      keepStatus(crd, old);
      bumpGeneration(crd, old);
    },
    validateCreate: (crd) => validateCustomResourceDefinition(crd),
    validateUpdate: (crd, old) => validateCustomResourceDefinitionUpdate(crd, old),
    validateStatusUpdate: (crd, old) => validateObjectMetaUpdate(crd.metadata, old.metadata, Path.root('metadata')),
  },
  hooks: () => ({
    // upstream's CRD REST Delete: the first delete does not remove the CRD but marks it
    // Terminating with the cleanup finalizer; the finalizer controller deletes its objects.
    pendingFinalization: (o) => !o.metadata.deletionTimestamp,
    beginGracefulDelete(o) {
      const crd = o as CRD;
      const fin = new Set(crd.metadata.finalizers ?? []);
      fin.add(cleanupFinalizer);
      crd.metadata.finalizers = [...fin];
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const conds = (crd.status?.conditions ?? []).filter((c) => c.type !== 'Terminating');
      conds.push({ type: 'Terminating', status: 'True', lastTransitionTime: now, reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
      crd.status = { ...crd.status, conditions: conds };
    },
  }),
  // No printer: upstream's default table (NAME, CREATED AT).
});
