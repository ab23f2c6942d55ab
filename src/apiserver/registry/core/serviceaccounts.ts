// core/v1 serviceaccounts (upstream's pkg/registry/core/serviceaccount). DELETE answers with the
// deleted object, as upstream's ReturnDeletedObject.
import type { ServiceAccount } from '../../../api/core.js';
import { cleanSecretReferences } from '../../../api/defaults/serviceaccount.js';
import { validateServiceAccount, validateServiceAccountUpdate } from '../../../api/validation/serviceaccount.js';
import { resourceInfo } from '../../resources.js';
import { serviceAccountPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const serviceaccounts = entry<ServiceAccount>({
  info: resourceInfo({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'], returnDeletedObject: true }),
  strategy: {
    defaults: noDefaults,
    // Upstream's PrepareForCreate and PrepareForUpdate alike: a Secret reference keeps only its name.
    prepareForCreate: cleanSecretReferences,
    prepareForUpdate: cleanSecretReferences,
    validateCreate: validateServiceAccount,
    validateUpdate: validateServiceAccountUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: serviceAccountPrinter,
});
