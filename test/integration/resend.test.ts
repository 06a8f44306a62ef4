// A request Tencent (or anything between) sends twice: the same URL — RequestTime, Sign,
// OptPlatform, ClientIP — and the same body bytes, within the signature window, is a duplicate,
// even when the body has no EventTime (the receive time would make the copy look new).
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { callbackUrl, stateChangeBody } from "../support/callback";
import { stubFor, uniqueAccount } from "../support/storage";

const post = (url: string, body: string) =>
  exports.default.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

async function outcomes(account: string): Promise<string[]> {
  const res = await apiFetch(`${userPath(account)}/events`);
  return ((await res.json()) as { events: { outcome: string }[] }).events.map((e) => e.outcome).reverse();
}

describe("a re-sent request", () => {
  it("without EventTime is a duplicate: one version, one row written", async () => {
    const account = uniqueAccount();
    const url = await callbackUrl();
    const body = JSON.stringify(stateChangeBody({ account, action: "Login" }));
    expect((await post(url, body)).status).toBe(200);
    const before = await runInDurableObject(stubFor(account), (i: UserPresence) => i.storageUsage());
    expect((await post(url, body)).status).toBe(200);
    const after = await runInDurableObject(stubFor(account), (i: UserPresence) => i.storageUsage());
    expect((await getSnapshot(account)).version).toBe(1);
    expect(await outcomes(account)).toEqual(["applied", "duplicate"]);
    expect(after.rowsWritten - before.rowsWritten).toBe(1);
  });

  it("is recognised after the object was evicted", async () => {
    const account = uniqueAccount();
    const url = await callbackUrl();
    const body = JSON.stringify(stateChangeBody({ account, action: "Login" }));
    await post(url, body);
    await evictDurableObject(stubFor(account));
    await post(url, body);
    expect(await outcomes(account)).toEqual(["applied", "duplicate"]);
  });

  it("a replayed old Login after a Logout does not bring the user back online", async () => {
    const account = uniqueAccount();
    const loginUrl = await callbackUrl();
    const login = JSON.stringify(stateChangeBody({ account, action: "Login" }));
    await post(loginUrl, login);
    await post(await callbackUrl(), JSON.stringify(stateChangeBody({ account, action: "Logout" })));
    expect((await getSnapshot(account)).status).toBe("offline");
    await post(loginUrl, login);
    expect((await getSnapshot(account)).status).toBe("offline");
    expect(await outcomes(account)).toEqual(["applied", "applied", "duplicate"]);
  });

  it("another body or another query under the same Sign is a different request", async () => {
    const account = uniqueAccount();
    const url = await callbackUrl();
    await post(url, JSON.stringify(stateChangeBody({ account, action: "Login" })));
    await post(
      url.replace("OptPlatform=IOS", "OptPlatform=Android"),
      JSON.stringify(stateChangeBody({ account, action: "Login" })),
    );
    await post(url, JSON.stringify(stateChangeBody({ account, action: "Login", reason: "register" })));
    expect(await outcomes(account)).toEqual(["applied", "applied", "applied"]);
  });
});
