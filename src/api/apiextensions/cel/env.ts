// The one CEL environment every rule is compiled in: `self` and `oldSelf`, the standard library
// with Kubernetes' extensions, has() for any selection, and optional types for optionalOldSelf.
// Building an Environment is costly, so it is built once and frozen by cloning.
import { Environment } from '@marcbachmann/cel-js';
import { registerHasMacro } from './rewrite.js';
import { registerKubernetesLibrary } from './library.js';
import { registerFormatLibrary } from './format.js';
import { registerNetLibrary } from './net.js';
import { registerQuantityLibrary } from './quantity.js';
import { registerURLLibrary } from './url.js';

const shared = new Map<boolean, Environment>();

/**
 * The environment for rules; with `optionalOldSelf` oldSelf is declared optional<dyn> (as
 * upstream types it for optionalOldSelf rules), which also lets `oldSelf.value().x` type-check.
 */
export function celEnvironment(optionalOldSelf = false): Environment {
  const cached = shared.get(optionalOldSelf);
  if (cached) return cached;
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    limits: { maxAstNodes: 10_000, maxDepth: 250, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
  })
    .registerVariable('self', 'dyn')
    .registerVariable('oldSelf', optionalOldSelf ? 'optional<dyn>' : 'dyn');
  registerKubernetesLibrary(env);
  registerQuantityLibrary(env);
  registerNetLibrary(env);
  registerURLLibrary(env);
  registerFormatLibrary(env);
  registerHasMacro(env);
  const frozen = env.clone();
  shared.set(optionalOldSelf, frozen);
  return frozen;
}

let noneValue: unknown;

/** optional.none() and optional.of(v), the values oldSelf takes under optionalOldSelf. */
export function optionalNone(): unknown {
  noneValue ??= celEnvironment().evaluate('optional.none()');
  return noneValue;
}

export function optionalOf(v: unknown): unknown {
  return celEnvironment().evaluate('optional.of(self)', { self: v, oldSelf: null });
}
