// Golden files: compare output with a checked-in file; `UPDATE_GOLDEN=1 npm test -- agent/` rewrites them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const updatingGolden = process.env.UPDATE_GOLDEN === '1';

/** `regenerate`: the command the failure messages name to write the file (UPDATE_GOLDEN=1 always does too). */
export function assertGolden(file: URL, actual: string, regenerate = 'UPDATE_GOLDEN=1 npm test -- agent/'): void {
  const path = fileURLToPath(file);
  if (updatingGolden) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `${path} is missing; run ${regenerate} to create it`);
  const expected = readFileSync(path, 'utf8');
  assert.equal(actual, expected, `${path} differs; if the change is intended, run ${regenerate}`);
}
