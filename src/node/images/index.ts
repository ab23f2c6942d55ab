import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { programArgs, type ImageConfig } from './entrypoint.js';
import { imageRepository } from './reference.js';
import { agnhostPauseArgv, pauseArgv, pauseShell } from './pause/native.js';

export { UnsupportedCommandError } from './entrypoint.js';
export {
  DNS_SEARCH_ENV,
  DNS_SERVER_ENV,
  candidateNames,
  dnsConfigFromEnv,
  podDNSEnv,
  resolveHost,
  type PodDNSConfig,
} from './lib/resolve.js';

// The images kubesvc runs without a container runtime: each is a Node program under dist/ that
// the node agent starts as a separate process (`node <entry> ...args(command, args)`), with in its
// environment POD_IP (in loopback mode the address to bind and to connect from; with
// KUBESVC_POD_NETWORK=netns the pod has its own namespace and binds 0.0.0.0), HOSTNAME (the pod
// name, which the programs answer as their hostname) and, for cluster DNS, podDNSEnv(servers, search).

export interface BuiltinImage {
  /** absolute path of the compiled JS entry (under dist/) */
  entry: string;
  /** Node.js flags the pod's process runs with (before the entry). */
  nodeFlags: string[];
  /** argv to pass after the entry, from the container's command and args, as the image's ENTRYPOINT/CMD would combine them */
  args(command: string[] | undefined, args: string[] | undefined): string[];
  /** for kubectl describe: the image's notion of entrypoint */
  description: string;
  /**
   * Set when these arguments run a program other than Node (a shell script where a whole Node
   * process would only wait for a signal): the file to exec and its argv. Undefined: run the entry.
   */
  native?(args: string[]): { file: string; argv: string[] } | undefined;
}

interface Known {
  repositories: string[];
  /** entry file, relative to this module */
  program: string;
  /** Test images that serve little: run small (smallFootprint) rather than fast. */
  small?: boolean;
  config: ImageConfig;
  native?: BuiltinImage['native'];
}

const KNOWN: Known[] = [
  {
    repositories: ['kubesvc.io/ingress'],
    program: './ingress/main.js',
    // The built-in ingress controller (`up` runs it in kube-system): see ingress/main.ts.
    config: { entrypoint: ['/kubesvc-ingress'], cmd: [], binaries: ['kubesvc-ingress'] },
  },
  {
    repositories: ['gcr.io/k8s-staging-gateway-api/echo-basic', 'registry.k8s.io/gateway-api/echo-basic'],
    program: './echo-basic/main.js',
    small: true,
    // The Gateway API conformance suite's echo server: see echo-basic/main.ts.
    config: { entrypoint: ['/echo-basic'], cmd: [], binaries: ['echo-basic'] },
  },
  {
    repositories: [
      'registry.k8s.io/e2e-test-images/agnhost',
      'k8s.gcr.io/e2e-test-images/agnhost',
      'e2e-test-images/agnhost',
      'gcr.io/kubernetes-e2e-test-images/agnhost',
    ],
    program: './agnhost/main.js',
    small: true,
    // agnhost-2 is a symlink upstream ships for the entrypoint-tester tests.
    config: { entrypoint: ['/agnhost'], cmd: ['pause'], binaries: ['agnhost', 'agnhost-2'] },
    native: (args) => (args.length === 1 && args[0] === 'pause' ? { file: pauseShell, argv: agnhostPauseArgv() } : undefined),
  },
  {
    repositories: [
      'registry.k8s.io/serve_hostname',
      'k8s.gcr.io/serve_hostname',
      'gcr.io/google_containers/serve_hostname',
      'gcr.io/google-containers/serve_hostname',
    ],
    program: './serve-hostname/main.js',
    small: true,
    config: { entrypoint: ['/serve_hostname'], cmd: [], binaries: ['serve_hostname'] },
  },
  {
    repositories: [
      'registry.k8s.io/pause',
      'k8s.gcr.io/pause',
      'gcr.io/google_containers/pause',
      'gcr.io/google-containers/pause',
    ],
    program: './pause/main.js',
    config: { entrypoint: ['/pause'], cmd: [], binaries: ['pause'] },
    native: (args) => ({ file: pauseShell, argv: pauseArgv(args) }),
  },
];

function describe(config: ImageConfig): string {
  const ep = `ENTRYPOINT ${JSON.stringify(config.entrypoint)}`;
  return config.cmd.length > 0 ? `${ep} CMD ${JSON.stringify(config.cmd)}` : ep;
}

/**
 * Where the compiled image programs are. Relative to this module in the tsc output
 * (dist/src/node/images/); the bundled CLI (dist/bundle/) finds them from the package root.
 */
function programsDir(): URL {
  const here = new URL('.', import.meta.url);
  if (here.pathname.endsWith('/node/images/')) return here;
  return new URL('../src/node/images/', here);
}

/**
 * A program's one-file build (dist/images/<name>.js, scripts/bundle.mjs) when there is one: a pod
 * then loads one small file, not its module graph. The tsc output otherwise (a build without the
 * bundle step).
 */
const entries = new Map<string, string>();
function entryOf(program: string): string {
  let entry = entries.get(program);
  if (entry === undefined) {
    const name = program.replace(/^\.\//, '').replace(/\/main\.js$/, '');
    const bundled = fileURLToPath(new URL(`../../../images/${name}.js`, programsDir()));
    entry = existsSync(bundled) ? bundled : fileURLToPath(new URL(program, programsDir()));
    entries.set(program, entry);
  }
  return entry;
}

/**
 * V8 settings for the small test images: a 1 MiB young generation (instead of up to 16 MiB, which
 * an HTTP server under load fills), and no background GC or compiler threads. Measured on agnhost
 * netexec under wrk (bench/README.md): private memory 19 -> 13 MiB at the same requests/s. The
 * ingress controller keeps V8's defaults: it is built for throughput.
 */
export const smallFootprint = ['--max-semi-space-size=1', '--single-threaded-gc', '--v8-pool-size=0'];

export function builtinImage(image: string): BuiltinImage | undefined {
  const repo = imageRepository(image);
  const known = KNOWN.find((k) => k.repositories.includes(repo));
  if (!known) return undefined;
  return {
    entry: entryOf(known.program),
    nodeFlags: known.small ? smallFootprint : [],
    args: (command, args) => programArgs(image, known.config, command, args),
    description: describe(known.config),
    ...(known.native ? { native: known.native } : {}),
  };
}
