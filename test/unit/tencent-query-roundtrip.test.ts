// One table, both directions: what the compatible endpoint writes, our client reads back as
// the same presence (platforms logged out are not listed, as Tencent lists only logged-in ones).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLATFORMS, type AccountId, type ConnectionState, type UserStatus } from "../../src/presence/types";
import { queryOnlineStatus } from "../../src/tencent/rest/query-online-status";
import { okBody, queryResultOf, type AccountPresence } from "../../src/tencent/rest/query-online-status-server";
import { queryOnlineStatusResponse } from "../../src/tencent/rest/query-online-status-wire";

const state = fc.constantFrom<ConnectionState>("online", "disconnected", "offline");
const presence: fc.Arbitrary<AccountPresence> = fc
  .record({
    platforms: fc.dictionary(fc.constantFrom(...PLATFORMS), state, { maxKeys: PLATFORMS.length }),
    customStatus: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }),
  })
  .map(({ platforms, customStatus }) => {
    const states = Object.values(platforms);
    const status: UserStatus = states.includes("online")
      ? "online"
      : states.includes("disconnected")
        ? "disconnected"
        : states.length > 0
          ? "offline"
          : "unknown";
    return { status, platforms, customStatus };
  });

describe("compatible answer ↔ client", () => {
  it("reads back every presence the endpoint writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(presence, { minLength: 1, maxLength: 5 }), async (presences) => {
        const accounts = presences.map((_, i) => `u${i}` as AccountId);
        const body = okBody(
          presences.map((p, i) => queryResultOf(accounts[i]!, p, { IsNeedDetail: 1, IsReturnCustomStatus: 1 })),
        );
        expect(queryOnlineStatusResponse.safeParse(JSON.parse(body)).success).toBe(true);
        const result = await queryOnlineStatus({
          baseUrl: "https://tencent.test",
          sdkAppId: "1400000001",
          identifier: "administrator",
          userSig: "unused",
          accounts,
          fetcher: (async () => new Response(body)) as typeof fetch,
        });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        presences.forEach((p, i) => {
          const loggedIn = Object.fromEntries(Object.entries(p.platforms).filter(([, s]) => s !== "offline"));
          expect(result.results.get(accounts[i]!)).toStrictEqual({
            status: p.status === "unknown" ? "offline" : p.status,
            platforms: loggedIn,
            customStatus: p.customStatus,
          });
        });
      }),
    );
  });
});
