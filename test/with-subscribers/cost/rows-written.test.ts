// Rows written are the bill. This file runs in three projects: without subscribers ("core"),
// with one ("webhooks-single") and with two ("webhooks"), and prints what it measures.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../../src/config";
import type { UserPresence } from "../../../src/durable/user-presence";
import { sendStateChange } from "../../support/callback";
import { stubFor, uniqueAccount } from "../../support/storage";
import { drain, mockSubscribers } from "../../support/webhooks";
import { MANY_REQUESTS_MS } from "../../support/timeouts";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const usage = (account: string) =>
  runInDurableObject(stubFor(account), (instance: UserPresence) => instance.storageUsage());

describe("storage cost of webhooks", () => {
  const subscribers = loadConfig(env).subscribers.length;

  it(
    `rows written per callback with ${subscribers} subscriber(s)`,
    async () => {
      const hooks = subscribers > 0 ? mockSubscribers() : null;
      const account = uniqueAccount();
      const t = Date.now() - 100_000;
      const before0 = await usage(account);
      await sendStateChange({ account, action: "Login", eventTime: t });
      await drain(account);
      const first = (await usage(account)).rowsWritten - before0.rowsWritten;

      const N = 30; // wraps the 20-slot history ring
      let ingest = 0;
      let delivery = 0;
      let alarms = 0;
      for (let i = 1; i <= N; i++) {
        const a = await usage(account);
        expect((await sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: t + i })).status).toBe(
          200,
        );
        const b = await usage(account);
        await drain(account);
        const c = await usage(account);
        ingest += b.rowsWritten - a.rowsWritten;
        delivery += c.rowsWritten - b.rowsWritten;
        alarms += c.alarmsSet - a.alarmsSet;
      }
      const a = await usage(account);
      await sendStateChange({ account, action: "Login", eventTime: t + N }); // duplicate of the last Login
      await sendStateChange({ account, action: "Logout", eventTime: t - 1 }); // stale
      await drain(account);
      const b = await usage(account);
      const perDuplicateOrStale = (b.rowsWritten - a.rowsWritten) / 2;

      const figures = {
        subscribers,
        firstCallback: first,
        perApplied: {
          ingest: ingest / N,
          delivery: delivery / N,
          total: (ingest + delivery) / N,
          alarmsSet: alarms / N,
        },
        perDuplicateOrStale,
        alarmsForDuplicates: b.alarmsSet - a.alarmsSet,
      };
      console.log(`webhook storage cost ${JSON.stringify(figures)}`);

      expect(perDuplicateOrStale).toBe(1);
      expect(figures.alarmsForDuplicates).toBe(0);
      if (subscribers === 0) {
        expect(figures.perApplied).toEqual({ ingest: 1, delivery: 0, total: 1, alarmsSet: 0 });
      } else {
        // one history row (with the state) at ingest, one cursor row per alarm run, whatever the count
        expect(figures.perApplied).toEqual({ ingest: 1, delivery: 1, total: 2, alarmsSet: 1 });
        expect(hooks!.received.length).toBeGreaterThanOrEqual(N);
        expect(hooks!.rejected).toEqual([]);
      }
      // 60 callbacks and their deliveries.
    },
    MANY_REQUESTS_MS,
  );
});
