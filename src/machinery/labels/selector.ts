// Label selectors (apimachinery labels.Selector): parse, match, print. Parse failures are the
// 400 BadRequest the apiserver returns for an unparsable `labelSelector` query parameter.
import { errors } from '../status.js';
import { parseRequirements, sortByKey } from './parser.js';
import { requirementMatches, requirementString, type Labels, type Requirement } from './requirement.js';

export class LabelSelector {
  private constructor(
    /** Sorted by key; undefined for Nothing(). */
    private readonly reqs: readonly Requirement[] | undefined,
  ) {}

  /** Matches every label set (an empty selector). */
  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** Matches nothing (what a nil metav1.LabelSelector converts to). */
  static nothing(): LabelSelector {
    return new LabelSelector(undefined);
  }

  static fromRequirements(reqs: readonly Requirement[]): LabelSelector {
    return new LabelSelector(sortByKey([...reqs]));
  }

  matches(labels: Labels | undefined): boolean {
    if (!this.reqs) return false;
    const ls = labels ?? {};
    return this.reqs.every((r) => requirementMatches(r, ls));
  }

  /** True when the selector does not restrict anything (Nothing() is not empty). */
  empty(): boolean {
    return this.reqs !== undefined && this.reqs.length === 0;
  }

  /** False for Nothing(), whose requirements upstream reports as not selectable. */
  selectable(): boolean {
    return this.reqs !== undefined;
  }

  requirements(): readonly Requirement[] {
    return this.reqs ?? [];
  }

  /** Returns a new selector with more requirements, re-sorted by key. */
  add(...more: Requirement[]): LabelSelector {
    if (!this.reqs) return this;
    return LabelSelector.fromRequirements([...this.reqs, ...more]);
  }

  /** The value a selector pins a label to (`k=v`, `k==v` or `k in (v)`), as RequiresExactMatch. */
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs ?? []) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) {
        return r.values[0];
      }
      return undefined;
    }
    return undefined;
  }

  /** Canonical form: requirements sorted by key, values sorted, joined by ",". */
  toString(): string {
    return (this.reqs ?? []).map(requirementString).join(',');
  }
}

/**
 * labels.Parse. Throws StatusError 400 BadRequest with upstream's message, e.g.
 * `unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt`.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  try {
    return LabelSelector.fromRequirements(parseRequirements(selector));
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
}

/** labels.SelectorFromSet: exact `k=v` for each label; an empty set selects everything. */
export function selectorFromSet(set: Labels | undefined): LabelSelector {
  const reqs: Requirement[] = Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=', values: [v] }));
  return LabelSelector.fromRequirements(reqs);
}

/** labels.Set.String(): `k=v` pairs sorted by key. */
export function labelSetString(set: Labels): string {
  return Object.keys(set)
    .sort()
    .map((k) => `${k}=${set[k]}`)
    .join(',');
}
