// `edgehub <command> [args]`: one command line in front of the hub, the agent and the tools.
import { readFileSync } from 'node:fs';
import { UsageError } from './command.js';
import { commands } from './commands.js';

/** The package's package.json: next to cli/ in a checkout, two levels up from dist/cli/ in the image. */
function readPackage(): { version: string } {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string };
    } catch {
      // try the next level
    }
  }
  return { version: 'unknown' };
}

const pkg = readPackage();

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `edgehub ${pkg.version}: an IoT Edge runtime for Kubernetes`,
    '',
    'Usage: edgehub <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `edgehub <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === 'version') {
    console.log(pkg.version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`edgehub: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`edgehub ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
