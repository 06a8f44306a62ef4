// Mounts the route table (routes.ts) on one itty router: every row's handler behind the guards
// its auth and path call for, then each path's 405 with the Allow the table gives it, then the
// 404. HEAD is answered as a GET without its body, so a path with GET allows HEAD too.
import { Router, type IRequest } from "itty-router";
import { ConfigError } from "../config";
import { log } from "../lib/log";
import { withAccount, withApiContext } from "./context";
import { apiError } from "./responses";
import { ROUTES, type Route } from "./routes";

/** Where bearer routes that name an app live: one guard (auth, then the app) covers them all. */
const APP_ROUTES = "/v1/apps/:app/*";

/** The OpenAPI path as itty spells it: `{app}` → `:app`. */
export const routerPath = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");

/** What a path answers to, in the order of the table; GET brings HEAD. */
export function allowOf(routes: readonly Route[], path: string): string[] {
  const methods = routes.filter((r) => r.path === path).map((r) => r.method.toUpperCase());
  return methods.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
}

/** Bearer routes under /v1/apps/{app} go behind the app guard; the others check for themselves. */
const behindAppGuard = (route: Route) =>
  (route.auth ?? "bearer") === "bearer" && route.path.startsWith("/v1/apps/{app}/");

export function createRouter(routes: readonly Route[] = ROUTES) {
  const router = Router<IRequest, [Env]>({
    catch: (error: unknown) => {
      if (error instanceof ConfigError) {
        return apiError(
          500,
          "server_error",
          "server configuration is invalid: GET /healthz names the variable and how to fix it",
        );
      }
      log({ msg: "api error", error: String(error) });
      return apiError(500, "server_error", "internal error");
    },
  });
  const mount = (route: Route) => {
    if (route.handler === undefined) return; // the callback: served before the router
    const guards = route.path.includes("{account}") ? [withAccount] : [];
    router[route.method](routerPath(route.path), ...guards, route.handler);
  };
  // Routes with their own auth first (a watch also takes a watch token in the URL), then the
  // app guard: under /v1/apps/{app} an unauthenticated caller gets 401 before any 404 or 405,
  // and learns nothing about which apps or paths exist.
  for (const route of routes) if (!behindAppGuard(route)) mount(route);
  router.all(APP_ROUTES, withApiContext);
  for (const route of routes) if (behindAppGuard(route)) mount(route);
  for (const path of new Set(routes.filter((r) => r.handler !== undefined).map((r) => r.path))) {
    const allow = allowOf(routes, path).join(", ");
    const own = routes.find((r) => r.path === path && r.notAllowed !== undefined)?.notAllowed;
    router.all(routerPath(path), (request: IRequest) =>
      own !== undefined ? own(request, allow) : apiError(405, "method_not_allowed", `use ${allow}`, { Allow: allow }),
    );
  }
  router.all("*", () => apiError(404, "not_found", "no such route"));
  return router;
}

const router = createRouter();

/**
 * Every /v1 answer but a WebSocket's (a 101 carries no body, and its headers are the socket's):
 * never stored by a cache (presence is personal and goes stale at once), and never sniffed as
 * anything but the type it says. Set here, once, so no handler or error can miss them.
 */
function apiHeaders(response: Response): Response {
  if (response.status === 101) return response;
  const out = new Response(response.body, response);
  out.headers.set("cache-control", "no-store");
  out.headers.set("x-content-type-options", "nosniff");
  return out;
}

/** Every route but the callback: the router, and HEAD answered as a GET without its body. */
export async function routed(request: Request, env: Env): Promise<Response> {
  const answer = await answered(request, env);
  return new URL(request.url).pathname.startsWith("/v1/") ? apiHeaders(answer) : answer;
}

async function answered(request: Request, env: Env): Promise<Response> {
  if (request.method !== "HEAD") return router.fetch(request, env);
  // Load balancers probe with HEAD: the GET's status and headers, without its body.
  const reply: Response = await router.fetch(new Request(request, { method: "GET" }), env);
  // Nobody reads a HEAD's body: cancelled, a stream (a watch) ends at once on its source's side.
  await reply.body?.cancel();
  return new Response(null, { status: reply.status, statusText: reply.statusText, headers: reply.headers });
}
