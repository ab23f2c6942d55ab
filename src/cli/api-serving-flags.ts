// kube-apiserver's serving flags that `up`, `apiserver` and `server` all take, under upstream's
// names and defaults.
import { boolFlag, UsageError, type FlagSpec } from './flags.js';

export const apiServingFlags: FlagSpec[] = [
  { name: 'max-requests-inflight', metavar: 'N', help: 'read-only API requests served at once, watches aside (0: no limit); past it 429', default: '400' },
  { name: 'max-mutating-requests-inflight', metavar: 'N', help: 'mutating API requests served at once (0: no limit); past it 429', default: '200' },
  { name: 'anonymous-auth', metavar: 'BOOL', help: 'requests without credentials are system:anonymous (RBAC lets it read /healthz, /livez, /readyz and /version); false answers them 401', default: 'true' },
];

export interface ApiServingFlagValues {
  maxRequestsInFlight: number;
  maxMutatingRequestsInFlight: number;
  anonymousAuth: boolean;
}

/** kube-apiserver's int flags: pflag's wording for a non-number, its own for a negative one. */
function inFlightFlag(f: { values: Map<string, string> }, name: string, def: number): number {
  const text = f.values.get(name);
  if (text === undefined) return def;
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`invalid argument ${JSON.stringify(text)} for "--${name}" flag: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n < 0) throw new UsageError(`--${name} can not be negative value`);
  return n;
}

export function parseApiServingFlags(f: { values: Map<string, string> }): ApiServingFlagValues {
  return {
    maxRequestsInFlight: inFlightFlag(f, 'max-requests-inflight', 400),
    maxMutatingRequestsInFlight: inFlightFlag(f, 'max-mutating-requests-inflight', 200),
    anonymousAuth: boolFlag(f, 'anonymous-auth', true),
  };
}
