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

/**
 * The yaml parser recurses per nesting level and overflows the stack near 800 levels; an
 * overflow that lands inside V8's regular-expression compiler is not an exception but a fatal
 * abort of the whole process (seen in the body-decoding fuzz test). So YAML is refused, before
 * parsing, when an upper bound of its nesting — indentation, plus leading `- `/`? `/`: `
 * indicators, plus open flow brackets outside quotes and comments — passes this.
 */
export const maxYamlNestingBound = 400;

/** upstream's go-yaml wording for a document nested too deeply, or undefined if within the bound. */
export function yamlNestingError(text: string): string | undefined {
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let lineStart = true;
  let indent = 0;
  let indicators = 0;
  let prev = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      indicators = 0;
      prev = c;
      continue;
    }
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
      prev = c;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '\t') {
        indent++;
        prev = c;
        continue;
      }
      if ((c === '-' || c === '?' || c === ':') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
        indicators++;
        i++;
        indent++;
        prev = ' ';
        continue;
      }
      lineStart = false;
    }
    if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') flow++;
    else if ((c === ']' || c === '}') && flow > 0) flow--;
    if (indent + indicators + flow > maxYamlNestingBound) return `yaml: exceeded max depth of ${maxYamlNestingBound}`;
    prev = c;
  }
  return undefined;
}
