// Methods on every route of the route table (src/api/routes.ts): HEAD works wherever GET does (load balancers
// probe with HEAD); another method on an existing route is a 405 that lists the allowed ones.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apiFetch, userPath } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { callbackUrl } from "../support/callback";
import { allowOf, routed } from "../../src/api/router";
import { ROUTES as TABLE } from "../../src/api/routes";

// Every path of the route table, with its parameters filled in; the table gives each its Allow.
const ROUTES = [...new Set(TABLE.filter((r) => r.handler !== undefined).map((r) => r.path))].map((path) => ({
  name: path,
  path: path.replace("{app}", TEST_APP).replace("{account}", "route-user"),
  allow: allowOf(TABLE, path),
  /** Answers a wrong method in its own envelope (Tencent's endpoint), not the API's JSON error. */
  ownEnvelope: TABLE.some((r) => r.path === path && r.notAllowed !== undefined),
}));
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

it("the table lists the routes this test expects (the derived Allow is not vacuous)", () => {
  const allow = Object.fromEntries(ROUTES.map((r) => [r.name, r.allow.join(", ")]));
  expect(allow).toMatchObject({
    "/healthz": "GET, HEAD",
    "/v1/apps/{app}/users/{account}": "GET, HEAD, DELETE",
    "/v1/apps/{app}/users/{account}/deliveries/redeliver": "POST",
    "/v1/apps/{app}/users/{account}/kick": "POST",
    "/v1/apps/{app}/reconcile": "GET, HEAD, POST",
    "/v4/openim/query_online_status": "POST",
  });
});

describe("HEAD wherever GET works", () => {
  // Some GETs are not 200 here (reconcile of an app without a secret key is 409, a watch
  // without an upgrade 426): HEAD answers whatever its GET answers.
  it.each(ROUTES.filter((r) => r.allow.includes("GET")))(
    "HEAD $name: the GET's status and headers, no body",
    async ({ path }) => {
      const get = await apiFetch(path);
      const head = await apiFetch(path, { method: "HEAD" });
      expect(head.status).toBe(get.status);
      expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
      expect(await head.text()).toBe("");
    },
  );

  it("HEAD of a watch stream: the stream's status and content type, no body, nothing left open", async () => {
    const res = await apiFetch(`/v1/apps/${TEST_APP}/watch?accounts=route-user`, {
      method: "HEAD",
      headers: { accept: "text/event-stream" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await res.text()).toBe("");
  });

  it("HEAD /healthz needs no token", async () => {
    const res = await exports.default.fetch("https://presence.test/healthz", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("HEAD keeps the GET's errors: an unauthenticated HEAD is 401", async () => {
    const res = await apiFetch(userPath("route-user"), { method: "HEAD" }, null);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await res.text()).toBe("");
  });
});

describe("405 with Allow for another method on an existing route", () => {
  const cases = ROUTES.flatMap((r) => METHODS.filter((m) => !r.allow.includes(m)).map((m) => ({ ...r, method: m })));

  it.each(cases)("$method $name: 405 with Allow", async ({ path, method, allow, ownEnvelope }) => {
    const res = await apiFetch(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow.join(", "));
    const message = { error: "method_not_allowed", message: `use ${allow.join(", ")}` };
    if (method === "HEAD") expect(await res.text()).toBe("");
    else if (!ownEnvelope) expect(await res.json()).toEqual(message);
  });

  it.each(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])("%s /callback: 405, Allow: POST", async (method) => {
    const res = await exports.default.fetch(await callbackUrl(), { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it.each(["GET", "HEAD", "PUT", "DELETE"])("%s on Tencent's query_online_status: 405, Allow: POST", async (method) => {
    const res = await exports.default.fetch("https://presence.test/v4/openim/query_online_status", { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("an unknown path is still a 404", async () => {
    const res = await exports.default.fetch("https://presence.test/nope", { method: "HEAD" });
    expect(res.status).toBe(404);
  });
});

describe("a bad configuration", () => {
  it("the read API's 500 points at /healthz, which names the variable (as the callback's does)", async () => {
    const broken = { ...env, IM_SDKAPPIDS: "" } as Env;
    const res = await routed(new Request(`https://presence.test${userPath("route-user")}`), broken);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: "server_error",
      message: "server configuration is invalid: GET /healthz names the variable and how to fix it",
    });
  });
});

describe("every /v1 answer is neither cached nor sniffed", () => {
  const expectApiHeaders = (res: Response, what: string) => {
    expect(res.headers.get("cache-control"), what).toBe("no-store");
    expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  };

  it("answers of every /v1 path and method: successes, refusals, 404s and 405s", async () => {
    const v1 = ROUTES.filter((r) => r.name.startsWith("/v1/"));
    expect(v1.length).toBeGreaterThan(5);
    for (const { name, path, allow } of v1) {
      for (const method of METHODS) {
        const res = await apiFetch(path, { method });
        expectApiHeaders(res, `${method} ${name} (${allow.includes(method) ? res.status : "405"})`);
        await res.body?.cancel();
        const anonymous = await apiFetch(path, { method }, null);
        expectApiHeaders(anonymous, `${method} ${name} without a token (${anonymous.status})`);
        await anonymous.body?.cancel();
      }
    }
    const body = await apiFetch(`/v1/apps/${TEST_APP}/presence/query`, { method: "POST", body: "{" });
    expect(body.status).toBe(400);
    expectApiHeaders(body, "a malformed body");
    expectApiHeaders(await apiFetch("/v1/nope"), "an unknown /v1 path");
  });

  it("a server error too", async () => {
    const broken = { ...env, IM_SDKAPPIDS: "" } as Env;
    const res = await routed(new Request(`https://presence.test${userPath("route-user")}`), broken);
    expect(res.status).toBe(500);
    expectApiHeaders(res, "a 500");
  });
});
