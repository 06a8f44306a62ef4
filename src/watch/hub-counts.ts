// A watching connection's side of the app's live counts (SPEC §12, docs/WATCH.md): the hub
// registers with the app's totals object (src/durable/online-totals.ts), which answers the
// counts now and then calls deliverCounts on the hub at most once a second while they change.
//
// A push can overtake the answer: the totals object may push to a hub it has just registered
// before the hub has its answer back. Every push is newer than the answer (both are built after
// the registration, the answer in the same step), so a push that arrives first is held and
// sent right after the answer: the client sees the answer, then the newest counts.
import { log } from "../lib/log";
import type { CountsWatchAnswer } from "../online/count-watchers";
import { totalsStub } from "../online/stubs";
import type { AppId } from "../presence/types";
import type { Connection } from "./hub-state";
import { countsMessage } from "./messages";

/** Calls into the app's totals object, by its name under the current configuration. */
export interface TotalsLink {
  watch(app: AppId, hub: string): Promise<CountsWatchAnswer>;
  unwatch(app: AppId, hub: string): Promise<void>;
}

export const totalsLink = (env: Env, shards: number): TotalsLink => ({
  watch: async (app, hub) => await totalsStub(env, app, shards).watchCounts(hub),
  unwatch: async (app, hub) => {
    await totalsStub(env, app, shards).unwatchCounts(hub);
  },
});

/** What the hub must do after a counts subscribe: send these, persist the row, or report an error. */
export interface CountsOutcome {
  readonly messages: readonly string[];
  /** The connection's counts state changed: its row must be written. */
  readonly persist: boolean;
  /** The `unavailable` message, when the counts could not be watched. */
  readonly error: string | null;
}

export class HubCounts {
  /** Set while the hub waits for the totals object's answer: the newest push meanwhile. */
  private pending: { held: string | null } | null = null;

  /**
   * A push from the totals object. The messages to send now; null when this connection does not
   * watch the counts (the totals object drops the hub).
   */
  deliver(connection: Connection | null, json: string): readonly string[] | null {
    if (connection === null || !connection.counts) return null;
    if (this.pending === null) return [json];
    this.pending.held = json;
    return [];
  }

  /** Registers the hub for the counts (again: the client gets the counts at once either way). */
  async subscribe(link: TotalsLink, connection: Connection, hub: string): Promise<CountsOutcome> {
    const was = connection.counts;
    connection.counts = true; // from now on, a push is taken (held until the answer)
    const pending = { held: null as string | null };
    this.pending = pending;
    try {
      const answer = await link.watch(connection.app, hub);
      if (!answer.ok) {
        connection.counts = was;
        return { messages: [], persist: false, error: `could not watch the app's counts: ${answer.message}` };
      }
      const messages = [countsMessage(answer.counts), ...(pending.held === null ? [] : [pending.held])];
      return { messages, persist: !was, error: null };
    } catch (error) {
      log({ msg: "watch counts subscribe failed", error: String(error) });
      connection.counts = was;
      // A call that failed may have registered all the same: released with the rest at the end.
      if (!was) connection.countsLeftover = true;
      return {
        messages: [],
        persist: !was,
        error: "could not watch the app's counts: its totals object did not answer; subscribe to them again later",
      };
    } finally {
      if (this.pending === pending) this.pending = null;
    }
  }

  /** Stops watching the counts: true when the row must be written (something changed). */
  async unsubscribe(link: TotalsLink, connection: Connection, hub: string): Promise<boolean> {
    if (!connection.counts) return false;
    connection.counts = false;
    if (!(await unwatchCounts(link, connection.app, hub))) connection.countsLeftover = true;
    return true;
  }
}

/** Takes the hub off the app's counts; false when the totals object did not answer. */
export async function unwatchCounts(link: TotalsLink, app: AppId, hub: string): Promise<boolean> {
  try {
    await link.unwatch(app, hub);
    return true;
  } catch (error) {
    log({ msg: "watch counts unregister failed", error: String(error) });
    return false;
  }
}
