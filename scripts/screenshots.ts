// `npm run screenshots`: the console's pages as PNG files in docs/images/, for the README and
// docs/CONSOLE.md. Runs the Worker locally (wrangler dev, fresh storage), sends a short
// signed scenario, and photographs each page in Debian's Chromium once it shows the data.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "./lib/chromium.ts";
import { readCommandLine } from "./lib/cli.ts";
import { ROOT, startLocalWorker, startTencentStandin } from "./lib/local-worker.ts";
import { startSubscriber } from "./lib/status-subscriber.ts";
import { sendCallback, type StateEvent } from "./lib/tencent-client.ts";

readCommandLine({
  name: "npm run screenshots",
  usage: `usage: npm run screenshots

Remakes the console's pictures in docs/images/: runs the Worker (wrangler dev, fresh storage,
ports 8824-8826), sends a short scenario and photographs each page in Debian's Chromium
(apt-get install chromium; CHROMIUM_PATH names another).`,
  options: {},
});

const PORT = 8824;
const OUT = join(ROOT, "docs/images");
const SECRET = "whsec_ZGVtby1zdWJzY3JpYmVyLXNlY3JldC0wMTIzNDU2Nzg5";

const subscriber = await startSubscriber(8825, 410); // Gone: every delivery is a dead letter to redeliver
const standin = await startTencentStandin({ port: 8826 });
const worker = await startLocalWorker({
  port: PORT,
  vars: {
    WEBHOOK_SUBSCRIBERS: JSON.stringify([{ id: "crm", url: subscriber.url, secret: SECRET }]),
    IM_REST_BASE_URL: standin.url,
    RECONCILE_AFTER_SECONDS: "0",
  },
});
const browser = await launchChromium({ width: 1280, height: 900 });

async function send(event: StateEvent) {
  const r = await sendCallback({ url: worker.url, app: "1400000000", token: "demo-callback-token" }, event);
  if (r.status !== 200) throw new Error(`callback answered ${r.status} ${r.body}`);
}

async function until(what: string, condition: () => Promise<boolean>) {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling interval
  }
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/images/${name}.png`);
}

try {
  mkdirSync(OUT, { recursive: true });
  const now = Date.now();
  const min = 60_000;
  const at = (m: number, e: Omit<StateEvent, "eventTime" | "account">) =>
    send({ account: "alice", eventTime: now - m * min, ...e });
  await at(50, { action: "Login", platform: "Windows", clientIp: "198.51.100.4" });
  await at(40, { action: "Login", platform: "IOS", kicked: ["Windows"] });
  await at(30, { action: "Disconnect", platform: "IOS", reason: "TimeOut" });
  await at(45, { action: "Logout", platform: "Windows" }); // arrives late: stale
  await at(25, { action: "Login", platform: "IOS" });
  await at(20, { action: "Login", platform: "Web", clientIp: "192.0.2.80" });
  await at(15, { action: "CustomStatusChange", platform: "Web", customStatus: "in a meeting" });
  await at(8, { action: "Logout", platform: "Web" });
  const team = Array.from({ length: 48 }, (_, i) => `agent-${String(i + 1).padStart(3, "0")}`);
  for (const [i, account] of team.entries()) {
    if (i % 5 === 4) continue; // never seen: unknown
    await send({ account, action: "Login", platform: i % 2 ? "Android" : "IOS", eventTime: now - 10 * min });
    if (i % 3 === 1)
      await send({ account, action: "Disconnect", platform: i % 2 ? "Android" : "IOS", eventTime: now - 5 * min });
    if (i % 7 === 3)
      await send({ account, action: "Logout", platform: i % 2 ? "Android" : "IOS", eventTime: now - 2 * min });
  }

  const page = await browser.context.newPage();
  await page.goto(`${worker.url}/console/`);
  await page.getByLabel("API token").waitFor();
  await shoot(page, "console-sign-in");

  await page.getByLabel("API token").fill("demo-api-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Account (UserID)").fill("alice");
  await page.getByRole("button", { name: "Look up" }).click();
  await until("alice's dead letters", async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("#user-h").waitFor();
    return (await page.locator("table.deliveries tr.dead").count()) > 0;
  });
  await page.locator(".timeline .mark.act-Disconnect").hover();
  await shoot(page, "console-user");

  await page.getByRole("link", { name: "Live grid" }).click();
  await page.getByLabel(/Accounts to watch/).fill(["alice", ...team].join("\n"));
  await page.getByRole("button", { name: "Watch" }).click();
  await until(
    "the grid",
    async () => (await page.locator(".tile.pending").count()) === 0 && (await page.locator(".tile").count()) > 0,
  );
  await page.locator(".conn.up").waitFor();
  await shoot(page, "console-grid");

  await page.getByRole("link", { name: "Online", exact: true }).click();
  await page.getByRole("heading", { name: "Online", exact: true }).waitFor();
  await until(
    "the Online page",
    async () =>
      (await page.locator("table.online-users tbody tr").count()) > 0 &&
      (await page.locator(".counts-chart circle.pt").count()) > 0 &&
      (await page.locator(".conn.up").count()) > 0,
  );
  await shoot(page, "console-online");

  await page.getByRole("link", { name: "Configuration" }).click();
  await page.getByRole("heading", { name: "Apps" }).waitFor();
  await shoot(page, "console-config");

  // A ghost: agent-001's Logout never arrived; Tencent knows she is offline.
  await fetch(`${standin.url}/truth/1400000000/agent-001`, {
    method: "PUT",
    body: '{"platforms":{"iOS":"Offline"}}',
  });
  await fetch(`${standin.url}/truth/1400000000/agent-003`, {
    method: "PUT",
    body: '{"platforms":{"iOS":"Online"}}',
  });
  await page.getByRole("link", { name: "Reconcile" }).click();
  await page.getByRole("heading", { name: "Stats" }).waitFor();
  await page.getByLabel(/Accounts to verify/).fill("agent-001\nagent-003");
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.locator("ul.results li").first().waitFor();
  await until("the stats", async () =>
    /Corrections\s*1 user corrected/.test((await page.locator("main .facts").first().textContent()) ?? ""),
  );
  await shoot(page, "console-reconcile");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${worker.url}/console/#/user/alice`);
  await page.locator(".timeline .mark").first().waitFor();
  await shoot(page, "console-user-390");
} finally {
  await browser.close();
  await worker.stop();
  await subscriber.close();
  await standin.stop();
}
