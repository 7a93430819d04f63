// Making files unwritable even for root (tests run as root in CI, and root ignores permission bits): the
// immutable attribute, where the file system has one. Where it has none, the test is skipped, saying why.
import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** Sets `chattr +i` on `paths` and returns the undo, or skips `t` (returning undefined) when that fails. */
export function makeImmutable(t: TestContext, paths: readonly string[], purpose: string): (() => void) | undefined {
  try {
    execFileSync('chattr', ['+i', ...paths], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`chattr +i is not available here (${(err as Error).message.split('\n')[0]}); ${purpose}`);
    return undefined;
  }
  return () => execFileSync('chattr', ['-i', ...paths]);
}
