// Labels and units for the reconcile stats and the configuration's limits
// (console/src/labels.ts): the console shows words, not the API's keys (#19).
import { describe, expect, it } from "vitest";
import { bytes, duration, limitFacts, reconcileFacts } from "../../console/src/labels";
import { reconcileStatsResponse } from "../../src/api/get-reconcile";
import { configSummarySchema } from "../../src/api/schemas";

const n = (x: number) => new Intl.NumberFormat().format(x);

describe("reconcileFacts", () => {
  it("labels every stat the Worker sends, in words, never its key", () => {
    const keys = Object.keys(reconcileStatsResponse.shape);
    const stats = Object.fromEntries(keys.map((k) => [k, 0]));
    const labels = reconcileFacts(stats).map((f) => f.label);
    expect(labels).toHaveLength(keys.length);
    for (const [i, key] of keys.entries()) expect(labels[i], key).not.toBe(key);
    expect(labels.join(" ")).not.toMatch(/[a-z][A-Z]/); // no camelCase left
  });

  it("gives each number its unit", () => {
    const facts = reconcileFacts({
      enabled: true,
      staleAfterSeconds: 3600,
      maxRps: 20,
      calls: 3,
      accountsVerified: 1,
      corrections: 2,
      errors: 0,
      lastError: { at: 1_700_000_000_000, message: "the secret key does not match", errorCode: 70009 },
      lastRunAt: null,
      lastOkAt: 1_700_000_000_000,
      queueLength: 12,
    });
    const value = (label: string) => facts.find((f) => f.label === label)?.value;
    expect(value("Reconciliation")).toBe("on (the app has a secret key)");
    expect(value("Verify users with no callback for")).toBe(`1 h (${n(3600)} s)`);
    expect(value("Calls to Tencent, at most")).toBe("20 a second");
    expect(value("Calls to Tencent made")).toBe("3 calls");
    expect(value("Accounts verified")).toBe("1 account");
    expect(value("Corrections")).toBe("2 users corrected");
    expect(value("Errors")).toBe("0 errors");
    expect(value("Last error")).toMatch(/^the secret key does not match \(ErrorCode 70009\) at /);
    expect(value("Last run")).toBe("never");
    expect(value("Waiting to be verified")).toBe("12 accounts");
  });

  it("says off for staleness checks turned off, and shows a stat it does not know as it is", () => {
    const facts = reconcileFacts({ staleAfterSeconds: null, newStat: 7 });
    expect(facts).toEqual([
      { label: "Verify users with no callback for", value: "off (Verify now only)" },
      { label: "newStat", value: "7" },
    ]);
  });
});

describe("limitFacts", () => {
  it("labels every limit the Worker sends, with its unit", () => {
    const keys = Object.keys(configSummarySchema.shape.limits.shape);
    const facts = limitFacts({
      batchAccounts: 500,
      eventsPage: 1000,
      historyPerUser: 100,
      kicksPerUser: 20,
      callbackBodyBytes: 65_536,
    });
    expect(facts.map((f) => f.label)).toHaveLength(keys.length);
    for (const [i, key] of keys.entries()) expect(facts[i]!.label, key).not.toBe(key);
    expect(facts).toEqual([
      { label: "Batch query", value: "500 accounts a request" },
      { label: "Events page", value: `${n(1000)} events a request` },
      { label: "History kept per user", value: "100 events" },
      { label: "Kicks kept per user", value: "20 kicks" },
      { label: "Largest callback body", value: `64 KiB (${n(65_536)} bytes)` },
    ]);
  });
});

describe("units", () => {
  it("writes seconds with the larger unit when it is whole, and bytes in KiB when whole", () => {
    expect(duration(45)).toBe("45 s");
    expect(duration(90)).toBe("90 s");
    expect(duration(300)).toBe("5 min (300 s)");
    expect(duration(86_400)).toBe(`1 d (${n(86_400)} s)`);
    expect(bytes(1000)).toBe(`${n(1000)} bytes`);
    expect(bytes(2048)).toBe(`2 KiB (${n(2048)} bytes)`);
  });
});
