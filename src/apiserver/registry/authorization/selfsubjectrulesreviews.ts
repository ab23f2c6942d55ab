// authorization.k8s.io/v1 selfsubjectrulesreviews: everything the asking user may do in a
// namespace (`kubectl auth can-i --list`), upstream's pkg/registry/authorization/selfsubjectrulesreview.
import type { SelfSubjectRulesReview } from '../../../api/authorization.js';
import type { PolicyRule } from '../../../api/rbac.js';
import { errors } from '../../../machinery/status.js';
import { systemPrivilegedGroup } from '../../auth/user.js';
import { entry } from '../entry.js';
import { answer, checkTypes, reviewInfo, reviewStrategy } from './review.js';

const kind = 'SelfSubjectRulesReview';

/** What upstream's privileged-group authorizer lists for system:masters. */
const everything: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export const selfsubjectrulesreviews = entry<SelfSubjectRulesReview>({
  info: reviewInfo('authorization.k8s.io', 'selfsubjectrulesreviews', kind),
  strategy: reviewStrategy,
  review: (deps) => (ctx, obj) => {
    const r = obj as SelfSubjectRulesReview;
    checkTypes(kind, kind, '', r, { spec: 'object' });
    checkTypes(kind, 'SelfSubjectRulesReviewSpec', 'spec.', r.spec, { namespace: 'string' });
    if (!ctx.userInfo || !deps.authorizer) throw errors.badRequest('no user present on request');
    const namespace = r.spec?.namespace ?? '';
    // Upstream's REST Create refuses an empty namespace before resolving any rule.
    if (namespace === '') throw errors.badRequest('no namespace on request');
    const rules = [...(ctx.userInfo.groups.includes(systemPrivilegedGroup) ? everything : []), ...deps.authorizer.rulesFor(ctx.userInfo, namespace)];
    const resourceRules = rules
      .filter((p) => !p.nonResourceURLs?.length)
      .map((p) => ({ verbs: p.verbs, apiGroups: p.apiGroups ?? [], resources: p.resources ?? [], ...(p.resourceNames?.length ? { resourceNames: p.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((p) => p.nonResourceURLs?.length).map((p) => ({ verbs: p.verbs, nonResourceURLs: p.nonResourceURLs }));
    return answer(r, { resourceRules, nonResourceRules, incomplete: false });
  },
});
