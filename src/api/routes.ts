// Every endpoint of the Worker, one row each: the one table. It mounts the router (with each
// path's 405 and its Allow, src/api/router.ts), generates openapi.json (src/openapi/document.ts)
// and drives the routing test. A row names its handler, the request schemas the handler
// validates with and the shape of its answer. Adding an endpoint: one file in api/ exporting
// its handler and schemas, and one row here.
import * as z from "zod/mini";
import { callbackQuery } from "../ingest/callback-query-schema";
import { stateChangeBody } from "../tencent/callback-schema";
import { deleteUser } from "./delete-user";
import { getDeliveries, redeliver } from "./deliveries";
import { getConfig } from "./get-config";
import { eventsQuery, getEvents } from "./get-events";
import { getReconcile, reconcileStatsResponse } from "./get-reconcile";
import { getOnline } from "./get-online";
import { getOnlineHistory, onlineHistoryQuery } from "./get-online-history";
import { getOnlineUsers, onlineUsersQuery } from "./get-online-users";
import { getUser } from "./get-user";
import { healthz } from "./healthz";
import { kickResponse, postKick } from "./post-kick";
import { postReconcile, reconcileRequest } from "./post-reconcile";
import { batchBody, queryPresence } from "./query-presence";
import {
  configSummarySchema,
  deliverySchema,
  historyEntrySchema,
  onlineCountsSchema,
  onlineHistorySchema,
  onlineUsersSchema,
  snapshotSchema,
  tencentReplySchema,
} from "./schemas";
import {
  tencentQueryMethodNotAllowed,
  tencentQueryOnlineStatus,
  tencentQueryOnlineStatusBody,
  tencentQueryOnlineStatusQuery,
  tencentQueryOnlineStatusResponse,
} from "./tencent-query-online-status";
import { watch, watchQuery } from "./watch";
import { createWatchToken, watchTokenRequest, watchTokenResponse } from "./watch-tokens";

/**
 * - bearer: `Authorization: Bearer` with one of API_TOKENS (the /v1 default);
 * - bearer-or-watch-token: that, or `?token=` with a watch token (browsers' WebSockets);
 * - callback: Tencent's `Sign` in the query; answers in Tencent's callback envelope;
 * - usersig: Tencent's REST auth (sdkappid, identifier, usersig); every answer, refusals
 *   too, is HTTP 200 in Tencent's REST envelope;
 * - none.
 */
export type Auth = "bearer" | "bearer-or-watch-token" | "callback" | "usersig" | "none";

/**
 * An endpoint's handler. Under /v1/apps/{app} with bearer auth it gets the request after the
 * bearer check and the app (src/api/context.ts: ApiRequest), and with {account} in its path
 * after the account check too (AccountRequest); other handlers check what they need themselves.
 */
export type Handler = (request: any, env: Env) => Response | Promise<Response>;

export interface Route {
  readonly method: "get" | "post" | "put" | "delete";
  /** OpenAPI path: `{app}` and `{account}` become path parameters. */
  readonly path: string;
  readonly summary: string;
  /** Default: "bearer" under /v1, "none" elsewhere. */
  readonly auth?: Auth;
  /** A zod object whose keys are the query parameters. */
  readonly query?: z.ZodMiniObject;
  readonly body?: z.ZodMiniType;
  /** The success answer's body; omitted for 204. */
  readonly ok?: z.ZodMiniType;
  /** Default 200 (204 without `ok`); 101 for a protocol switch. */
  readonly status?: number;
  /** What the success answer is, when not plain JSON (e.g. a WebSocket upgrade). */
  readonly okDescription?: string;
  /** Answers beyond the usual ones of its kind of route: status → when. */
  readonly errors?: Readonly<Record<number, string>>;
  /** Longer text, Markdown. */
  readonly description?: string;
  /** None only for the callback: src/index.ts hands it to its route before the router (the hot path). */
  readonly handler?: Handler;
  /** The 405 of this path when it is not the API's JSON error (Tencent's endpoint answers in its envelope). */
  readonly notAllowed?: (request: Request, allow: string) => Response;
}

const list = (key: string, item: z.ZodMiniType) => z.object({ [key]: z.array(item) });
const verified = z.object({ account: z.string(), corrected: z.boolean(), snapshot: snapshotSchema });
const indexOff = { 409: "The who-is-online index is off (ONLINE_INDEX=off)" };

// One row per line, like a table: prettier would fold them.
// prettier-ignore
export const ROUTES: readonly Route[] = [
  { method: "post", path: "/callback", summary: "Tencent IM State.StateChange callback", auth: "callback", query: callbackQuery, body: stateChangeBody, ok: tencentReplySchema },
  { method: "get", path: "/healthz", summary: "Configuration check (no auth)", ok: z.object({ ok: z.boolean(), error: z.optional(z.string()) }), handler: healthz },
  { method: "get", path: "/v1/config", summary: "What this deployment is configured to do (never a secret)", ok: configSummarySchema, handler: getConfig },
  { method: "get", path: "/v1/apps/{app}/users/{account}", summary: "One user's presence", ok: snapshotSchema, handler: getUser },
  { method: "delete", path: "/v1/apps/{app}/users/{account}", summary: "Erase a user's state, history, pending deliveries and who-is-online entry", errors: { 503: "The user's who-is-online shard did not answer: nothing was erased, try again" }, handler: deleteUser },
  { method: "get", path: "/v1/apps/{app}/users/{account}/events", summary: "A user's history, newest first", query: eventsQuery, ok: list("events", historyEntrySchema), handler: getEvents },
  { method: "get", path: "/v1/apps/{app}/users/{account}/deliveries", summary: "Pending and dead-lettered webhook deliveries", ok: list("deliveries", deliverySchema), handler: getDeliveries },
  { method: "post", path: "/v1/apps/{app}/users/{account}/deliveries/redeliver", summary: "Requeue the dead letters", ok: z.object({ requeued: z.int() }), handler: redeliver },
  { method: "post", path: "/v1/apps/{app}/users/{account}/kick", summary: "Kick a user through Tencent's REST API, then verify it with Tencent (docs/API.md)", ok: kickResponse, errors: { 409: "The app has no secret key (IM_SECRET_KEY)", 502: "Tencent refused the kick or did not answer (`errorCode`: Tencent's, or null): nothing was changed" }, description: "Calls Tencent's `v4/im_open_login_svc/kick`, then `query_online_status` for the user, the answer applied as any reconcile answer; both calls count against RECONCILE_MAX_RPS. Once Tencent has kicked the answer is 200: `verified: false` (with the snapshot presence-edge holds and a `message`) when the query right after failed.", handler: postKick },
  { method: "post", path: "/v1/apps/{app}/presence/query", summary: "Up to 500 users at once, in request order", body: batchBody, ok: list("results", snapshotSchema), handler: queryPresence },
  { method: "get", path: "/v1/apps/{app}/watch", summary: "Live presence: a WebSocket, or Server-Sent Events", auth: "bearer-or-watch-token", query: watchQuery, status: 101, okDescription: "Switching to a WebSocket (`Upgrade: websocket`); with `Accept: text/event-stream` and `?accounts=a,b` and/or `?counts=1` (the app's live counts), 200 and an SSE stream. Messages in docs/WATCH.md.", errors: { 403: "A watch token for another app, accounts outside its scope, or `?counts=1` with a watch token minted without `counts`", 409: "`?counts=1` with the who-is-online index off (ONLINE_INDEX=off)", 426: "Neither a WebSocket upgrade nor an SSE request" }, handler: watch },
  { method: "post", path: "/v1/apps/{app}/watch-tokens", summary: "A short-lived watch token for browsers' WebSockets", body: watchTokenRequest, ok: watchTokenResponse, handler: createWatchToken },
  { method: "get", path: "/v1/apps/{app}/online", summary: "How many users are online and disconnected, per platform too (docs/ONLINE.md)", ok: onlineCountsSchema, errors: indexOff, handler: getOnline },
  { method: "get", path: "/v1/apps/{app}/online/users", summary: "Who is online: a page of users, in shard and account order, with a cursor", query: onlineUsersQuery, ok: onlineUsersSchema, errors: { ...indexOff, 400: "A bad parameter, or a malformed or foreign cursor: the message says which and how to fix it" }, handler: getOnlineUsers },
  { method: "get", path: "/v1/apps/{app}/online/history", summary: "Users online over time, per minute, hour or day (online at the end, peak, min)", query: onlineHistoryQuery, ok: onlineHistorySchema, errors: { ...indexOff, 400: "A bad parameter, or from–to spans more than 1 500 points" }, handler: getOnlineHistory },
  { method: "get", path: "/v1/apps/{app}/reconcile", summary: "Reconcile stats of the app (docs/RECONCILE.md)", ok: reconcileStatsResponse, handler: getReconcile },
  { method: "post", path: "/v1/apps/{app}/reconcile", summary: "Verify accounts with Tencent now; corrections applied", body: reconcileRequest, ok: list("results", verified), errors: { 409: "The app has no secret key (IM_SECRET_KEY)", 502: "Tencent did not answer: nothing was changed" }, handler: postReconcile },
  { method: "post", path: "/v4/openim/query_online_status", summary: "Tencent's query_online_status, answered from presence-edge's store (docs/TENCENT.md)", auth: "usersig", query: tencentQueryOnlineStatusQuery, body: tencentQueryOnlineStatusBody, ok: tencentQueryOnlineStatusResponse, okDescription: "Tencent's answer; refusals too, with ActionStatus FAIL and Tencent's ErrorCode", handler: tencentQueryOnlineStatus, notAllowed: tencentQueryMethodNotAllowed },
];
