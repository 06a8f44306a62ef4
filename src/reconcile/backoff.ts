// After a failed verification (HTTP error, FAIL, a non-zero ErrorCode, a timeout, a bad
// key), the same accounts are asked again 1 min, 5 min and 30 min later; after that the
// reconciler lets them go and the users' own alarms ask again at the normal interval.
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000] as const;

/** Delay before retry number `failures` (1 = after the first failure), or null: give up for now. */
export function retryDelay(failures: number): number | null {
  return failures >= 1 && failures <= RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[failures - 1]! : null;
}
