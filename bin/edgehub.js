#!/usr/bin/env node
// Entry point of the `edgehub` command.
// In a source checkout the TypeScript sources run directly through tsx's loader (no build step, never stale);
// in the container image only the compiled `dist/` is shipped, and it runs as plain JavaScript.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../cli/edgehub.ts', import.meta.url));
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
} else {
  cli = await import(new URL('../dist/cli/edgehub.js', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
