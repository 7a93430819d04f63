/** A subcommand of `edgehub`: its name, one line of help, and an entry that returns the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Loaded on demand, so `edgehub routes …` never loads the hub or the Kubernetes client. */
  readonly load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

/** An error the user caused (bad flag, missing file): printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
