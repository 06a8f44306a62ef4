// What a WatchHub remembers of its connection, and where (docs/WATCH.md, "How it works"):
// - the socket's attachment (serializeAttachment: it survives hibernation with the socket and
//   costs no row): the app, the token's expiry, whether the token is scoped, the key and the
//   credential (src/watch/credential.ts), whether it may watch the app's counts, and the snapshot budget (src/watch/snapshot-budget.ts),
//   rewritten at each subscribe;
// - one storage row: the app, the token's scope, the watched accounts (up to 1 000 ids of
//   128 bytes: far more than an attachment holds) and whether it watches the app's counts
//   (SPEC §12), written on subscribe and unsubscribe (and at
//   open for a scoped token), never per change. It outlives the socket: a hub whose client is
//   gone unregisters from the users the row lists (and from the app's counts), then deletes it
//   (a watch leaves nothing).
// Pure: the hub reads and writes them.
import type { AccountId, AppId } from "../presence/types";
import type { HubOpen } from "./hub-open";
import { fullBudget, type Budget } from "./snapshot-budget";

export interface Attachment {
  readonly app: AppId;
  readonly expiresAt: number | null;
  /** The token has a scope, so a row must hold it: without the row, the hub fails closed. */
  readonly scoped: boolean;
  readonly key: string;
  readonly credential: string;
  /** Absent in attachments written before live counts: no. */
  readonly countsAllowed?: boolean;
  readonly budget: Budget;
}

export interface Stored {
  readonly app: AppId;
  readonly scope: AccountId[] | null;
  readonly accounts: AccountId[];
  /** Users this hub may still be registered with though it no longer watches them (a call failed). */
  readonly leftovers?: AccountId[];
  /** Watches the app's counts (registered with its totals object). */
  readonly counts?: boolean;
  /** May still be registered for the counts though it no longer watches them (a call failed). */
  readonly countsLeftover?: boolean;
}

export interface Connection {
  readonly mode: HubOpen["mode"];
  readonly app: AppId;
  readonly expiresAt: number | null;
  readonly key: string;
  readonly credential: string;
  readonly scope: ReadonlySet<AccountId> | null;
  readonly countsAllowed: boolean;
  accounts: ReadonlySet<AccountId>;
  leftovers: ReadonlySet<AccountId>;
  /** Watches the app's counts (true from the moment it asks the totals object). */
  counts: boolean;
  countsLeftover: boolean;
  budget: Budget;
}

export const STORED_KEY = "watch";

export function connectionOf(open: HubOpen, now: number): Connection {
  return {
    mode: open.mode,
    app: open.app,
    expiresAt: open.expiresAt,
    key: open.key,
    credential: open.credential,
    scope: open.scope === null ? null : new Set(open.scope),
    countsAllowed: open.countsAllowed,
    accounts: new Set(),
    leftovers: new Set(),
    counts: false,
    countsLeftover: false,
    budget: fullBudget(now),
  };
}

export function attachmentOf(connection: Connection): Attachment {
  const { app, expiresAt, key, credential, countsAllowed, budget } = connection;
  return { app, expiresAt, scoped: connection.scope !== null, key, credential, countsAllowed, budget };
}

export function storedOf(connection: Connection): Stored {
  const { app, scope, accounts, leftovers, counts, countsLeftover } = connection;
  return {
    app,
    scope: scope && [...scope],
    accounts: [...accounts],
    leftovers: [...leftovers],
    counts,
    countsLeftover,
  };
}

/**
 * A hibernated WebSocket's connection, from its attachment and row. Null when a scoped token's
 * row is missing: its scope is unknown, and an unknown scope is no licence to watch anyone.
 */
export function restore(attachment: Attachment, stored: Stored | undefined): Connection | null {
  const scope = stored?.scope ?? null;
  if (attachment.scoped && scope === null) return null;
  const { app, expiresAt, key, credential, budget } = attachment;
  return {
    mode: "websocket",
    app,
    expiresAt,
    key,
    credential,
    scope: attachment.scoped && scope !== null ? new Set(scope) : null,
    countsAllowed: attachment.countsAllowed ?? false,
    accounts: new Set(stored?.accounts ?? []),
    leftovers: new Set(stored?.leftovers ?? []),
    counts: stored?.counts ?? false,
    countsLeftover: stored?.countsLeftover ?? false,
    budget,
  };
}

/** Whether a closed connection may still be registered with the app's totals object. */
export const countsToRelease = (stored: Stored): boolean => stored.counts === true || stored.countsLeftover === true;

/** Every user a closed connection may still be registered with: what it must release. */
export const toRelease = (stored: Stored): AccountId[] => [
  ...new Set([...stored.accounts, ...(stored.leftovers ?? [])]),
];
