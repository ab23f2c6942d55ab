// core/v1 serviceaccounts (upstream's pkg/registry/core/serviceaccount). DELETE answers with the
// deleted object, as upstream's ReturnDeletedObject. The token subresource mints tokens
// (serviceaccount-token.ts) where the server has a signing key.
import type { ServiceAccount } from '../../../api/core.js';
import { cleanSecretReferences } from '../../../api/defaults/serviceaccount.js';
import { validateServiceAccount, validateServiceAccountUpdate } from '../../../api/validation/serviceaccount.js';
import { resourceInfo } from '../../resources.js';
import { serviceAccountPrinter } from '../../tables/simple.js';
import { entry, type SubresourceREST } from '../entry.js';
import { tokenREST } from './serviceaccount-token.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const serviceaccounts = entry<ServiceAccount>({
  info: resourceInfo({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'], returnDeletedObject: true, subresources: ['token'] }),
  strategy: {
    defaults: noDefaults,
    // Upstream's PrepareForCreate and PrepareForUpdate alike: a Secret reference keeps only its name.
    prepareForCreate: cleanSecretReferences,
    prepareForUpdate: cleanSecretReferences,
    validateCreate: validateServiceAccount,
    validateUpdate: validateServiceAccountUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  subresources: (deps): Record<string, SubresourceREST> => (deps.serviceAccountTokens ? { token: tokenREST(deps, deps.serviceAccountTokens) } : {}),
  printer: serviceAccountPrinter,
});
