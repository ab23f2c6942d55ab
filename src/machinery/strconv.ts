// Go's strconv parsers where Kubernetes tools rely on their exact spellings (command-line flags).

/** strconv.ParseBool: true or false for its six spellings each, undefined for anything else. */
export function parseGoBool(text: string): boolean | undefined {
  switch (text) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}
