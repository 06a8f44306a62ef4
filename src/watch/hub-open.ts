// How the Worker opens a connection on a new WatchHub: what it checked (app, token) travels as
// JSON in one header of the hub's fetch, the request that becomes the WebSocket or the stream.
import type { AccountId, AppId } from "../presence/types";

export const HUB_OPEN_HEADER = "x-watch-open";

export interface HubOpen {
  readonly mode: "websocket" | "sse";
  readonly app: AppId;
  /** The watch token's expiry (Unix ms); null for an API token. */
  readonly expiresAt: number | null;
  /** The watch token's accounts; null when it has none (or for an API token). */
  readonly scope: readonly AccountId[] | null;
  /** The fingerprint of the API token that authorised the connection (src/watch/credential.ts). */
  readonly key: string;
  /** What users' objects count this connection's share of their watchers by: the token used. */
  readonly credential: string;
  /** May watch the app's counts: the API token, or a watch token minted with `"counts":true`. */
  readonly countsAllowed: boolean;
  /** SSE only: the accounts of the URL. */
  readonly accounts?: readonly AccountId[];
  /** SSE only: `?counts=1`, the app's counts too. */
  readonly counts?: boolean;
}
