// Methods on every route of src/index.ts: HEAD works wherever GET does (load balancers
// probe with HEAD); another method on an existing route is a 405 that lists the allowed ones.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { apiFetch, userPath } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { callbackUrl } from "../support/callback";

const ROUTES: { name: string; path: string; allow: string[]; noPlainGet?: boolean }[] = [
  { name: "/healthz", path: "/healthz", allow: ["GET", "HEAD"] },
  { name: "/v1/config", path: "/v1/config", allow: ["GET", "HEAD"] },
  { name: "a user", path: userPath("route-user"), allow: ["GET", "HEAD", "DELETE"] },
  { name: "a user's events", path: `${userPath("route-user")}/events`, allow: ["GET", "HEAD"] },
  { name: "a user's deliveries", path: `${userPath("route-user")}/deliveries`, allow: ["GET", "HEAD"] },
  { name: "redeliver", path: `${userPath("route-user")}/deliveries/redeliver`, allow: ["POST"] },
  { name: "the batch query", path: `/v1/apps/${TEST_APP}/presence/query`, allow: ["POST"] },
  { name: "watch tokens", path: `/v1/apps/${TEST_APP}/watch-tokens`, allow: ["POST"] },
  // GET reconcile of an app without a secret key is a 409, so only its 405s are checked here.
  { name: "reconcile", path: `/v1/apps/${TEST_APP}/reconcile`, allow: ["GET", "HEAD", "POST"], noPlainGet: true },
  // GET without an upgrade or an event-stream Accept is a 426, so only its 405s are checked here.
  { name: "watch", path: `/v1/apps/${TEST_APP}/watch`, allow: ["GET", "HEAD"], noPlainGet: true },
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

describe("HEAD wherever GET works", () => {
  it.each(ROUTES.filter((r) => r.allow.includes("GET") && !r.noPlainGet))(
    "HEAD $name: the GET's status and headers, no body",
    async ({ path }) => {
      const get = await apiFetch(path);
      const head = await apiFetch(path, { method: "HEAD" });
      expect(get.status).toBe(200);
      expect(head.status).toBe(200);
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

  it.each(cases)("$method $name: 405 with Allow", async ({ path, method, allow }) => {
    const res = await apiFetch(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow.join(", "));
    const message = { error: "method_not_allowed", message: `use ${allow.join(", ")}` };
    if (method === "HEAD") expect(await res.text()).toBe("");
    else expect(await res.json()).toEqual(message);
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
