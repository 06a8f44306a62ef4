// One applied change as the messages every watcher of the user gets. Pure. The event bodies
// come from the webhooks' one builder (eventBody), so a watch event is a webhook body byte for
// byte. An applied change with no effect to publish (a login again on a device already online)
// still moves the user's version: watchers get a fresh snapshot instead, so the version they
// see advances by one per applied change and a jump means a message was lost.
import { snapshot as toSnapshot } from "../presence";
import type { AccountId, AppId, Effect, PresenceState } from "../presence/types";
import { eventBody, eventsFor, type ChangeSource } from "../webhooks/events";
import { eventMessage, snapshotMessage } from "./messages";

export interface AppliedChange {
  readonly app: AppId;
  readonly account: AccountId;
  readonly seq: number;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly effects: readonly Effect[];
  /** The user right after the change. */
  readonly state: PresenceState;
  readonly source: ChangeSource;
}

export function changeMessages(change: AppliedChange): string[] {
  const snapshot = toSnapshot(change.app, change.account, change.state);
  const events = eventsFor([{ ...change, audience: [] }], null);
  if (events.length === 0) return [snapshotMessage(JSON.stringify(snapshot))];
  return events.map((event) => eventMessage(eventBody(event, snapshot)));
}
