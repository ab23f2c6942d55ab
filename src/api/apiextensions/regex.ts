// Regular expressions as Go's regexp (RE2) reads them, for OpenAPI `pattern` and CEL `matches()`.
// RE2 runs in time linear in the input, so a hostile pattern such as `^(a+)+$` cannot hang the
// server the way a backtracking JavaScript RegExp would. Compiled patterns are cached: a CRD's
// patterns are evaluated for every object written.
import { RE2JS } from '@bufbuild/re2';

const cache = new Map<string, RE2JS | Error>();
const cacheLimit = 4096;

/** The compiled pattern, or the Go-worded compile error (`error parsing regexp: ...`). */
export function compileRegex(pattern: string): RE2JS | Error {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    re = new Error(e instanceof Error ? e.message : String(e));
  }
  if (cache.size >= cacheLimit) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Unanchored search, as regexp.MatchString. Throws the compile error for a bad pattern. */
export function regexMatches(pattern: string, input: string): boolean {
  const re = compileRegex(pattern);
  if (re instanceof Error) throw re;
  return re.test(input);
}
