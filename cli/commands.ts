// The list of subcommands. Each lives in its own file and is imported only when used.
import type { Command } from './command.js';

export const commands: readonly Command[] = [];
