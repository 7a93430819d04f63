// `--hub-build`: the hub compiled to JavaScript (tsc -p tsconfig.build.json) into the work folder, run as the
// container image runs it, without tsx's loader (which adds about 30 MB of resident memory and a loader
// thread to a hub run from source).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Compiles the hub into `dir`; returns the path of the compiled CLI. Throws when nothing was emitted. */
export function buildHub(dir: string): string {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const cli = join(dir, 'dist', 'cli', 'edgehub.js');
  if (!existsSync(cli)) throw new Error(`the hub did not compile:\n${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  // The compiled CLI reads ../package.json (its version) and resolves packages from node_modules.
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'dist', 'package.json'));
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return cli;
}
