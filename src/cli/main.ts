// The `kubesvc` command.
import { up, upUsage, apiserverUsage } from './up.js';
import { proxyCommand, proxyUsage } from './proxy-rules.js';
import { down, downUsage } from './down.js';
import { tokenCommand, tokenUsage } from './token.js';
import { agent, agentUsage } from './agent.js';
import { server, serverUsage } from './server.js';
import { uiCommand, uiUsage } from './ui.js';
import { UsageError } from './flags.js';
import { logger } from '../util/log.js';
import { kubernetesVersion } from '../apiserver/discovery.js';

const log = logger('kubesvc');

const usage = `kubesvc — Kubernetes Service networking on one machine or several, no Docker, no VM.

Usage: kubesvc <command> [flags]

Commands:
  up        start a one-node cluster in the foreground and write its kubeconfig
  apiserver start the API server alone (the other components run elsewhere)
  server    run a control-plane machine (API server, controllers, scheduler, DNS) on a shared datastore
  proxy     print or trace the rules kube-proxy programs for the running cluster
  ui        print the live view's address with a 10-minute login for a running cluster
  down      remove every network namespace, link and route kubesvc created (netns mode)
  agent     run one node (node agent and kube-proxy) joined to a cluster with a token
  token     create, list and delete join tokens (bootstrap tokens, as kubeadm token)
  version   print kubesvc's version and the Kubernetes API version it serves
  help      show this help, or \`kubesvc help <command>\`

Run \`kubesvc <command> --help\` for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      if (rest[0] === 'up') process.stdout.write(upUsage);
      else if (rest[0] === 'apiserver') process.stdout.write(apiserverUsage);
      else if (rest[0] === 'proxy') process.stdout.write(proxyUsage);
      else if (rest[0] === 'down') process.stdout.write(downUsage);
      else if (rest[0] === 'token') process.stdout.write(tokenUsage);
      else if (rest[0] === 'agent') process.stdout.write(agentUsage);
      else if (rest[0] === 'server') process.stdout.write(serverUsage);
      else if (rest[0] === 'ui') process.stdout.write(uiUsage);
      else process.stdout.write(usage);
      return 0;
    case 'up':
      return up(rest);
    case 'apiserver':
      return up(rest, 'apiserver');
    case 'proxy':
      return proxyCommand(rest);
    case 'down':
      return down(rest);
    case 'token':
      return tokenCommand(rest);
    case 'agent':
      return agent(rest);
    case 'server':
      return server(rest);
    case 'ui':
      return uiCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write(`kubesvc 0.1.0 (Kubernetes API ${kubernetesVersion.gitVersion})\n`);
      return 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}; run \`kubesvc help\` for the list`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`kubesvc: ${e.message}\n`);
      process.exit(2);
    }
    log.error('kubesvc failed', e);
    process.exit(1);
  },
);
