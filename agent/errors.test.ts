// Every error code the agent can report is documented in agent/README.md, and nothing documented is stale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, kubeError } from './errors.js';

describe('agent errors', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

  it('are all in the README, and the README names no other', () => {
    const codes = Object.values(ERROR_CODES);
    for (const code of codes) assert.ok(readme.includes(`\`${code}\``), `${code} is missing from agent/README.md`);
    const documented = [...readme.matchAll(/`(EH_AGENT_[A-Z_]+)`/g)].map((m) => m[1]);
    for (const code of documented)
      assert.ok((codes as readonly string[]).includes(code!), `${code} is documented but does not exist`);
  });

  it('classify API statuses as retryable or terminal', () => {
    assert.deepEqual(
      [409, 404, 410, 403, 422, 400, 500, 429, 0].map((s) => [s, kubeError(s, 'x').code, kubeError(s, 'x').retryable]),
      [
        [409, 'EH_AGENT_KUBE_CONFLICT', true],
        [404, 'EH_AGENT_KUBE_NOT_FOUND', true],
        [410, 'EH_AGENT_KUBE_GONE', true],
        [403, 'EH_AGENT_KUBE_FORBIDDEN', true],
        [422, 'EH_AGENT_KUBE_INVALID', false],
        [400, 'EH_AGENT_KUBE_INVALID', false],
        [500, 'EH_AGENT_KUBE_UNAVAILABLE', true],
        [429, 'EH_AGENT_KUBE_UNAVAILABLE', true],
        [0, 'EH_AGENT_KUBE_UNAVAILABLE', true],
      ],
    );
  });
});
