// GET /v1/config, and the Worker's answers against the schemas openapi.json documents
// (src/openapi/): the document is generated, so here the generated shapes meet the real ones.
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { ROUTES } from "../../src/api/routes";
import { configSummarySchema, deliverySchema, historyEntrySchema, snapshotSchema } from "../../src/api/schemas";
import { apiFetch, userPath } from "../support/api";
import { OTHER_APP, TEST_API_TOKEN, TEST_APP, TEST_BINDINGS, UNSIGNED_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";

describe("GET /v1/config", () => {
  it("needs the bearer token", async () => {
    expect((await apiFetch("/v1/config", {}, null)).status).toBe(401);
    expect((await apiFetch("/v1/config", {}, "wrong")).status).toBe(401);
    expect((await apiFetch("/v1/config", { method: "POST" })).status).toBe(405);
  });

  it("summarises apps, callback authentication and limits, and never holds a secret", async () => {
    const res = await apiFetch("/v1/config");
    expect(res.status).toBe(200);
    const text = await res.text();
    const summary = configSummarySchema.parse(JSON.parse(text));
    expect(summary.apps.map((a) => a.app)).toEqual(TEST_BINDINGS.IM_SDKAPPIDS.split(","));
    const byApp = new Map(summary.apps.map((a) => [a.app, a]));
    expect(byApp.get(TEST_APP)).toMatchObject({ callbackAuth: "signed", callbackTokens: 1 });
    expect(byApp.get(OTHER_APP)).toMatchObject({ callbackAuth: "signed", callbackTokens: 2 });
    expect(byApp.get(UNSIGNED_APP)).toMatchObject({ callbackAuth: "rejected", callbackTokens: 0 });
    expect(summary.limits).toMatchObject({ batchAccounts: 500, historyPerUser: 20 });
    for (const secret of [TEST_API_TOKEN, ...TEST_BINDINGS.API_TOKENS.split(","), TEST_BINDINGS.IM_CALLBACK_TOKEN]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("answers match the documented schemas", () => {
  it("snapshot, events and deliveries", async () => {
    const account = uniqueAccount("contract");
    await sendStateChange({ account, action: "Login", kicked: ["Windows"] });
    await sendStateChange({ account, action: "CustomStatusChange", customStatus: "busy" });
    const get = async (path: string) => (await apiFetch(path)).json<Record<string, unknown>>();
    const snapshot = await get(userPath(account));
    snapshotSchema.parse(snapshot);
    expect(snapshotSchema.safeParse({ ...snapshot, status: "away" }).success).toBe(false); // it can fail
    snapshotSchema.parse(await get(userPath(uniqueAccount("never-seen"))));
    const { events } = (await get(`${userPath(account)}/events`)) as { events: unknown[] };
    expect(events).toHaveLength(2);
    z.array(historyEntrySchema).parse(events);
    z.array(deliverySchema).parse(
      ((await get(`${userPath(account)}/deliveries`)) as { deliveries: unknown[] }).deliveries,
    );
  });

  it("every route of the OpenAPI table exists on the Worker", async () => {
    for (const route of ROUTES) {
      const path = route.path.replace("{app}", TEST_APP).replace("{account}", "contract-route");
      const res = await apiFetch(path, { method: route.method.toUpperCase(), body: route.body ? "{}" : null });
      const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
      expect(body, `${route.method.toUpperCase()} ${route.path}`).not.toEqual({
        error: "not_found",
        message: "no such route",
      });
      expect(res.status, `${route.method.toUpperCase()} ${route.path}`).not.toBe(405);
    }
  });
});
