// Tencent's answer for a batch → one observation per account (what the reducer takes), or
// a retry for the accounts Tencent gave no usable answer for.
import type { AccountAnswer } from "../tencent/rest/query-online-status";
import type { AccountId, ConnectionState, EpochMs, Observation, Platform } from "../presence/types";

export interface BatchAnswer {
  readonly observations: Map<AccountId, Observation>;
  /** Asked but not answered (another ErrorList code, or left out): retried like a failed call. */
  readonly unanswered: AccountId[];
}

/**
 * `Online` → online, `PushOnline` → disconnected, `Offline` → offline, per platform from
 * Detail; a platform not listed is offline (the reducer's rule); an account Tencent does not
 * know (70107) is offline everywhere. An account reported online or PushOnline with no
 * Detail cannot be compared platform by platform: it is left as it is (no observation).
 */
export function observationOf(answer: AccountAnswer, at: EpochMs): Observation | null {
  const platforms: Partial<Record<Platform, ConnectionState>> = {};
  for (const [platform, state] of Object.entries(answer.platforms) as [Platform, ConnectionState][]) {
    if (state !== "offline") platforms[platform] = state;
  }
  if (answer.status === "offline") return { at, platforms: {} };
  return Object.keys(platforms).length === 0 ? null : { at, platforms };
}

export function batchAnswer(
  asked: readonly AccountId[],
  results: ReadonlyMap<AccountId, AccountAnswer>,
  missing: readonly AccountId[],
  at: EpochMs,
): BatchAnswer & { readonly unverifiable: AccountId[] } {
  const observations = new Map<AccountId, Observation>();
  const unanswered: AccountId[] = [];
  const unverifiable: AccountId[] = [];
  const notImported = new Set(missing);
  for (const account of asked) {
    const answer = results.get(account);
    if (answer !== undefined) {
      const observation = observationOf(answer, at);
      if (observation === null) unverifiable.push(account);
      else observations.set(account, observation);
    } else if (notImported.has(account)) observations.set(account, { at, platforms: {} });
    else unanswered.push(account);
  }
  return { observations, unanswered, unverifiable };
}
