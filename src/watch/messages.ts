// The watch protocol's messages (docs/WATCH.md): what a client may send, and the text of what
// the server sends. Server messages are built as text around JSON the user's object already
// made (snapshots, webhook event bodies), so nothing is parsed and serialised twice.
import * as z from "zod/mini";
import { validate } from "../lib/validation";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import type { AccountId } from "../presence/types";

/** Accounts one connection may watch at once. */
export const MAX_WATCHED = 1000;
/** A subscribe of 1 000 accounts of 128 bytes, JSON-escaped, fits with room to spare. */
export const MAX_CLIENT_MESSAGE_BYTES = 512 * 1024;

/** Answered by the runtime without waking the hub (setWebSocketAutoResponse). */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

const accounts = z
  .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
  .check(
    z.minLength(1, "must hold at least one account"),
    z.maxLength(MAX_WATCHED, `must hold at most ${MAX_WATCHED} accounts`),
  );

/** The app's live counts (SPEC §12): `true`, or left out. */
const counts = z.literal(true, "must be true (leave it out to leave the counts as they are)");

/** A subscribe or unsubscribe names accounts, the counts, or both. */
const NOTHING_NAMED =
  'name what to watch: "accounts":["alice",…], "counts":true, or both, e.g. {"type":"subscribe","accounts":["alice"]}';
const namesSomething = (m: { accounts?: unknown; counts?: unknown }) => m.accounts !== undefined || m.counts === true;

const change = <T extends "subscribe" | "unsubscribe">(type: T) =>
  z
    .object({ type: z.literal(type), accounts: z.optional(accounts), counts: z.optional(counts) })
    .check(z.refine(namesSomething, NOTHING_NAMED));

export const subscribeMessage = change("subscribe");
export const unsubscribeMessage = change("unsubscribe");
export const clientMessage = z.discriminatedUnion("type", [subscribeMessage, unsubscribeMessage]);

/** A client's subscribe or unsubscribe: `accounts` empty when it names only the counts. */
export type ClientMessage = { type: "subscribe" | "unsubscribe"; accounts: AccountId[]; counts: boolean };

export type WatchErrorCode =
  | "bad_message"
  | "forbidden"
  | "not_configured"
  | "rate_limited"
  | "too_many_accounts"
  | "token_expired"
  | "token_revoked"
  | "unavailable";

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; error: string };

/** Parses one client message; the error names the field and the fix. */
export function parseClientMessage(data: string | ArrayBuffer): Parsed {
  if (typeof data !== "string") return { ok: false, error: "send text frames holding JSON, not binary ones" };
  if (data.length > MAX_CLIENT_MESSAGE_BYTES) {
    return { ok: false, error: `message larger than ${MAX_CLIENT_MESSAGE_BYTES} bytes: send fewer accounts at once` };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: 'message is not JSON: send {"type":"subscribe","accounts":["alice"]}' };
  }
  const parsed = validate(clientMessage, value, "message");
  if (!parsed.ok) {
    const type = (value as { type?: unknown } | null)?.type;
    if (parsed.field === "type" || (typeof type === "string" && type !== "subscribe" && type !== "unsubscribe")) {
      return { ok: false, error: 'type: must be "subscribe" or "unsubscribe"' };
    }
    return { ok: false, error: parsed.message };
  }
  const { type, accounts: named = [], counts: wanted = false } = parsed.data;
  return { ok: true, message: { type, accounts: named as AccountId[], counts: wanted } };
}

/** `{"type":"snapshot","snapshot":…}` around a snapshot's JSON text. */
export const snapshotMessage = (snapshotJson: string): string => `{"type":"snapshot","snapshot":${snapshotJson}}`;

/** `{"type":"counts","counts":…}`: the app's counts as GET /online answers them. */
export const countsMessage = (answer: unknown): string => JSON.stringify({ type: "counts", counts: answer });

/** `{"type":"event","event":…}` around a webhook event body, byte for byte. */
export const eventMessage = (body: string): string => `{"type":"event","event":${body}}`;

export const errorMessage = (error: WatchErrorCode, message: string): string =>
  JSON.stringify({ type: "error", error, message });

/** The `type` of a server message built above, for the SSE `event:` line. */
export function messageType(message: string): string {
  const match = /^\{"type":"([a-z]+)"/.exec(message);
  return match?.[1] ?? "message";
}
