// GET /v1/apps/{app}/watch: live presence of chosen users (docs/WATCH.md).
// - `Upgrade: websocket`: a WebSocket; the client subscribes and unsubscribes with messages.
// - `Accept: text/event-stream` and `?accounts=a,b` and/or `?counts=1`: a Server-Sent Events
//   stream of those accounts and the app's counts (the same messages), for curl and EventSource.
// Auth: the bearer API token, or `?token=` with a watch token (a browser cannot put an
// Authorization header on a WebSocket). Each connection gets its own WatchHub.
import type { IRequest } from "itty-router";
import * as z from "zod/mini";
import { loadConfig, type Config } from "../config";
import { HUB_OPEN_HEADER, type HubOpen } from "../watch/hub-open";
import { validate } from "../lib/validation";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import type { AccountId, AppId } from "../presence/types";
import { MAX_WATCHED } from "../watch/messages";
import { COUNTS_FORBIDDEN } from "../watch/subscribe-gate";
import { bearerCredential, keyFingerprint, watchTokenCredential } from "../watch/credential";
import { verifyWatchToken, type WatchClaims } from "../watch/token";
import { bearerToken, requireBearer } from "./auth";
import { indexOff } from "./online-index";
import { parseApp } from "./params";
import { apiError } from "./responses";

/** SSE: `?counts=1` watches the app's counts too (WebSocket clients subscribe with a message). */
const countsQuery = z.object({
  counts: z.optional(z.enum(["1", "true", "0", "false"], "must be 1 (watch the app's counts) or 0 (do not)")),
});

/** The query parameters, for the OpenAPI document (accounts are parsed from the raw query). */
export const watchQuery = z.object({
  token: z.optional(z.string()),
  accounts: z.optional(z.string()),
  counts: countsQuery.shape.counts,
});

const sseAccounts = z.object({
  accounts: z
    .array(z.string().check(z.refine(validAccount, ACCOUNT_RULE)))
    .check(z.maxLength(MAX_WATCHED, `must hold at most ${MAX_WATCHED} accounts`)),
});

type Credentials =
  { ok: true; claims: WatchClaims | null; key: string; credential: string } | { ok: false; response: Response };

async function authenticate(request: Request, url: URL, config: Config): Promise<Credentials> {
  const bearer = bearerToken(request);
  if (bearer !== null) {
    const denied = await requireBearer(request, config);
    if (denied !== null) return { ok: false, response: denied };
    const key = await keyFingerprint(bearer);
    return { ok: true, claims: null, key, credential: bearerCredential(key) };
  }
  const token = url.searchParams.get("token");
  if (token === null) {
    const message =
      "missing credentials: send Authorization: Bearer <API token>, or ?token=<watch token> from POST /v1/apps/{app}/watch-tokens";
    const challenge = { "WWW-Authenticate": 'Bearer realm="presence-edge"' };
    return { ok: false, response: apiError(401, "unauthorized", message, challenge) };
  }
  const check = await verifyWatchToken(config.apiTokens, token, Date.now());
  if (!check.ok) return { ok: false, response: apiError(401, "unauthorized", check.message) };
  return { ok: true, claims: check.claims, key: check.key, credential: await watchTokenCredential(token) };
}

/** `?accounts=a,b`: split on literal commas, then decoded, so an id may hold an encoded comma. */
function accountsParam(url: URL): { ok: true; accounts: string[] } | { ok: false; message: string } {
  for (const part of url.search.slice(1).split("&")) {
    const eq = part.indexOf("=");
    if ((eq < 0 ? part : part.slice(0, eq)) !== "accounts") continue;
    const raw = eq < 0 ? "" : part.slice(eq + 1);
    const accounts: string[] = [];
    for (const [i, piece] of raw.split(",").entries()) {
      try {
        accounts.push(decodeURIComponent(piece.replace(/\+/g, " ")));
      } catch {
        return { ok: false, message: `accounts.${i}: not valid URL encoding` };
      }
    }
    return { ok: true, accounts: raw === "" ? [] : accounts };
  }
  return { ok: true, accounts: [] };
}

export async function watch(request: IRequest, env: Env): Promise<Response> {
  const config = loadConfig(env);
  const url = new URL(request.url);
  const credentials = await authenticate(request, url, config);
  if (!credentials.ok) return credentials.response;
  const app = parseApp(request.params["app"], config);
  if (!app.ok) return app.response;
  const claims = credentials.claims;
  if (claims !== null && claims.app !== app.value) {
    return apiError(403, "forbidden", "watch token is for another app: mint one with this app's watch-tokens endpoint");
  }
  const websocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  const sse = !websocket && (request.headers.get("accept") ?? "").toLowerCase().includes("text/event-stream");
  if (!websocket && !sse) {
    return apiError(
      426,
      "upgrade_required",
      "open a WebSocket (Upgrade: websocket), or send Accept: text/event-stream with ?accounts=alice,bob",
      { Upgrade: "websocket" },
    );
  }
  const open: HubOpen = {
    mode: websocket ? "websocket" : "sse",
    app: app.value as AppId,
    expiresAt: claims?.expiresAt ?? null,
    scope: claims?.accounts ?? null,
    key: credentials.key,
    credential: credentials.credential,
    countsAllowed: claims === null || claims.counts,
  };
  if (sse) {
    const raw = accountsParam(url);
    if (!raw.ok) return apiError(400, "bad_request", raw.message);
    const countsParam = validate(countsQuery, { counts: url.searchParams.get("counts") ?? undefined }, "counts");
    if (!countsParam.ok) return apiError(400, "bad_request", countsParam.message);
    const counts = countsParam.data.counts === "1" || countsParam.data.counts === "true";
    if (raw.accounts.length === 0 && !counts) {
      return apiError(
        400,
        "bad_request",
        "accounts: list at least one account (?accounts=alice,bob), or ask for the app's counts (?counts=1)",
      );
    }
    if (counts && !open.countsAllowed) return apiError(403, "forbidden", COUNTS_FORBIDDEN);
    if (counts && indexOff(config) !== null) return indexOff(config)!;
    const parsed = validate(sseAccounts, { accounts: raw.accounts }, "accounts");
    if (!parsed.ok) return apiError(400, "bad_request", parsed.message);
    const accounts = parsed.data.accounts as AccountId[];
    const scope = open.scope === null ? null : new Set(open.scope);
    const outside = scope === null ? -1 : accounts.findIndex((account) => !scope.has(account));
    if (outside >= 0) {
      return apiError(403, "forbidden", `accounts.${outside}: not in this watch token's scope`);
    }
    Object.assign(open, { accounts, counts });
  }
  const hub = env.WATCH_HUB.get(env.WATCH_HUB.newUniqueId());
  const headers: Record<string, string> = { [HUB_OPEN_HEADER]: JSON.stringify(open) };
  if (websocket) headers["upgrade"] = "websocket";
  return hub.fetch("https://watch-hub/open", { headers });
}
