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
    name: 'routes',
    summary: 'check the routes of a manifest, or evaluate route cases (JSON lines)',
    load: () => import('./routes.js'),
  },
];
