// The user object's side of the who-is-online index (SPEC §12): after each commit, the user's
// entry goes to its shard when its key (status and online platforms, src/online/entry.ts)
// differs from the key the shard last acknowledged. A concern of the user object
// (src/user/concern.ts), composed by UserPresence like the others.
//
// - Tencent's OK never waits: the send runs in the background (waitUntil), and a duplicate, a
//   stale callback or a change that keeps status and platforms sends nothing at all.
// - One send in flight per user, through one cached stub (calls on one stub arrive in order);
//   a change during a send is sent when it returns, and only the newest: coalescing.
// - Nothing is lost:
//   1. a failed send asks the user's one alarm for a retry with backoff, and the alarm sends
//      again while the shard has not acknowledged the current key;
//   2. a restart between the commit and the send: every history row stores the key acknowledged
//      when it was written (`index_key`, in the row the commit writes anyway: no extra row), or
//      "unsure" while a send was on its way. The shard then holds what that key says or the row's
//      own entry; loading sends the current entry (or a removal) when the two differ. A user
//      stored before the index existed has no key, and joins the index on its next load;
//   3. the shard applies an update only when its seq is newer, so a repeat costs it nothing.
// - Each send says what the shard last acknowledged (priorOf), which lets the shard confirm what
//   its row held with a guarded write instead of returning it (src/online/shard-store.ts).
// - Erasure: the user leaves its shard, awaited, before its storage goes (leave()); if the shard
//   cannot be reached the erasure fails, nothing is deleted, and the caller tries again.
import type { Config } from "../config";
import { log } from "../lib/log";
import type { AccountId, AppId } from "../presence/types";
import type { CommittedChange, UserConcern } from "../user/concern";
import type { LoadedUser } from "../user/history-store";
import { indexEntry, indexKey, mustSend, priorOf, unsureKey, type IndexEntry } from "./entry";
import { shardName, shardOf } from "./shard";
import { shardStub, type ShardStub } from "./stubs";

/** Waits before retry n (1-based) of a failed send; the last one repeats. */
export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 300_000] as const;

export const retryDelay = (failures: number): number =>
  RETRY_DELAYS_MS[Math.min(Math.max(failures, 1), RETRY_DELAYS_MS.length) - 1]!;

/** What the feed needs of the object it lives in. */
export interface FeedHost {
  readonly waitUntil: (work: Promise<unknown>) => void;
  /** Asks for the object's one alarm at `at`, unless it is set earlier (it reads what is set first). */
  readonly requestAlarm: (at: number) => Promise<void>;
}

/** What the shard should hold for the user now. */
interface Target {
  readonly app: AppId;
  readonly account: AccountId;
  readonly entry: IndexEntry | null;
  readonly seq: number;
}

export class OnlineFeed implements UserConcern {
  /** The key the shard last acknowledged (null: never, as far as storage tells). */
  private acked: string | null = null;
  private target: Target | null = null;
  private sending: Promise<void> | null = null;
  private failures = 0;
  /** Bumped by forget(): a send that started before an erasure must not change what comes after. */
  private generation = 0;
  private cached: { readonly name: string; readonly stub: ShardStub } | null = null;
  /** Calls made to the shard by this instance (updates and removals): zero for a change that keeps the key. */
  requests = 0;

  constructor(
    private readonly env: Env,
    private readonly config: Config,
    private readonly host: FeedHost,
  ) {}

  /**
   * The `index_key` of the row being written: the key the shard acknowledged, or, while a send is
   * on its way, "unsure" (the shard may hold either entry when the object restarts now).
   */
  acknowledged(): string | null {
    return this.sending !== null ? unsureKey(this.config.onlineIndexShards) : this.acked;
  }

  /**
   * The user as loading found it (null: nothing stored). The shard holds what its newest row's key
   * says, or that row's own entry if its send went out before a restart: when the two differ, the
   * shard hears of the current entry (a removal too). With the index off the key is carried over
   * as it was, so that turning it on again sends what the shard missed meanwhile.
   */
  loaded(user: LoadedUser | null): void {
    const stored = user?.indexKey ?? null;
    this.acked = stored;
    if (user === null || !this.config.onlineIndex) return;
    this.target = targetOf(user);
    const shards = this.config.onlineIndexShards;
    if (mustSend(shards, this.target.entry, stored)) this.acked = unsureKey(shards);
    // After the current task: a callback that loaded the user commits first, and one send
    // carries its entry rather than two sends the one before it and then its own.
    queueMicrotask(() => this.kick());
  }

  publish(change: CommittedChange): void {
    if (!this.config.onlineIndex) return;
    this.target = targetOf(change.user);
    this.kick();
  }

  /** A retry the alarm was asked for; a failure asks again by itself. */
  async onAlarm(): Promise<number | null> {
    if (!this.config.onlineIndex) return null;
    this.kick();
    await this.drained();
    return null;
  }

  /**
   * Before an erasure: any send in flight is answered, then the user is removed from its shard,
   * awaited. A change committed while the removal was on its way is sent after it: removed again.
   * Throws when the shard cannot be reached (the erasure must not go ahead).
   */
  async leave(user: LoadedUser): Promise<void> {
    if (!this.config.onlineIndex) return;
    for (;;) {
      await this.drained();
      const before = this.requests++;
      await this.stubOf(user).remove(user.account);
      if (this.sending === null && this.requests === before + 1) return;
    }
  }

  forget(): void {
    this.generation++;
    this.acked = null;
    this.target = null;
    this.sending = null;
    this.failures = 0;
  }

  /** True while the shard has not acknowledged the user's current entry (a send failed, or is on its way). */
  get behind(): boolean {
    return this.target !== null && mustSend(this.config.onlineIndexShards, this.target.entry, this.acked);
  }

  /** Resolves once no send is in flight (tests and the bench wait on it). */
  async drained(): Promise<void> {
    while (this.sending !== null) await this.sending;
  }

  private kick(): void {
    if (this.sending !== null || this.target === null) return;
    const target = this.target;
    if (!mustSend(this.config.onlineIndexShards, target.entry, this.acked)) {
      // Nothing for the shard to hear: it holds what the key says (e.g. a user never indexed).
      this.acked = indexKey(this.config.onlineIndexShards, target.entry);
      return;
    }
    const sending = this.send(target, this.generation);
    this.sending = sending;
    this.host.waitUntil(sending);
  }

  /**
   * One call to the shard and what its answer leads to: acknowledged, then the newest target
   * if it changed meanwhile (kick() again); failed, then a retry asked of the alarm. A chain of
   * two callbacks rather than an async loop around the call: in paired CPU profiles the loop cost a
   * transition about 5 % more (docs/PERFORMANCE.md, "With the index").
   */
  private send(target: Target, generation: number): Promise<void> {
    this.requests++;
    const prior = priorOf(this.config.onlineIndexShards, this.acked);
    let call: Promise<void>;
    try {
      call = this.stubOf(target).update(target.account, target.entry, target.seq, prior);
    } catch (error) {
      call = Promise.reject(error);
    }
    return call.then(
      () => {
        // After forget() (an erasure), nothing this send learnt applies to what comes after.
        if (generation !== this.generation) return;
        this.acked = indexKey(this.config.onlineIndexShards, target.entry);
        this.failures = 0;
        this.sending = null;
        this.kick();
      },
      async (error: unknown) => {
        if (generation !== this.generation) return;
        await this.failed(error);
        if (generation === this.generation) this.sending = null;
      },
    );
  }

  private async failed(error: unknown): Promise<void> {
    this.failures++;
    // The call may have arrived before it failed: the shard holds the old entry or the new one.
    this.acked = unsureKey(this.config.onlineIndexShards);
    // A stub whose call failed may stay broken: the next call gets a fresh one.
    this.cached = null;
    log({ msg: "online index update failed", failures: this.failures, error: String(error) });
    try {
      await this.host.requestAlarm(Date.now() + retryDelay(this.failures));
    } catch (alarmError) {
      log({ msg: "online index retry not scheduled", error: String(alarmError) });
    }
  }

  private stubOf(user: { readonly app: AppId; readonly account: AccountId }): ShardStub {
    const shards = this.config.onlineIndexShards;
    const index = shardOf(user.account, shards);
    const name = shardName(user.app, shards, index);
    if (this.cached?.name !== name) this.cached = { name, stub: shardStub(this.env, user.app, shards, index) };
    return this.cached.stub;
  }
}

const targetOf = (user: LoadedUser): Target => ({
  app: user.app,
  account: user.account,
  entry: indexEntry(user.state),
  seq: user.seq,
});
