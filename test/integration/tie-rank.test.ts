// At equal EventTime on one platform, offline beats disconnected beats online, whatever the
// arrival order: checked end to end, one user per pair and order.
import { describe, expect, it } from "vitest";
import { getSnapshot } from "../support/api";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";

type Action = "Login" | "Disconnect" | "Logout";
type State = "online" | "disconnected" | "offline";

const PAIRS: [Action, Action, State][] = [
  ["Logout", "Disconnect", "offline"],
  ["Disconnect", "Logout", "offline"],
  ["Logout", "Login", "offline"],
  ["Login", "Logout", "offline"],
  ["Disconnect", "Login", "disconnected"],
  ["Login", "Disconnect", "disconnected"],
];

describe("equal EventTime on one platform", () => {
  it.each(PAIRS)("%s then %s ends %s", async (first, second, expected) => {
    const account = uniqueAccount("tie");
    const t = Date.now() - 60_000;
    for (const action of [first, second]) {
      expect((await sendStateChange({ account, action, eventTime: t })).status).toBe(200);
    }
    const snap = await getSnapshot(account);
    expect(snap.platforms.iOS.status).toBe(expected);
    expect(snap.status).toBe(expected);
  });

  it("offline beats disconnected in all three arrival orders of Login, Disconnect and Logout", async () => {
    const orders: Action[][] = [
      ["Login", "Disconnect", "Logout"],
      ["Disconnect", "Logout", "Login"],
      ["Logout", "Login", "Disconnect"],
    ];
    for (const order of orders) {
      const account = uniqueAccount("tie3");
      const t = Date.now() - 60_000;
      for (const action of order) await sendStateChange({ account, action, eventTime: t });
      expect((await getSnapshot(account)).platforms.iOS.status, order.join(", ")).toBe("offline");
    }
  });
});
