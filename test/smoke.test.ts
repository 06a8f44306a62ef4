import { exports } from "cloudflare:workers";
import { it, expect } from "vitest";
it("works", async () => {
  const res = await exports.default.fetch("https://x/healthz");
  expect(await res.text()).toBe("pong");
});
