// OIDC discovery of the service-account issuer (upstream's pkg/routes/openidmetadata): with these
// two documents anything that speaks OIDC can verify the cluster's service-account tokens
// without a TokenReview. Cached by clients for an hour, as upstream tells them.
import type { ServerResponse } from 'node:http';
import { jwksPath, type ServiceAccountTokens } from '../auth/serviceaccount/index.js';
import { sendRaw } from './respond.js';

const cacheControl = 'public, max-age=3600';

export function serveOpenIDMetadata(res: ServerResponse, path: string, tokens: ServiceAccountTokens, externalAddress: string): void {
  res.setHeader('Cache-Control', cacheControl);
  if (path === jwksPath) return sendRaw(res, 200, JSON.stringify(tokens.jwks()), 'application/jwk-set+json');
  sendRaw(res, 200, JSON.stringify(tokens.openIDConfiguration(externalAddress)), 'application/json');
}
