// The list of subcommands. Each lives in its own file and is imported only when used.
import type { Command } from './command.js';

export const commands: readonly Command[] = [
  {
    name: 'start',
    summary: 'run the hub (embedded default: ./data, sample configuration)',
    load: () => import('./start.js'),
  },
  {
    name: 'connection-string',
    summary: "print a module's connection string from the data folder",
    load: () => import('./connection-string.js'),
  },
  {
    name: 'twin',
    summary: "print a module's twin (desired and reported properties) from the running hub",
    load: () => import('./twin.js'),
  },
  {
    name: 'method',
    summary: 'invoke a direct method on a connected module through the running hub',
    load: () => import('./method.js'),
  },
  {
    name: 'routes',
    summary: 'check the routes of a manifest, or evaluate route cases (JSON lines)',
    load: () => import('./routes.js'),
  },
  {
    name: 'manifest',
    summary: 'validate a deployment manifest, or render the objects the agent would apply',
    load: () => import('./manifest.js'),
  },
  { name: 'agent', summary: 'run the Kubernetes agent (EdgeDeployment controller)', load: () => import('./agent.js') },
  {
    name: 'deploy',
    summary: 'create or update a device namespace and its EdgeDeployment from a manifest',
    load: () => import('./deploy.js'),
  },
  {
    name: 'install',
    summary: 'print the CRD, agent and RBAC for `edgehub install | kubectl apply --server-side -f -`',
    load: () => import('./install.js'),
  },
];
