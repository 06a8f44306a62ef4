// What the browser test files share: the demo app and token, how long a condition that waits on
// the Worker may take, callbacks to a local Worker, signing in to the console, and axe-core.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { Chromium } from "../../scripts/lib/chromium.ts";
import type { LocalWorker } from "../../scripts/lib/local-worker.ts";
import { sendCallback, type StateEvent } from "../../scripts/lib/tencent-client.ts";

const require = createRequire(import.meta.url);

export const APP = "1400000000";
export const API_TOKEN = "demo-api-token";
// Conditions that wait on the Worker's background work (a webhook alarm, the grid's 3 s poll, a
// shard's push of its counts) get this long: on a machine whose two cores are busy, workerd and
// Chromium can each stall for seconds.
export const SLOW = { timeout: 45_000, interval: 250 };

/** Account names distinct per run (every run starts from empty storage), for readable failures. */
export function runNames(): (name: string) => string {
  const run = Date.now().toString(36);
  return (name) => `${name}-${run}`;
}

/** Sends a signed State.StateChange callback to the Worker and expects Tencent's OK. */
export async function sendTo(worker: LocalWorker, event: Omit<StateEvent, "eventTime"> & { eventTime?: number }) {
  const result = await sendCallback(
    { url: worker.url, app: APP, token: "demo-callback-token" },
    { eventTime: Date.now(), ...event },
  );
  expect(result.status, result.body).toBe(200);
}

/** A new page of the console, signed in with the demo API token. */
export async function openConsole(
  browser: Chromium,
  worker: LocalWorker,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(`${worker.url}/console/`);
  await page.getByLabel("API token").fill(API_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Pages" }).waitFor();
  return page;
}

/** Runs axe-core on the page as it is and expects no violation. */
export async function expectNoAxeViolations(page: Page, name: string) {
  // Evaluated through the debugging protocol, which the page's CSP does not apply to.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe.run();
    return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  expect(violations, name).toEqual([]);
}
