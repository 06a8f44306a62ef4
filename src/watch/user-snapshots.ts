// A subscribe's calls to users' objects: each registers the hub with its user and answers the
// user's snapshot, sent through the hub's sequencer as it comes back (a change that overtook
// it waits there), a bounded number at a time. What failed is answered back for the hub to
// report, and to release later if the call may have registered all the same.
import { log } from "../lib/log";
import { forEachLimited } from "../lib/pool";
import type { AccountId } from "../presence/types";
import { presenceStub } from "../user/stub";
import type { Connection } from "./hub-state";
import { snapshotMessage } from "./messages";
import type { Sequencer } from "./sequencer";
import { CONCURRENT_CALLS } from "./unregister";

export interface SnapshotsOutcome {
  /** Accounts not watched: refused by their object, or no answer. */
  readonly failed: readonly AccountId[];
  /** Of those, the ones whose call failed (it may have registered all the same). */
  readonly lost: readonly AccountId[];
  /** A user object's reason for a refusal (its watchers are full). */
  readonly refused: string | null;
}

export interface HubOutput {
  /** False once the client has left: register no more. */
  current(): boolean;
  send(messages: readonly string[]): void;
}

export async function watchUsers(
  env: Env,
  hub: string,
  connection: Connection,
  accounts: readonly AccountId[],
  sequencer: Sequencer,
  out: HubOutput,
): Promise<SnapshotsOutcome> {
  for (const account of accounts) sequencer.begin(account);
  const failed: AccountId[] = [];
  const lost: AccountId[] = [];
  let refused: string | null = null;
  await forEachLimited(accounts, CONCURRENT_CALLS, async (account) => {
    if (!out.current()) return;
    try {
      const user = presenceStub(env, connection.app, account);
      const answer = await user.watch(connection.app, account, hub, connection.credential);
      if (!answer.ok) {
        refused = answer.message;
        failed.push(account);
        sequencer.abandon(account);
        return;
      }
      out.send(sequencer.snapshot(account, answer.seq, snapshotMessage(answer.snapshot)));
    } catch (error) {
      log({ msg: "watch subscribe failed", error: String(error) });
      failed.push(account);
      lost.push(account);
      sequencer.abandon(account);
    }
  });
  return { failed, lost, refused };
}

/**
 * Takes the accounts this subscribe added but could not watch off the connection (a lost call
 * becomes a leftover, released with the rest at the end). True when the row must be written.
 */
export function dropUnwatched(connection: Connection, outcome: SnapshotsOutcome, added: readonly AccountId[]): boolean {
  const dropped = new Set(outcome.failed.filter((account) => added.includes(account)));
  if (dropped.size === 0) return false;
  connection.accounts = new Set([...connection.accounts].filter((account) => !dropped.has(account)));
  connection.leftovers = new Set([...connection.leftovers, ...outcome.lost.filter((account) => dropped.has(account))]);
  return true;
}
