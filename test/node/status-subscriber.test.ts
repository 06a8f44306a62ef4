// The browser tests' webhook subscriber: a port that is already taken fails its start at once
// (it once hung a CI run's browser tests for the whole 4-minute hook timeout instead).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startSubscriber, type TestSubscriber } from "../../scripts/lib/status-subscriber";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function takenPort(): Promise<number> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  return (holder.address() as AddressInfo).port;
}

describe("startSubscriber", () => {
  it("rejects, naming the port, when the port is already taken", async () => {
    const port = await takenPort();
    await expect(startSubscriber(port, 204)).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
  });

  it("answers deliveries with the status it is told to and records their ids", async () => {
    const free = await takenPort();
    await closers.pop()!(); // the port is free again
    const subscriber: TestSubscriber = await startSubscriber(free, 410);
    closers.push(() => subscriber.close());
    const reply = await fetch(subscriber.url, { method: "POST", headers: { "webhook-id": "msg_1" }, body: "{}" });
    expect(reply.status).toBe(410);
    expect(subscriber.received).toEqual([{ id: "msg_1", status: 410, body: "{}" }]);
  });
});
