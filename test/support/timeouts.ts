// A test must pass while other processes keep every core busy. Most tests take milliseconds and
// keep vitest's 5 s default. The few that send hundreds of requests through workerd (fuzzing,
// concurrency, eviction) take seconds on a quiet machine and several times that on a loaded
// one (measured: up to 45 s with both cores busy); they get this budget, each with a comment
// saying why. A budget, not a sleep: a passing test still ends as soon as it is done.
export const MANY_REQUESTS_MS = 180_000;

/**
 * Live counts reach a watcher through two pushes of at most one a second each (a shard to the
 * app's totals object, the totals object to the hubs, SPEC §12): a test that waits for several
 * changes' counts takes seconds by design, more on a loaded machine.
 */
export const LIVE_COUNTS_MS = 60_000;
