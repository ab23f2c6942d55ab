// Links in an HTML page that came through the services or pods proxy, made to come back through
// it, as upstream's proxy transport rewrites them: the URL attributes of the elements its table
// names (a href, img src, script src, form action, ...). Only those attribute values change; the
// rest of the page is left byte for byte, and the text of comments, scripts, styles and other
// raw-text elements is never read as markup.

/** Upstream's atomsToAttrs: which attributes of which elements hold URLs. */
const urlAttributes: Record<string, readonly string[]> = {
  a: ['href'],
  applet: ['codebase'],
  area: ['href'],
  audio: ['src'],
  base: ['href'],
  blockquote: ['cite'],
  body: ['background'],
  button: ['formaction'],
  command: ['icon'],
  del: ['cite'],
  embed: ['src'],
  form: ['action'],
  frame: ['longdesc', 'src'],
  head: ['profile'],
  html: ['manifest'],
  iframe: ['longdesc', 'src'],
  img: ['longdesc', 'src', 'usemap'],
  input: ['src', 'usemap', 'formaction'],
  ins: ['cite'],
  link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'],
  q: ['cite'],
  script: ['src'],
  source: ['src'],
  video: ['poster', 'src'],
};

/** Elements whose content is text up to their end tag, never markup. */
const rawText = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';

/** The decoded value of an attribute as the browser reads it, for the entities a URL may carry. */
function decodeEntities(v: string): string {
  return v.replace(/&(amp|quot|apos|lt|gt|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' } as Record<string, string>)[name] ?? m;
  });
}

/** A value for a quoted attribute (either quote); characters past Latin-1 (from entities) as references, since the page is written back byte for byte. */
function encodeAttribute(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/[^\u0000-\u00ff]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
}

/**
 * `html` with the URL attributes rewritten by `rewrite` (which gets and returns decoded URLs and
 * returns its argument for a URL it leaves alone).
 */
export function rewriteHTML(html: string, rewrite: (url: string) => string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const next = html[lt + 1];
    if (next === '!' || next === '?' || next === '/') {
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (!next || !/[a-zA-Z]/.test(next)) {
      i = lt + 1;
      continue;
    }
    // A start tag: its name, then attributes up to '>'.
    let j = lt + 1;
    while (j < n && !isSpace(html[j]) && html[j] !== '>' && html[j] !== '/') j++;
    const tag = html.slice(lt + 1, j).toLowerCase();
    const wanted = urlAttributes[tag];
    while (j < n && html[j] !== '>') {
      while (j < n && (isSpace(html[j]) || html[j] === '/')) j++;
      if (j >= n || html[j] === '>') break;
      const nameStart = j;
      while (j < n && !isSpace(html[j]) && html[j] !== '>' && html[j] !== '=' && html[j] !== '/') j++;
      const attr = html.slice(nameStart, j).toLowerCase();
      while (j < n && isSpace(html[j])) j++;
      if (html[j] !== '=') continue;
      j++;
      while (j < n && isSpace(html[j])) j++;
      let valueStart = j;
      let valueEnd: number;
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        valueStart = j + 1;
        const close = html.indexOf(quote, valueStart);
        valueEnd = close < 0 ? n : close;
        j = close < 0 ? n : close + 1;
      } else {
        while (j < n && !isSpace(html[j]) && html[j] !== '>') j++;
        valueEnd = j;
      }
      if (!wanted?.includes(attr)) continue;
      const raw = html.slice(valueStart, valueEnd);
      const url = decodeEntities(raw);
      const rewritten = rewrite(url);
      if (rewritten === url) continue;
      const value = encodeAttribute(rewritten);
      // An unquoted value gets quotes, as the new one may hold characters that would end it.
      out += html.slice(copied, valueStart) + (quote === '"' || quote === "'" ? value : `"${value}"`);
      copied = valueEnd;
    }
    i = j < n ? j + 1 : n;
    if (rawText.has(tag)) {
      const close = new RegExp(`</${tag}`, 'gi');
      close.lastIndex = i;
      i = close.exec(html)?.index ?? n;
    }
  }
  return out + html.slice(copied);
}
