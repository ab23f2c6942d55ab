// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
//   Basic realm="Registry Realm"

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Every challenge in the header; unknown schemes are kept so the caller can name them in errors. */
export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (i < s.length) {
    skipSpace();
    const scheme = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!scheme) break;
    i += scheme[0].length;
    const ch: Challenge = { scheme: scheme[0].toLowerCase(), params: {} };
    out.push(ch);
    for (;;) {
      skipSpace();
      const name = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(s.slice(i));
      if (!name) break;
      i += name[0].length;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        const tok = /^[^,\s]*/.exec(s.slice(i))![0];
        value = tok;
        i += tok.length;
      }
      ch.params[name[1].toLowerCase()] = value;
      skipSpace();
      if (s[i] !== ',') break;
      i++;
      // A comma may also start the next challenge: peek whether a name= follows.
      skipSpace();
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=/.test(s.slice(i))) break;
    }
    skipSpace();
    if (s[i] === ',') i++;
  }
  return out;
}
