// The operator console in a real browser against the local Worker: sign-in, look-up, the
// timeline, a live change without reload, Redeliver, keyboard use and the 390 px width.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type Chromium } from "../../scripts/lib/chromium.ts";
import { startLocalWorker, startTencentStandin, type LocalWorker } from "../../scripts/lib/local-worker.ts";
import { startSubscriber, type TestSubscriber } from "../../scripts/lib/status-subscriber.ts";
import { API_TOKEN, APP, expectNoAxeViolations, openConsole, runNames, sendTo, SLOW } from "./support.ts";

const WORKER_PORT = 8820;
const SUBSCRIBER_PORT = 8822;
const SECRET = "whsec_ZGVtby1zdWJzY3JpYmVyLXNlY3JldC0wMTIzNDU2Nzg5";
const STANDIN_PORT = 8826;

let worker: LocalWorker;
let standin: { url: string; stop(): Promise<void> };
let browser: Chromium;
let subscriber: TestSubscriber;
const user = runNames();

const callback = (event: Parameters<typeof sendTo>[1]) => sendTo(worker, event);
const signedIn = (viewport?: { width: number; height: number }) => openConsole(browser, worker, viewport);

async function lookUp(page: Page, account: string) {
  await page.getByLabel("Account (UserID)").fill(account);
  await page.getByRole("button", { name: "Look up" }).click();
  await page.getByRole("heading", { name: account }).waitFor();
}

beforeAll(async () => {
  subscriber = await startSubscriber(SUBSCRIBER_PORT, 410);
  standin = await startTencentStandin({ port: STANDIN_PORT });
  worker = await startLocalWorker({
    port: WORKER_PORT,
    vars: {
      WEBHOOK_SUBSCRIBERS: JSON.stringify([{ id: "e2e", url: subscriber.url, secret: SECRET }]),
      IM_REST_BASE_URL: standin.url,
      // No staleness checks during the run: only the test's Verify now asks Tencent.
      RECONCILE_AFTER_SECONDS: "0",
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await subscriber?.close();
  await standin?.stop();
});

describe("static assets", () => {
  it("serves the console with its security headers, /console redirecting to /console/", async () => {
    const redirect = await fetch(`${worker.url}/console`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/console/");
    const page = await fetch(`${worker.url}/console/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("serves the console's favicon, a same-origin SVG its page links to", async () => {
    const html = await (await fetch(`${worker.url}/console/`)).text();
    const href = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml"/.exec(html)?.[1];
    expect(href).toBe("./favicon.svg");
    const icon = await fetch(new URL(href!, `${worker.url}/console/`));
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toContain("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("serves /openapi.json, the generated document, and leaves other paths to the Worker", async () => {
    const res = await fetch(`${worker.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/apps/{app}/presence/query");
    const missing = await fetch(`${worker.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: "no such route" });
  });
});

describe("console", () => {
  it("refuses a wrong token with a clear message and keeps a right one in sessionStorage only", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${worker.url}/console/`);
    await page.getByLabel("API token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#signin-status").textContent()).toContain("refused this token");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(API_TOKEN);
    expect(await page.evaluate(() => localStorage.length + document.cookie.length)).toBe(0);
    await page.close();
  });

  it("looks up a user after signed callbacks: status, platform cards, kicks, one timeline mark per event", async () => {
    const alice = user("alice");
    const t = Date.now() - 60_000;
    await callback({ account: alice, action: "Login", platform: "Windows", eventTime: t });
    await callback({ account: alice, action: "Login", platform: "IOS", kicked: ["Windows"], eventTime: t + 10_000 });
    await callback({ account: alice, action: "Disconnect", platform: "IOS", eventTime: t + 20_000 });
    await callback({ account: alice, action: "Login", platform: "Web", eventTime: t + 30_000 });
    await callback({
      account: alice,
      action: "CustomStatusChange",
      platform: "Web",
      customStatus: "in a meeting",
      eventTime: t + 40_000,
    });
    await callback({ account: alice, action: "Logout", platform: "Windows", eventTime: t - 5_000 }); // stale

    const page = await signedIn();
    await lookUp(page, alice);
    await expect.poll(() => page.locator("#user-h .badge").textContent()).toBe("online");
    expect(await page.locator(".cards .card h3").allTextContents()).toEqual(["Windows", "iOS", "Web"]);
    expect(await page.locator(".facts").first().textContent()).toContain("in a meeting");
    expect(await page.locator(".kicks li").allTextContents()).toEqual([
      expect.stringContaining("Windows kicked by a login on iOS"),
    ]);

    const rows = page.locator("table.events tbody tr");
    expect(await rows.count()).toBe(6);
    expect(await page.locator(".timeline .mark").count()).toBe(6);
    expect(await page.locator(".timeline .mark.stale").count()).toBe(1);
    expect(
      await page.locator(".timeline .lane").evaluateAll((lanes) => lanes.map((l) => l.getAttribute("data-lane"))),
    ).toEqual(["iOS", "Web", "Windows", "custom status"]);
    expect(await page.locator("table.events tbody").textContent()).toContain("stale");

    // Hover shows the event.
    await page.locator(".timeline .mark.act-Disconnect").hover();
    await expect.poll(() => page.locator(".timeline .tip").textContent()).toContain("Disconnect (LinkClose) on iOS");
    await page.close();
  });

  it("updates the user page when the user changes, without reload or Refresh", async () => {
    const frank = user("frank");
    await callback({ account: frank, action: "Login", platform: "Android" });
    const page = await signedIn();
    await lookUp(page, frank);
    expect(await page.locator(".timeline .mark").count()).toBe(1);
    await callback({ account: frank, action: "Disconnect", platform: "Android", reason: "TimeOut" });
    await expect.poll(() => page.locator("#user-h .badge").textContent(), SLOW).toBe("disconnected");
    await expect.poll(() => page.locator(".timeline .mark").count()).toBe(2);
    expect(await page.locator("table.events tbody tr").count()).toBe(2);
    await page.close();
  });

  it("moves through the timeline by keyboard", async () => {
    const bob = user("kbd");
    const t = Date.now() - 30_000;
    await callback({ account: bob, action: "Login", platform: "Android", eventTime: t });
    await callback({ account: bob, action: "Logout", platform: "Android", eventTime: t + 5_000 });
    const page = await signedIn();
    await lookUp(page, bob);
    await page.locator(".timeline .mark[tabindex='0']").focus();
    await expect.poll(() => page.locator(".timeline .tip").textContent()).toContain("Logout");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.locator(".timeline .tip").textContent()).toContain("Login (Register) on Android");
    // Focus follows on the next frame, after the render that makes the mark the tab stop.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-seq"))).toBe("1");
    await page.close();
  });

  it("shows a change in the live grid after a callback, without reload", async () => {
    const watched = [user("grid-a"), user("grid-b"), user("grid-c")];
    await callback({ account: watched[0]!, action: "Login", platform: "Web" });
    const page = await signedIn();
    await page.getByRole("link", { name: "Live grid" }).click();
    await page.getByLabel(/Accounts to watch/).fill(watched.join("\n"));
    await page.getByRole("button", { name: "Watch" }).click();
    const tile = (account: string) => page.locator(`.tile[data-account="${account}"] .st`);
    await expect.poll(() => tile(watched[0]!).textContent(), SLOW).toBe("online");
    expect(await tile(watched[1]!).textContent()).toBe("unknown");
    // The Worker has live watch, so the grid is fed by the watch WebSocket, not by polling.
    await expect.poll(() => page.locator(".conn").textContent()).toContain("Live (watch WebSocket)");

    const loaded = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    await callback({ account: watched[1]!, action: "Login", platform: "Android" });
    await callback({ account: watched[0]!, action: "Disconnect", platform: "Web" });
    await expect.poll(() => tile(watched[1]!).textContent(), SLOW).toBe("online");
    await expect.poll(() => tile(watched[0]!).textContent(), SLOW).toBe("disconnected");
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(loaded);
    await page.close();
  });

  it("falls back to polling the batch query where the Worker has no live watch", async () => {
    const watched = [user("poll-a"), user("poll-b")];
    const page = await signedIn();
    // As a Worker without live watch answers: 404 for the watch-token request.
    await page.route("**/watch-tokens", (route) =>
      route.fulfill({
        status: 404,
        contentType: "application/json",
        body: '{"error":"not_found","message":"no such route"}',
      }),
    );
    await page.getByRole("link", { name: "Live grid" }).click();
    await page.getByLabel(/Accounts to watch/).fill(watched.join(", "));
    await page.getByRole("button", { name: "Watch" }).click();
    await expect.poll(() => page.locator(".conn").textContent(), SLOW).toContain("Live (polling every 3 s)");
    const tile = (account: string) => page.locator(`.tile[data-account="${account}"] .st`);
    expect(await tile(watched[1]!).textContent()).toBe("unknown");
    await callback({ account: watched[1]!, action: "Login", platform: "Mac" });
    await expect.poll(() => tile(watched[1]!).textContent(), SLOW).toBe("online");
    await page.close();
  });

  it("lists a dead letter and redelivers it with the same webhook-id", async () => {
    const carol = user("carol");
    subscriber.status = 410; // Gone: the delivery is dead-lettered at once
    await callback({ account: carol, action: "Login", platform: "IOS" });
    const page = await signedIn();
    await lookUp(page, carol);
    const dead = page.locator("table.deliveries tr.dead");
    // The webhook goes out from the user's alarm, after the callback's reply: refresh until it is dead.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.locator("#user-h").waitFor();
        return dead.count();
      }, SLOW)
      .toBeGreaterThan(0);
    const ids = await page.locator("table.deliveries tr.dead td code").allTextContents();

    subscriber.status = 204;
    await page.getByRole("button", { name: "Redeliver dead letters" }).click();
    await expect.poll(() => page.locator("#deliveries-h ~ p [role=status]").textContent()).toMatch(/Requeued \d+ dead/);
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.locator("#user-h").waitFor();
        return page.locator("table.deliveries tbody tr").count();
      }, SLOW)
      .toBe(0);
    const delivered = subscriber.received.filter((r) => r.status === 204).map((r) => r.id);
    for (const id of ids) expect(delivered).toContain(id);
    await page.close();
  });

  it("fits 390 px without horizontal scrolling on every page", async () => {
    const dana = user("dana");
    await callback({ account: dana, action: "Login", platform: "IOS", kicked: ["Windows", "Android"] });
    await callback({
      account: dana,
      action: "CustomStatusChange",
      platform: "IOS",
      customStatus: "a rather long custom status to wrap",
    });
    const page = await signedIn({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await lookUp(page, dana);
    await page.locator(".timeline .mark").first().waitFor();
    expect(await overflow()).toBe(0);
    for (const name of ["Live grid", "Configuration"]) {
      await page.getByRole("link", { name }).click();
      await page.locator("main h2, main form").first().waitFor();
      expect(await overflow(), name).toBe(0);
    }
    await page.close();
  });

  it("verifies a ghost with Tencent from the user page and shows the reconcile stats", async () => {
    const ghost = user("ghost");
    await callback({ account: ghost, action: "Login", platform: "IOS" });
    // Tencent's truth: the Logout was lost, the user is offline everywhere.
    const truth = await fetch(`${standin.url}/truth/${APP}/${encodeURIComponent(ghost)}`, {
      method: "PUT",
      body: JSON.stringify({ platforms: { iOS: "Offline" } }),
    });
    expect(truth.status).toBeLessThan(300);
    const page = await signedIn();
    await lookUp(page, ghost);
    await expect.poll(() => page.locator("#user-h .badge").textContent()).toBe("online");
    await page.getByRole("button", { name: "Verify now" }).click();
    await expect.poll(() => page.locator("main > p[role=status]").textContent(), SLOW).toContain("1 corrected");
    await expect.poll(() => page.locator("#user-h .badge").textContent()).toBe("offline");
    await page.getByRole("link", { name: "Reconcile" }).click();
    await page.getByRole("heading", { name: "Stats" }).waitFor();
    await expect
      .poll(() => page.locator("main .facts").first().textContent())
      .toMatch(/Corrections\s*1 user corrected/);
    await page.close();
  });

  it("kicks a user who is online in Tencent's truth: a named confirmation, then offline", async () => {
    const mallory = user("mallory");
    await callback({ account: mallory, action: "Login", platform: "IOS" });
    const truthUrl = `${standin.url}/truth/${APP}/${encodeURIComponent(mallory)}`;
    const truthStatus = async () => ((await (await fetch(truthUrl)).json()) as { status: string }).status;
    const put = await fetch(truthUrl, { method: "PUT", body: JSON.stringify({ platforms: { iOS: "Online" } }) });
    expect(put.status).toBeLessThan(300);
    const page = await signedIn();
    await lookUp(page, mallory);
    await expect.poll(() => page.locator("#user-h .badge").textContent()).toBe("online");

    // The confirmation is a labelled modal dialog naming the account; focus starts on Cancel, Escape cancels.
    const kick = page.getByRole("button", { name: "Kick", exact: true });
    const dialog = page.getByRole("dialog", { name: `Kick ${mallory} out of Tencent IM?` });
    await kick.click();
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("cannot be undone");
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(await focused()).toBe("Cancel");
    await expectNoAxeViolations(page, "kick dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await truthStatus()).toBe("online");

    // By keyboard: the button, Tab from Cancel to the kick, Enter.
    await kick.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Tab");
    expect(await focused()).toBe(`Kick ${mallory}`);
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => page.locator("#kick-status").textContent(), SLOW).toContain("Tencent says offline now");
    await expect.poll(() => page.locator("#user-h .badge").textContent()).toBe("offline");
    expect(await truthStatus()).toBe("offline");
    // The refreshed user: the correction is in the events table, from reconcile.
    await expect
      .poll(() => page.locator("table.events tbody tr").first().textContent())
      .toMatch(/Reconcile.*reconcile/s);
    await page.close();
  });

  it("shows Tencent's refusal of a kick with its ErrorCode, and changes nothing", async () => {
    const trent = user("trent");
    await callback({ account: trent, action: "Login", platform: "Android" });
    const page = await signedIn();
    await lookUp(page, trent);
    const fail = await fetch(`${standin.url}/behaviour`, {
      method: "PUT",
      body: JSON.stringify({ failWith: { errorCode: 70500, errorInfo: "stand-in: server error" }, times: 1 }),
    });
    expect(fail.status).toBeLessThan(300);
    await page.getByRole("button", { name: "Kick", exact: true }).click();
    await page
      .getByRole("dialog", { name: `Kick ${trent} out of Tencent IM?` })
      .getByRole("button", { name: `Kick ${trent}` })
      .click();
    await expect
      .poll(() => page.locator("#kick-status").textContent(), SLOW)
      .toMatch(/Kick failed \(Tencent, ErrorCode 70500\): Tencent refused the kick: .*stand-in: server error/);
    expect(await page.locator("#user-h .badge").textContent()).toBe("online");
    await page.close();
  });

  it("offers no Kick where the app has no secret key (the configuration summary says so)", async () => {
    const page = await browser.context.newPage();
    await page.route("**/v1/config", async (route) => {
      const response = await route.fetch();
      const summary = (await response.json()) as { apps: { reconcile: boolean }[] };
      for (const app of summary.apps) app.reconcile = false;
      await route.fulfill({ response, json: summary });
    });
    await page.goto(`${worker.url}/console/`);
    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    await lookUp(page, user("nokey"));
    await page.getByRole("button", { name: "Refresh" }).waitFor();
    expect(await page.getByRole("button", { name: "Kick", exact: true }).count()).toBe(0);
    expect(await page.locator("dialog").count()).toBe(0);
    await page.close();
  });

  it("has no accessibility violations axe-core can find on any page", async () => {
    const erin = user("erin");
    await callback({ account: erin, action: "Login", platform: "IOS", kicked: ["Android"] });
    const page = await signedIn();
    const audit = (name: string) => expectNoAxeViolations(page, name);
    await lookUp(page, erin);
    await page.locator(".timeline .mark").first().waitFor();
    await audit("user");
    await page.emulateMedia({ colorScheme: "dark" });
    await audit("user, dark");
    await page.emulateMedia({ colorScheme: "light" });
    for (const name of ["Live grid", "Configuration"]) {
      await page.getByRole("link", { name }).click();
      await page.locator("main h2, main form").first().waitFor();
      await audit(name);
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    await audit("sign-in");
    await page.close();
  });

  it("names every page in a heading, and shows stats and limits in words with units", async () => {
    const page = await signedIn();
    const heading = () => page.locator("main h2").first().textContent();
    await expect.poll(heading).toBe("Look up a user");
    for (const [link, name] of [
      ["Live grid", /^Live grid$/],
      ["Online", /^Online$/],
      ["Reconcile", /^Reconcile \(app \d+\)$/],
      ["Configuration", /^Configuration$/],
    ] as const) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await expect.poll(heading).toMatch(name);
    }
    const config = (await page.locator("main").textContent()) ?? "";
    for (const key of ["batchAccounts", "eventsPage", "historyPerUser", "callbackBodyBytes"]) {
      expect(config).not.toContain(key);
    }
    expect(config).toMatch(/Largest callback body\s*64 KiB/);
    expect(config).toMatch(/Batch query\s*500 accounts a request/);

    await page.getByRole("link", { name: "Reconcile", exact: true }).click();
    await expect.poll(() => page.locator("main .facts").textContent()).toContain("Accounts verified");
    const reconcile = (await page.locator("main").textContent()) ?? "";
    for (const key of ["staleAfterSeconds", "maxRps", "accountsVerified", "queueLength", "lastRunAt"]) {
      expect(reconcile).not.toContain(key);
    }
    expect(reconcile).toMatch(/Calls to Tencent, at most\s*\d+ a second/);
    expect(reconcile).toMatch(/Waiting to be verified\s*\d+ accounts?/);
    await page.close();
  });

  it("shows every column of the events table at 1280 px, and '… s ago' on one line", async () => {
    const wide = user("wide");
    const t = Date.now() - 60_000;
    await callback({ account: wide, action: "Login", platform: "Windows", eventTime: t, clientIp: "203.0.113.254" });
    await callback({
      account: wide,
      action: "Login",
      platform: "IOS",
      kicked: ["Windows", "Android"],
      clientIp: "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
      eventTime: t + 10_000,
    });
    await callback({ account: wide, action: "Disconnect", platform: "IOS", reason: "TimeOut", eventTime: t + 20_000 });
    await callback({
      account: wide,
      action: "CustomStatusChange",
      platform: "IOS",
      customStatus: "away",
      eventTime: t + 30_000,
    });
    const page = await signedIn({ width: 1280, height: 900 });
    await lookUp(page, wide);
    await expect.poll(() => page.locator("table.events tbody tr").count()).toBe(4);
    const fit = await page.locator("table.events").evaluate((table) => {
      const box = table.parentElement!;
      const right = box.getBoundingClientRect().right;
      const header = (name: string) =>
        [...table.querySelectorAll("th")].find((th) => th.textContent === name)!.getBoundingClientRect().right;
      return {
        overflow: box.scrollWidth - box.clientWidth,
        received: header("received") <= right,
        source: header("source") <= right,
      };
    });
    expect(fit).toEqual({ overflow: 0, received: true, source: true });
    const ago = page.locator(".ago");
    await expect.poll(() => ago.allTextContents()).toContainEqual(expect.stringMatching(/^\d+ (s|min) ago$/));
    const lines = await ago.evaluateAll((all) =>
      all.filter((a) => a.textContent !== "").map((a) => a.getClientRects().length),
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const n of lines) expect(n).toBe(1);
    await page.close();
  });

  it("places the first timeline tooltip at its mark, with no CSP violation (styles through the CSSOM)", async () => {
    const tip = user("tip");
    const t = Date.now() - 40_000;
    await callback({ account: tip, action: "Login", platform: "Android", eventTime: t });
    await callback({ account: tip, action: "Logout", platform: "Android", eventTime: t + 30_000 });
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    // Runs before the page's own scripts; the CSP does not apply to what the test injects.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${worker.url}/console/`);
    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    await lookUp(page, tip);
    const mark = page.locator(".timeline .mark.act-Logout");
    await mark.hover();
    const tooltip = page.locator(".timeline .tip");
    await expect.poll(() => tooltip.textContent()).toContain("Logout");
    const placed = await page.evaluate(() => {
      const box = (s: string) => document.querySelector(s)!.getBoundingClientRect();
      const chart = box(".timeline");
      const mark = box(".timeline .mark.act-Logout");
      const tip = box(".timeline .tip");
      // As timeline.ts places it: 120 px left of the mark, kept inside the chart.
      const expected = Math.max(Math.min(mark.x + mark.width / 2 - chart.x - 120, chart.width - 250), 0);
      return { offset: Math.abs(tip.x - chart.x - expected), left: tip.x - chart.x, below: tip.y > mark.y };
    });
    expect(placed.offset, JSON.stringify(placed)).toBeLessThan(1.5);
    expect(placed.left).toBeGreaterThan(0); // the Logout is at the right end of the chart
    expect(placed.below).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("keeps the live grid's accounts across a reload, still watching them", async () => {
    const watched = [user("keep-a"), user("keep-b")];
    await callback({ account: watched[0]!, action: "Login", platform: "Web" });
    const page = await signedIn();
    await page.getByRole("link", { name: "Live grid" }).click();
    await page.getByLabel(/Accounts to watch/).fill(watched.join("\n"));
    await page.getByRole("button", { name: "Watch" }).click();
    const tile = (account: string) => page.locator(`.tile[data-account="${account}"] .st`);
    await expect.poll(() => tile(watched[0]!).textContent(), SLOW).toBe("online");

    await page.reload();
    await page.getByRole("navigation", { name: "Pages" }).waitFor();
    await expect
      .poll(() => page.locator(".tile").evaluateAll((t) => t.map((e) => e.getAttribute("data-account"))))
      .toEqual(watched);
    await expect.poll(() => tile(watched[0]!).textContent(), SLOW).toBe("online");
    await expect.poll(() => page.locator(".conn").textContent(), SLOW).toContain("Live (watch WebSocket)");
    expect(await page.getByLabel(/Accounts to watch/).inputValue()).toBe(watched.join("\n"));
    await callback({ account: watched[1]!, action: "Login", platform: "Mac" });
    await expect.poll(() => tile(watched[1]!).textContent(), SLOW).toBe("online");
    await page.close();
  });

  it("marks a bidi override in an account id wherever the account is shown", async () => {
    // Shown as it is, this account reads "…alice": U+202E reverses what follows it.
    const spoof = `${user("spoof")}\u202Eecila`;
    await callback({ account: spoof, action: "Login", platform: "IOS" });
    const page = await signedIn();
    await page.getByLabel("Account (UserID)").fill(spoof);
    await page.getByRole("button", { name: "Look up" }).click();
    const heading = page.locator("#user-h .acct");
    await expect.poll(() => heading.locator(".hidden-char").allTextContents()).toEqual(["⟨U+202E⟩"]);
    expect(await heading.getAttribute("title")).toBe(`${user("spoof")}⟨U+202E⟩ecila`);
    expect(await page.getByRole("heading", { name: `${user("spoof")}⟨U+202E⟩ecila` }).count()).toBe(1);
    expect(await page.locator("main").textContent()).not.toContain("\u202E");

    await page.getByRole("link", { name: "Live grid" }).click();
    await page.getByLabel(/Accounts to watch/).fill(spoof);
    await page.getByRole("button", { name: "Watch" }).click();
    const tile = page.locator(".tile .acct");
    await expect.poll(() => tile.locator(".hidden-char").allTextContents()).toEqual(["⟨U+202E⟩"]);
    expect(await tile.getAttribute("title")).toBe(`${user("spoof")}⟨U+202E⟩ecila`);
    expect(await page.locator(".grid").textContent()).not.toContain("\u202E");
    await page.close();
  });

  it("shows the configuration without any secret", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: "Configuration" }).click();
    await page.getByRole("heading", { name: "Apps" }).waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain(APP);
    expect(text).toContain("http://127.0.0.1:8822");
    for (const secret of [API_TOKEN, "demo-callback-token", SECRET, "/webhooks"]) expect(text).not.toContain(secret);
    await page.close();
  });
});
