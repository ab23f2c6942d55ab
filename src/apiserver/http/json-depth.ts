// Go's encoding/json refuses documents nested deeper than 10000 levels before decoding anything,
// with a SyntaxError ("invalid character '{' exceeded max depth"); the apiserver's decoders
// inherit that. JSON.parse has no limit, and the recursive walkers after it (field checks,
// copies, patches, equality) overflow Node's stack at about 2,000 levels — a 500 for the
// client's mistake. So the same check and message, on the raw text in one pass before parsing,
// at a depth the walkers handle with room to spare. No Kubernetes object comes near it (a
// Deployment's deepest field is about 15 levels down).

/** Upstream's limit is 10000 (encoding/json's maxNestingDepth); see above for why this is lower. */
export const maxNestingDepth = 1000;

/** Go's SyntaxError text for the first opening bracket past the limit, or undefined if within it. */
export function jsonNestingError(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxNestingDepth) return `invalid character '${text[i]}' exceeded max depth`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}
