// The console's Online page in a real browser against the local Worker (SPEC §12): the live
// count equals GET /online's and follows a new Login without a reload (through the watch), the
// chart of counts over time is drawn and keyboard usable, the list's filters work and its links
// open the user, and the page fits 390 px with no accessibility violation axe-core finds.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { launchChromium, type Chromium } from "../../scripts/lib/chromium.ts";
import { startLocalWorker, type LocalWorker } from "../../scripts/lib/local-worker.ts";
import { API_TOKEN, APP, expectNoAxeViolations, openConsole, runNames, sendTo, SLOW } from "./support.ts";

// Its own Worker (fresh storage, so the counts are this file's), on a port of the e2e range the
// console tests and the screenshots do not use.
const WORKER_PORT = 8823;

let worker: LocalWorker;
let browser: Chromium;
const user = runNames();

const callback = (event: Parameters<typeof sendTo>[1]) => sendTo(worker, event);

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${worker.url}/v1/apps/${APP}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

interface Counts {
  online: number;
  disconnected: number;
  platforms: Record<string, number>;
}

async function onlinePage(viewport?: { width: number; height: number }): Promise<Page> {
  const page = await openConsole(browser, worker, viewport);
  await page.getByRole("link", { name: "Online", exact: true }).click();
  await page.getByRole("heading", { name: "Online", exact: true }).waitFor();
  return page;
}

/** The counts the page shows, as numbers. */
const shown = async (page: Page) => ({
  online: Number(await page.locator('[data-count="online"]').textContent()),
  disconnected: Number(await page.locator('[data-count="disconnected"]').textContent()),
});

/** True once the page shows what GET /online says now. */
async function showsApiCounts(page: Page): Promise<boolean> {
  const [api_, page_] = [await api<Counts>("/online"), await shown(page)];
  return api_.online === page_.online && api_.disconnected === page_.disconnected;
}

beforeAll(async () => {
  worker = await startLocalWorker({
    port: WORKER_PORT,
    // No webhook subscriber to fail at, and no staleness checks: only callbacks move the counts.
    vars: { WEBHOOK_SUBSCRIBERS: "[]", RECONCILE_AFTER_SECONDS: "0" },
  });
  browser = await launchChromium();
  await callback({ account: user("ios"), action: "Login", platform: "IOS" });
  await callback({ account: user("android"), action: "Login", platform: "Android" });
  await callback({ account: user("web"), action: "Login", platform: "Web" });
  await callback({ account: user("gone"), action: "Login", platform: "Android" });
  await callback({ account: user("gone"), action: "Disconnect", platform: "Android" });
  // The index takes each callback's change a moment after its 200: every test starts from these.
  await vi.waitFor(async () => {
    const { online, disconnected } = await api<Counts>("/online");
    expect({ online, disconnected }).toEqual({ online: 3, disconnected: 1 });
  }, SLOW);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

describe("the Online page", () => {
  it("shows GET /online's counts, live over the watch: a new Login shows without a reload", async () => {
    const page = await onlinePage();
    await expect.poll(() => showsApiCounts(page), SLOW).toBe(true);
    expect(await shown(page)).toEqual({ online: 3, disconnected: 1 });
    expect(await page.locator('.platform-counts [data-platform="Android"] strong').textContent()).toBe("1");
    await expect.poll(() => page.locator(".conn").textContent(), SLOW).toContain("Live (watch WebSocket)");

    await callback({ account: user("late"), action: "Login", platform: "Mac" });
    await expect.poll(async () => (await shown(page)).online, SLOW).toBe(4);
    expect(await showsApiCounts(page)).toBe(true);
    expect(await page.locator('.platform-counts [data-platform="Mac"] strong').textContent()).toBe("1");
    await page.close();
  });

  it("draws the counts over time as an SVG line with points, usable by keyboard", async () => {
    const page = await onlinePage();
    const chart = page.getByRole("group", { name: /^Users online, last 24 hours, by minute/ });
    await chart.waitFor();
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
    expect(await chart.locator("polyline.line").getAttribute("points")).toMatch(/^\d+(\.\d+)?,\d+(\.\d+)?/);
    expect(await chart.locator("circle.pt").count()).toBeGreaterThanOrEqual(1);

    await chart.focus();
    await page.keyboard.press("End");
    await expect
      .poll(() => page.locator("#counts-point").textContent())
      .toMatch(/\d+ online at the end \(peak \d+, min \d+\)/);
    expect(await chart.locator("circle.pt.active").count()).toBe(1);
    await page.keyboard.press("Escape");
    expect(await chart.locator("circle.pt.active").count()).toBe(0);

    await page.getByLabel("Range").selectOption({ label: "Last 7 days, by hour" });
    await page.getByRole("group", { name: /^Users online, last 7 days, by hour/ }).waitFor();
    await page.getByLabel("Range").selectOption({ label: "Last 90 days, by day" });
    await page.getByRole("group", { name: /^Users online, last 90 days, by day/ }).waitFor();
    await page.close();
  });

  it("lists who is online with status and platform filters; an account links to its user page", async () => {
    const page = await onlinePage();
    const rows = page.locator("table.online-users tbody tr");
    const accounts = () => rows.locator("td:first-child").allTextContents();
    await expect.poll(async () => (await accounts()).length, SLOW).toBeGreaterThanOrEqual(3);
    expect(await accounts()).toEqual(expect.arrayContaining([user("ios"), user("android"), user("web")]));
    expect(await accounts()).not.toContain(user("gone"));

    await page.getByLabel("Status", { exact: true }).selectOption("disconnected");
    await expect.poll(accounts).toEqual([user("gone")]);
    await page.getByLabel("Status", { exact: true }).selectOption("online");
    await page.getByLabel("Platform", { exact: true }).selectOption({ label: "Android online" });
    await expect.poll(accounts).toEqual([user("android")]);

    await page.getByRole("link", { name: user("android") }).click();
    await expect.poll(() => page.locator("#user-h .acct").textContent()).toBe(user("android"));
    expect(page.url()).toContain(`#/user/${user("android")}`);
    await page.close();
  });

  it("marks a bidi override in a listed account id, as everywhere else", async () => {
    const spoof = `${user("spoof")}\u202Eecila`;
    await callback({ account: spoof, action: "Login", platform: "Web" });
    const page = await onlinePage();
    const cell = page.locator("table.online-users .acct", { hasText: user("spoof") });
    await expect.poll(() => cell.locator(".hidden-char").allTextContents(), SLOW).toEqual(["⟨U+202E⟩"]);
    expect(await cell.getAttribute("title")).toBe(`${user("spoof")}⟨U+202E⟩ecila`);
    await page.close();
  });

  it("fits 390 px without horizontal scrolling and has no axe violations, light and dark", async () => {
    const page = await onlinePage({ width: 390, height: 844 });
    await page.locator(".counts-chart svg").waitFor();
    await page.locator("table.online-users").waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await expectNoAxeViolations(page, "online, 390 px");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await expectNoAxeViolations(page, "online, dark");
    await page.close();
  });
});
