// The Worker entry: the callback's fast path, the routed rest, and the exported classes.
// Routes live in one table (src/api/routes.ts).
import { routed } from "./api/router";
import { handleCallback } from "./ingest/callback-route";

export { OnlineShard } from "./durable/online-shard";
export { OnlineTotals } from "./durable/online-totals";
export { Reconciler } from "./durable/reconciler";
export { UserPresence } from "./durable/user-presence";
export { WatchHub } from "./durable/watch-hub";

export default {
  // Not async: the callback, the hot path, goes straight to its handler (no router, no query
  // parsing, no extra promise on the way).
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/callback" || url.pathname === "/callback/") return handleCallback(request, env, url);
    return routed(request, env);
  },
} satisfies ExportedHandler<Env>;
