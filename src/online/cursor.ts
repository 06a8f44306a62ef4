// The cursor of GET /online/users (SPEC §12): where the next page of a walk over the shards
// starts, handed to the client as opaque base64url text of
// `{"v":1,"app","n","status","platform","shard","after"}`.
//
// It carries the app, the shard count and the filters it was made for, so that a cursor is only
// used for the listing it came from: a cursor of another app, of an index with another shard
// count (ONLINE_INDEX_SHARDS changed: the walk's positions mean nothing there) or of other filters
// would silently skip or repeat users, so it is refused as foreign. Not signed: a client that
// forges one only moves its own walk; the position is checked as any input is.
import * as z from "zod/mini";
import { base64ToBytes, bytesToBase64 } from "../lib/base64";
import { validAccount } from "../presence/account";
import { PLATFORMS, type AccountId, type AppId, type Platform } from "../presence/types";
import { MAX_SHARDS } from "./shard";
import type { ShardPosition } from "./walk";

export const STATUS_FILTERS = ["online", "disconnected", "any"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface ListFilter {
  readonly status: StatusFilter;
  /** Only users with this platform online; null: any. */
  readonly platform: Platform | null;
}

/** What a cursor must match to be used: the listing of this request. */
export interface Listing extends ListFilter {
  readonly app: AppId;
  readonly shards: number;
}

/** A valid cursor is well under this (the account, JSON-escaped, is the most of it). */
export const MAX_CURSOR_CHARS = 2048;

export type CursorCheck =
  | { readonly ok: true; readonly position: ShardPosition }
  | { readonly ok: false; readonly reason: "malformed" | "foreign"; readonly message: string };

const cursorSchema = z.strictObject({
  v: z.literal(1),
  app: z.string(),
  n: z.int().check(z.gte(1), z.lte(MAX_SHARDS)),
  status: z.enum(STATUS_FILTERS),
  platform: z.nullable(z.enum(PLATFORMS)),
  shard: z.int().check(z.gte(0)),
  after: z.nullable(z.string().check(z.refine(validAccount))),
});

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const toBase64Url = (bytes: Uint8Array) =>
  bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The cursor text of `position` in `listing`. */
export function encodeCursor(listing: Listing, position: ShardPosition): string {
  const json = JSON.stringify({
    v: 1,
    app: listing.app,
    n: listing.shards,
    status: listing.status,
    platform: listing.platform,
    shard: position.shard,
    after: position.after,
  });
  return toBase64Url(encoder.encode(json));
}

const MALFORMED = {
  ok: false,
  reason: "malformed",
  message:
    "cursor is malformed: pass the cursor of the previous page exactly as it was returned, or start again without cursor",
} as const;

function parse(text: string): unknown {
  if (text.length === 0 || text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = base64ToBytes(text.replace(/-/g, "+").replace(/_/g, "/"));
  if (bytes === null) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/** The position a cursor text holds, if it is one of ours and made for `listing`. Never throws. */
export function decodeCursor(text: string, listing: Listing): CursorCheck {
  const parsed = cursorSchema.safeParse(parse(text));
  if (!parsed.success) return MALFORMED;
  const c = parsed.data;
  if (c.shard >= c.n) return MALFORMED;
  // What the cursor was made for, where it differs from this request.
  const madeFor: string[] = [];
  if (c.app !== listing.app) madeFor.push("another app");
  if (c.n !== listing.shards) madeFor.push("another shard count: ONLINE_INDEX_SHARDS has changed since");
  if (c.status !== listing.status) madeFor.push(`status=${c.status}`);
  if (c.platform !== listing.platform)
    madeFor.push(c.platform === null ? "no platform filter" : `platform=${c.platform}`);
  if (madeFor.length > 0) {
    return {
      ok: false,
      reason: "foreign",
      message:
        `cursor was made for another listing (${madeFor.join("; ")}): repeat the request with the filters ` +
        "it was made for, or start again without cursor",
    };
  }
  return { ok: true, position: { shard: c.shard, after: c.after as AccountId | null } };
}
