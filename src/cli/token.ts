// `kubesvc token create|list|delete`: join tokens, as `kubeadm token` manages them — bootstrap
// token Secrets in kube-system that a new node's agent authenticates with before it has a
// certificate of its own. Everything goes through the API with the admin kubeconfig.
import type { Secret } from '../api/core.js';
import {
  bootstrapTokenNamespace,
  bootstrapTokenSecretName,
  bootstrapTokenSecretType,
  bootstrapTokenSecret,
  defaultNodeTokenGroup,
  descriptionKey,
  expiresAt,
  extraGroupsKey,
  formatBootstrapToken,
  generateBootstrapToken,
  knownUsages,
  parseBootstrapToken,
  secretValue,
  tokenIDKey,
  tokenSecretKey,
  usagePrefix,
  validBootstrapGroup,
  type BootstrapToken,
} from '../api/bootstrap-token.js';
import type { Client } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { R } from '../client/resources.js';
import { isNotFound } from '../controllers/common/errors.js';
import { humanDuration } from '../apiserver/tables/duration.js';
import { caCertHash } from '../apiserver/pki.js';
import { kubeconfigFlags, openClusterClient, resolveKubeconfig } from './cluster-client.js';
import { durationFlag, flagHelp, parseFlags, UsageError, type FlagSpec } from './flags.js';
import { metaTime } from '../machinery/time.js';

const createFlags: FlagSpec[] = [
  { name: 'ttl', metavar: 'DURATION', help: 'how long the token is valid (0: for ever)', default: '24h0m0s' },
  { name: 'description', metavar: 'TEXT', help: 'a note on what the token is for' },
  { name: 'groups', metavar: 'G1,G2', help: 'extra groups the token authenticates as, each system:bootstrappers:...', default: defaultNodeTokenGroup },
  { name: 'usages', metavar: 'U1,U2', help: `what the token may be used for: ${knownUsages.join(', ')}`, default: knownUsages.join(',') },
  { name: 'print-join-command', boolean: true, help: 'print the `kubesvc agent` command that joins a node with the token' },
  ...kubeconfigFlags,
  { name: 'help', boolean: true, help: 'show this help' },
];
const otherFlags: FlagSpec[] = [...kubeconfigFlags, { name: 'help', boolean: true, help: 'show this help' }];

export const tokenUsage = `Usage: kubesvc token <create|list|delete> [flags]

Manages join tokens: the credential a node's \`kubesvc agent --token\` joins the cluster with
(a bootstrap token, \`<6-char id>.<16-char secret>\`, kept as a Secret of type
${bootstrapTokenSecretType} in ${bootstrapTokenNamespace}, as kubeadm does).

  kubesvc token create [TOKEN] [--ttl 24h] [--description TEXT] [--print-join-command]
      creates a token (a random one unless TOKEN is given) and prints it
  kubesvc token list
      lists the tokens with their time to live, usages and groups
  kubesvc token delete TOKEN|ID [...]
      deletes tokens; a node that already joined keeps its own certificate

create flags:
${flagHelp(createFlags)}

list and delete flags:
${flagHelp(otherFlags)}
`;

const idPattern = /^[a-z0-9]{6}$/;

function clientFrom(values: Map<string, string>): { client: Client & { close(): void }; kubeconfig: string } {
  const kubeconfig = resolveKubeconfig(values.get('kubeconfig'), values.get('data-dir'));
  return { client: openClusterClient(kubeconfig), kubeconfig };
}

function splitList(text: string): string[] {
  return text.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

async function create(argv: string[]): Promise<number> {
  const f = parseFlags(argv, createFlags);
  if (f.bools.has('help')) {
    process.stdout.write(tokenUsage);
    return 0;
  }
  if (f.positional.length > 1) throw new UsageError('token create takes at most one argument, the token');
  let token: BootstrapToken;
  if (f.positional.length) {
    const given = parseBootstrapToken(f.positional[0]!);
    if (!given) throw new UsageError(`the bootstrap token ${JSON.stringify(f.positional[0])} was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
    token = given;
  } else token = generateBootstrapToken();
  const ttlSeconds = Math.floor(durationFlag(f.values, 'ttl', '24h') / 1000);
  const groups = splitList(f.values.get('groups') ?? defaultNodeTokenGroup);
  for (const g of groups) {
    if (!validBootstrapGroup(g)) throw new UsageError(`--groups: ${JSON.stringify(g)} is not a valid bootstrap group: it must start with system:bootstrappers: and hold only a-z, 0-9, ':' and '-'`);
  }
  const usages = splitList(f.values.get('usages') ?? knownUsages.join(','));
  for (const u of usages) {
    if (!(knownUsages as readonly string[]).includes(u)) throw new UsageError(`--usages: unknown usage ${JSON.stringify(u)}; valid ones are ${knownUsages.join(', ')}`);
  }
  if (groups.length && !usages.includes('authentication')) throw new UsageError('--groups needs the authentication usage: a token that cannot authenticate has no groups');
  const { client, kubeconfig } = clientFrom(f.values);
  try {
    const description = f.values.get('description');
    await client.create(R.secrets, bootstrapTokenNamespace, bootstrapTokenSecret(token, { ttlSeconds, usages, groups, ...(description ? { description } : {}) }));
  } finally {
    client.close();
  }
  const text = formatBootstrapToken(token);
  if (f.bools.has('print-join-command')) {
    const k = loadKubeconfig(kubeconfig);
    process.stdout.write(`kubesvc agent --server ${k.server} --token ${text} --ca-cert-hash ${caCertHash(k.ca)}\n`);
  }
  else process.stdout.write(`${text}\n`);
  return 0;
}

/** One row of `token list`, or undefined (and a warning) for a Secret that is no valid token. */
function row(s: Secret, now: number): string[] | undefined {
  const id = secretValue(s, tokenIDKey);
  const secret = secretValue(s, tokenSecretKey);
  const token = id !== undefined && secret !== undefined ? parseBootstrapToken(`${id}.${secret}`) : undefined;
  if (!token || s.metadata.name !== bootstrapTokenSecretName(token.id)) {
    process.stderr.write(`kubesvc: skipping ${s.metadata.name}: it does not hold a valid bootstrap token\n`);
    return undefined;
  }
  const at = expiresAt(s);
  const ttl = at === undefined ? '<forever>' : Number.isNaN(at) ? '<invalid>' : at <= now ? '<expired>' : humanDuration(at - now);
  const expires = at === undefined ? '<never>' : Number.isNaN(at) ? '<invalid>' : metaTime(at);
  const usages = Object.keys(s.data ?? {})
    .filter((k) => k.startsWith(usagePrefix) && secretValue(s, k) === 'true')
    .map((k) => k.slice(usagePrefix.length))
    .sort();
  return [formatBootstrapToken(token), ttl, expires, usages.join(',') || '<none>', secretValue(s, descriptionKey) || '<none>', secretValue(s, extraGroupsKey) || '<none>'];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

async function list(argv: string[]): Promise<number> {
  const f = parseFlags(argv, otherFlags);
  if (f.bools.has('help')) {
    process.stdout.write(tokenUsage);
    return 0;
  }
  if (f.positional.length) throw new UsageError('token list takes no arguments');
  const { client } = clientFrom(f.values);
  let secrets: Secret[];
  try {
    secrets = (await client.list<Secret>(R.secrets, bootstrapTokenNamespace, { fieldSelector: `type=${bootstrapTokenSecretType}` })).items;
  } finally {
    client.close();
  }
  const now = Date.now();
  const rows = secrets.map((s) => row(s, now)).filter((r): r is string[] => r !== undefined);
  process.stdout.write(table([['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'], ...rows]));
  return 0;
}

async function remove(argv: string[]): Promise<number> {
  const f = parseFlags(argv, otherFlags);
  if (f.bools.has('help')) {
    process.stdout.write(tokenUsage);
    return 0;
  }
  if (!f.positional.length) throw new UsageError('token delete needs the token or token id to delete');
  const ids = f.positional.map((a) => {
    const id = parseBootstrapToken(a)?.id ?? (idPattern.test(a) ? a : undefined);
    if (!id) throw new UsageError(`given token didn't match pattern "^([a-z0-9]{6})$" or "^([a-z0-9]{6})\\.([a-z0-9]{16})$": ${JSON.stringify(a)}`);
    return id;
  });
  const { client } = clientFrom(f.values);
  let failed = 0;
  try {
    for (const id of ids) {
      try {
        await client.delete(R.secrets, bootstrapTokenNamespace, bootstrapTokenSecretName(id));
        process.stdout.write(`bootstrap token "${id}" deleted\n`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        process.stderr.write(`kubesvc: bootstrap token "${id}" not found\n`);
        failed++;
      }
    }
  } finally {
    client.close();
  }
  return failed ? 1 : 0;
}

export async function tokenCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest);
    case 'list':
      return list(rest);
    case 'delete':
      return remove(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(tokenUsage);
      return 0;
    default:
      throw new UsageError(`unknown token command ${JSON.stringify(sub)}: use create, list or delete`);
  }
}
