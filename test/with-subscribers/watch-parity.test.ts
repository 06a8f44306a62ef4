// One builder for both: a watch event is the webhook body the subscriber receives, byte for
// byte (same type, timestamp, data, source and snapshot).
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";
import { openWatch } from "../support/watch";
import { drain, mockSubscribers } from "../support/webhooks";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("watch events and webhook bodies", () => {
  it("are the same bytes, with data.source", async () => {
    const hooks = mockSubscribers();
    const account = uniqueAccount("parity");
    const client = await openWatch();
    await client.subscribed([account]);
    const t = Date.now() - 1000;
    await sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "Windows" });
    await sendStateChange({ account, action: "Login", eventTime: t + 1, kicked: ["Windows"] });
    const watched = await client.take(5);
    await drain(account);
    const bodies = hooks.of("all").map((d) => d.body);
    expect(watched.map((m) => JSON.stringify(m.event))).toEqual(bodies);
    expect(watched.every((m) => m.event.data.source === "callback")).toBe(true);
    client.close();
  });
});
