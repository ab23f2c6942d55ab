// Service-account tokens as kube-apiserver handles them: one signing key (kubeadm's sa.key), the
// issuer and API audiences (--service-account-issuer, --api-audiences), minting bound tokens
// (TokenRequest) and legacy ones (the tokens controller), authenticating both, and the OIDC
// discovery documents that let others verify them.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { defaultIssuer } from './claims.js';
import { ServiceAccountTokenAuthenticator, type ObjectLookup, type ServiceAccountTokenAuthenticatorOptions } from './authenticator.js';
import { publicJWK, signingKey, signRS256, type SigningKey } from './jwt.js';

export { legacyTokenInvalidSinceLabel, legacyTokenLastUsedLabel, ServiceAccountTokenAuthenticator, type ObjectLookup, type TokenResult } from './authenticator.js';
export * from './claims.js';

export interface ServiceAccountTokensOptions {
  /** PEM of the RSA signing key; a throwaway one when absent (tests that never restart). */
  signingKeyPem?: string;
  issuer?: string;
  lookup: ObjectLookup;
  /** Seconds since the epoch (a test's clock). */
  now?: () => number;
  markLegacyTokenUsed?: ServiceAccountTokenAuthenticatorOptions['markLegacyTokenUsed'];
}

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly apiAudiences: string[];
  readonly authenticator: ServiceAccountTokenAuthenticator;
  private signing: SigningKey | undefined;

  constructor(private readonly o: ServiceAccountTokensOptions) {
    this.issuer = o.issuer ?? defaultIssuer;
    // Upstream's --api-audiences defaults to the issuer.
    this.apiAudiences = [this.issuer];
    this.authenticator = new ServiceAccountTokenAuthenticator({
      issuer: this.issuer,
      apiAudiences: this.apiAudiences,
      publicKeys: () => [this.key.publicKey],
      lookup: o.lookup,
      ...(o.now ? { now: o.now } : {}),
      ...(o.markLegacyTokenUsed ? { markLegacyTokenUsed: o.markLegacyTokenUsed } : {}),
    });
  }

  /** The signing key; a throwaway one is made on first use when none was given (slow: tests only). */
  get key(): SigningKey {
    return (this.signing ??= signingKey(
      createPrivateKey(this.o.signingKeyPem ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ));
  }

  /** A signed token carrying `claims` (bound or legacy). */
  sign(claims: object): string {
    return signRS256(this.key, claims);
  }

  /** /.well-known/openid-configuration (upstream's openIDMetadata); `externalAddress` is host:port. */
  openIDConfiguration(externalAddress: string): object {
    return {
      issuer: this.issuer,
      jwks_uri: `https://${externalAddress}${jwksPath}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** /openid/v1/jwks: the public keys tokens verify with. */
  jwks(): object {
    return { keys: [publicJWK(this.key)] };
  }
}

export const openIDConfigurationPath = '/.well-known/openid-configuration';
export const jwksPath = '/openid/v1/jwks';
