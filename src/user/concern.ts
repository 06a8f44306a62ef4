// How outbound concerns and deadlines plug into the user object without growing it. The shell
// loads, reduces, commits one row and then asks each concern when it needs the alarm, runs
// each concern's alarm work, and hands each committed change to the concerns that publish.
import type { Effect, PresenceState } from "../presence/types";
import type { EntryToWrite, LoadedUser } from "./history-store";

/** A change that is durably stored (any outcome). */
export interface CommittedChange {
  readonly user: LoadedUser;
  readonly entry: EntryToWrite;
  readonly effects: readonly Effect[];
  readonly state: PresenceState;
}

export interface UserConcern {
  /** After a commit: when this concern needs the alarm (null: no need). `alarmAt` is what is set now. */
  wakeAfterChange?(change: CommittedChange, alarmAt: number | null, now: number): number | null;
  /** In the alarm: does what is due and answers when it next needs the alarm (null: never). */
  onAlarm?(user: LoadedUser, alive: () => boolean): Promise<number | null>;
  /** After a commit, never awaited by the caller: Tencent's OK does not wait on it. */
  publish?(change: CommittedChange): void;
  /** After an erasure: drop whatever was cached about the user. */
  forget?(): void;
}

/** The earlier of two wake times, null meaning "no need". */
export const earliest = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
