// The CEL environments rules are compiled in: the standard library with Kubernetes' extensions,
// has() for any selection and optional types, built once; each schema node with rules gets a clone
// of it declaring that node's types and `self` and `oldSelf` (ruleEnvironment).
import { Environment, Optional } from '@marcbachmann/cel-js';
import type { JSONSchemaProps } from '../types.js';
import { registerHasMacro } from './rewrite.js';
import { registerKubernetesLibrary } from './library.js';
import { registerFormatLibrary } from './format.js';
import { registerNetLibrary } from './net.js';
import { registerQuantityLibrary } from './quantity.js';
import { registerURLLibrary } from './url.js';
import { declareSchemaTypes } from './decl-types.js';

const shared = new Map<string, Environment>();
let base: Environment | undefined;
const bySchema = new WeakMap<JSONSchemaProps, Map<string, Environment>>();

/**
 * An environment with self and oldSelf of type `selfType` (`dyn` unless told), for expressions
 * outside a schema; with `optionalOldSelf` oldSelf is declared optional<T> (as upstream types it
 * for optionalOldSelf rules), which also lets `oldSelf.value().x` type-check. Rules of a schema
 * node use ruleEnvironment.
 */
export function celEnvironment(optionalOldSelf = false, selfType = 'dyn'): Environment {
  const key = `${optionalOldSelf} ${selfType}`;
  const cached = shared.get(key);
  if (cached) return cached;
  const env = libraries().clone();
  env.registerVariable('self', selfType).registerVariable('oldSelf', optionalOldSelf ? `optional<${selfType}>` : selfType);
  const frozen = env.clone();
  shared.set(key, frozen);
  return frozen;
}

/** Kubernetes' libraries, without variables: what every rule environment is cloned from. */
function libraries(): Environment {
  if (base) return base;
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    limits: { maxAstNodes: 10_000, maxDepth: 250, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
  });
  registerKubernetesLibrary(env);
  registerQuantityLibrary(env);
  registerNetLibrary(env);
  registerURLLibrary(env);
  registerFormatLibrary(env);
  registerHasMacro(env);
  base = env;
  return base;
}

/**
 * The environment for the rules of schema node `schema`: self and oldSelf typed from the schema
 * (decl-types.ts), objects included. Built once per node and kept while the schema lives.
 */
export function ruleEnvironment(schema: JSONSchemaProps, optionalOldSelf: boolean, isRoot: boolean): Environment {
  let envs = bySchema.get(schema);
  if (!envs) bySchema.set(schema, (envs = new Map()));
  const key = `${optionalOldSelf} ${isRoot}`;
  const cached = envs.get(key);
  if (cached) return cached;
  const env = libraries().clone();
  const selfType = declareSchemaTypes(env, schema, isRoot);
  env.registerVariable('self', selfType).registerVariable('oldSelf', optionalOldSelf ? `optional<${selfType}>` : selfType);
  const frozen = env.clone();
  envs.set(key, frozen);
  return frozen;
}

/** optional.none() and optional.of(v), the values oldSelf takes under optionalOldSelf. */
export function optionalNone(): unknown {
  return Optional.none();
}

export function optionalOf(v: unknown): unknown {
  return Optional.of(v);
}
