// `--hub-build`: the hub laid out as the container image has it (Dockerfile): package.json, node_modules, the
// compiled dist/ (tsc -p tsconfig.build.json) and bin/, no TypeScript sources, so bin/edgehub.js runs the
// JavaScript without tsx's loader (which adds about 30 MB of resident memory to a hub run from source).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the image layout in `dir`; returns the path of its bin/edgehub.js. Throws when nothing was emitted. */
export function buildHub(dir: string): string {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (!existsSync(join(dir, 'dist', 'cli', 'edgehub.js'))) {
    throw new Error(`the hub did not compile:\n${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  }
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'edgehub.js'), join(dir, 'bin', 'edgehub.js'));
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'edgehub.js');
}
