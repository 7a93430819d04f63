// The agent's errors: each has a stable code and says whether retrying the same input can help
// (retryable: the API server was busy, a write raced another) or not (terminal: the input must change).
// Every code is listed in agent/README.md ("Errors"); errors.test.ts keeps the two in step.

export const ERROR_CODES = {
  conflict: 'EH_AGENT_KUBE_CONFLICT',
  unavailable: 'EH_AGENT_KUBE_UNAVAILABLE',
  notFound: 'EH_AGENT_KUBE_NOT_FOUND',
  forbidden: 'EH_AGENT_KUBE_FORBIDDEN',
  invalidObject: 'EH_AGENT_KUBE_INVALID',
  gone: 'EH_AGENT_KUBE_GONE',
  invalidManifest: 'EH_AGENT_MANIFEST_INVALID',
  duplicateDevice: 'EH_AGENT_DUPLICATE_DEVICE',
  invalidPki: 'EH_AGENT_PKI_INVALID',
  internal: 'EH_AGENT_INTERNAL',
} as const;

export type AgentErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly retryable: boolean,
    /** The HTTP status from the API server, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** An error of the Kubernetes API, classified by HTTP status (0: no response at all). */
export function kubeError(status: number, message: string): AgentError {
  if (status === 409) return new AgentError(ERROR_CODES.conflict, message, true, status);
  if (status === 404) return new AgentError(ERROR_CODES.notFound, message, true, status);
  if (status === 410) return new AgentError(ERROR_CODES.gone, message, true, status);
  // Permissions can be fixed without touching the EdgeDeployment, so these are retried (with backoff).
  if (status === 401 || status === 403) return new AgentError(ERROR_CODES.forbidden, message, true, status);
  if (status === 400 || status === 422 || status === 415) {
    return new AgentError(ERROR_CODES.invalidObject, message, false, status);
  }
  return new AgentError(ERROR_CODES.unavailable, message, true, status || undefined);
}

export function isRetryable(err: unknown): boolean {
  return err instanceof AgentError ? err.retryable : true;
}

export function errorCode(err: unknown): AgentErrorCode {
  return err instanceof AgentError ? err.code : ERROR_CODES.internal;
}
