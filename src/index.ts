// The Worker entry: routes only. Protocol, state and API live in their own folders.
import { Router, type IRequest } from "itty-router";
import { deleteUser } from "./api/delete-user";
import { getDeliveries, redeliver } from "./api/deliveries";
import { withAccount, withApiContext } from "./api/context";
import { getConfig } from "./api/get-config";
import { getEvents } from "./api/get-events";
import { getReconcile } from "./api/get-reconcile";
import { getUser } from "./api/get-user";
import { healthz } from "./api/healthz";
import { postReconcile } from "./api/post-reconcile";
import { queryPresence } from "./api/query-presence";
import { apiError } from "./api/responses";
import { tencentQueryMethodNotAllowed, tencentQueryOnlineStatus } from "./api/tencent-query-online-status";
import { watch } from "./api/watch";
import { createWatchToken } from "./api/watch-tokens";
import { ConfigError } from "./config";
import { handleCallback } from "./ingest/callback-route";
import { log } from "./lib/log";

export { Reconciler } from "./durable/reconciler";
export { UserPresence } from "./durable/user-presence";
export { WatchHub } from "./durable/watch-hub";

type Handler<R extends IRequest> = (request: R, env: Env) => Promise<Response> | Response;
const api = <R extends IRequest>(handler: Handler<R>) => handler as Handler<IRequest>;
const methodNotAllowed = (allow: string) => () => apiError(405, "method_not_allowed", `use ${allow}`, { Allow: allow });

const router = Router<IRequest, [Env]>({
  catch: (error: unknown) => {
    if (error instanceof ConfigError) return apiError(500, "server_error", "server configuration is invalid");
    log({ msg: "api error", error: String(error) });
    return apiError(500, "server_error", "internal error");
  },
});

// HEAD is answered as a GET without its body (see fetch below), so every route that has a
// GET lists HEAD in its Allow header too. /healthz comes first: it needs no configuration.
router
  .get("/healthz", healthz)
  .all("/healthz", methodNotAllowed("GET, HEAD"))
  .get("/v1/config", api(getConfig))
  .all("/v1/config", methodNotAllowed("GET, HEAD"))
  // Before the bearer middleware: a watch also accepts a watch token in the URL.
  .get("/v1/apps/:app/watch", watch)
  .all("/v1/apps/:app/*", withApiContext)
  .all("/v1/apps/:app/watch", methodNotAllowed("GET, HEAD"))
  .get("/v1/apps/:app/users/:account", withAccount, api(getUser))
  .delete("/v1/apps/:app/users/:account", withAccount, api(deleteUser))
  .all("/v1/apps/:app/users/:account", methodNotAllowed("GET, HEAD, DELETE"))
  .get("/v1/apps/:app/users/:account/events", withAccount, api(getEvents))
  .all("/v1/apps/:app/users/:account/events", methodNotAllowed("GET, HEAD"))
  .get("/v1/apps/:app/users/:account/deliveries", withAccount, api(getDeliveries))
  .all("/v1/apps/:app/users/:account/deliveries", methodNotAllowed("GET, HEAD"))
  .post("/v1/apps/:app/users/:account/deliveries/redeliver", withAccount, api(redeliver))
  .all("/v1/apps/:app/users/:account/deliveries/redeliver", methodNotAllowed("POST"))
  .post("/v1/apps/:app/presence/query", api(queryPresence))
  .all("/v1/apps/:app/presence/query", methodNotAllowed("POST"))
  .get("/v1/apps/:app/reconcile", api(getReconcile))
  .post("/v1/apps/:app/reconcile", api(postReconcile))
  .all("/v1/apps/:app/reconcile", methodNotAllowed("GET, HEAD, POST"))
  .post("/v1/apps/:app/watch-tokens", api(createWatchToken))
  .all("/v1/apps/:app/watch-tokens", methodNotAllowed("POST"))
  // Tencent's own REST call, answered the Tencent way (its own auth and envelopes).
  .post("/v4/openim/query_online_status", tencentQueryOnlineStatus)
  .all("/v4/openim/query_online_status", tencentQueryMethodNotAllowed)
  .all("*", () => apiError(404, "not_found", "no such route"));

/** Every route but the callback: the router, and HEAD answered as a GET without its body. */
async function routed(request: Request, env: Env): Promise<Response> {
  if (request.method !== "HEAD") return router.fetch(request, env);
  // Load balancers probe with HEAD: the GET's status and headers, without its body.
  const reply: Response = await router.fetch(new Request(request, { method: "GET" }), env);
  // Nobody reads a HEAD's body: cancelled, a stream (a watch) ends at once on its source's side.
  await reply.body?.cancel();
  return new Response(null, { status: reply.status, statusText: reply.statusText, headers: reply.headers });
}

export default {
  // Not async: the callback, the hot path, goes straight to its handler (no router, no query
  // parsing, no extra promise on the way).
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/callback" || url.pathname === "/callback/") return handleCallback(request, env, url);
    return routed(request, env);
  },
} satisfies ExportedHandler<Env>;
