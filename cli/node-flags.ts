// The V8 flags the hub runs with where users start it: `npm start` (package.json) and the container image
// (NODE_OPTIONS in the Dockerfile) pass them, and the bench starts the hub with them. node-flags.test.ts
// keeps those places in step with this list. V8 reads them at start-up only, so the hub cannot set them
// itself; started without them (`edgehub start` from a global install) it says so once, at info level.
//
// --max-semi-space-size=8: a young generation of at most 8 MiB per semi-space, where Node 20's V8 grows
// it to 16. Measured with the compiled hub (bench/README, 2026-12-08): RSS with 100,000 queued 4 KB messages
// about 40 MB lower, p99 at 4 KB and 2,000 msg/s about half (shorter scavenges), throughput within noise.
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** A flag's name as V8 reads it: `--max_semi_space_size=4` and `--max-semi-space-size=8` name the same one. */
function flagName(arg: string): string {
  return arg.split('=')[0]!.replace(/_/g, '-');
}

/**
 * The flags of `wanted` this process was started without, looking at its command line and NODE_OPTIONS. A flag
 * given with another value counts as given: that is the operator's choice.
 */
export function missingNodeFlags(
  wanted: readonly string[] = HUB_NODE_FLAGS,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)].map(flagName));
  return wanted.filter((f) => !given.has(flagName(f)));
}
