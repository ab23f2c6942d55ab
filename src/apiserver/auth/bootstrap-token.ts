// The bootstrap token authenticator (kube-apiserver --enable-bootstrap-token-auth, which kubeadm
// and k3s turn on): `Bearer <id>.<secret>` is user system:bootstrap:<id> in system:bootstrappers
// and the token's extra groups, while its Secret exists in kube-system, is not being deleted, has
// not expired, carries the same secret and allows authentication. Like upstream, every refusal is
// "not a token of mine" rather than a reason, so a client learns nothing about which tokens exist;
// the request then fails as any unknown bearer token does (401).
import { timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../api/core.js';
import {
  bootstrappersGroup,
  bootstrapTokenNamespace,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapUserPrefix,
  extraGroups,
  hasExpired,
  parseBootstrapToken,
  secretValue,
  tokenIDKey,
  tokenSecretKey,
  usagePrefix,
} from '../../api/bootstrap-token.js';
import type { ObjectLookup, TokenResult } from './serviceaccount/index.js';
import { allAuthenticated } from './user.js';
import { logger } from '../../util/log.js';

const log = logger('bootstrap-token');

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class BootstrapTokenAuthenticator {
  constructor(
    private readonly lookup: ObjectLookup,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(token: string): TokenResult {
    const t = parseBootstrapToken(token);
    if (!t) return { ok: false };
    const name = bootstrapTokenSecretName(t.id);
    const s = this.lookup('secrets', bootstrapTokenNamespace, name) as Secret | undefined;
    const refuse = (why: string): TokenResult => {
      log.debug(`bootstrap token ${t.id} refused: ${why}`);
      return { ok: false };
    };
    if (!s) return refuse(`no secret ${bootstrapTokenNamespace}/${name}`);
    if (s.metadata.deletionTimestamp) return refuse('its secret is being deleted');
    if (s.type !== bootstrapTokenSecretType) return refuse(`its secret is of type ${JSON.stringify(s.type ?? '')}`);
    const secret = secretValue(s, tokenSecretKey);
    if (secret === undefined || !sameText(secret, t.secret)) return refuse('the secret does not match');
    if (secretValue(s, tokenIDKey) !== t.id) return refuse('the token id does not match');
    if (hasExpired(s, this.now())) return refuse('it has expired');
    if (secretValue(s, `${usagePrefix}authentication`) !== 'true') return refuse('it may not be used for authentication');
    const groups = extraGroups(s);
    if ('error' in groups) return refuse(groups.error);
    return {
      ok: true,
      user: { name: `${bootstrapUserPrefix}${t.id}`, groups: [bootstrappersGroup, ...groups.groups.filter((g) => g !== bootstrappersGroup), allAuthenticated] },
      audiences: [],
    };
  }
}
