// The online-day scenario's plan (scripts/sim/online-day-plan.ts): a day with a morning ramp and
// an evening drop, each user's callbacks in order, the same day for the same seed.
import { describe, expect, it } from "vitest";
import { planDay } from "../../scripts/sim/online-day-plan.ts";

const DAY = 300_000;

/** Each user's status over the plan: online while a platform is online, else disconnected or offline. */
function statusesAt(plan: ReturnType<typeof planDay>, at: number): Map<string, string> {
  const platforms = new Map<string, Map<string, string>>();
  for (const e of plan.events) {
    if (e.at > at) break;
    const p = platforms.get(e.account) ?? new Map<string, string>();
    platforms.set(e.account, p);
    p.set(e.platform, e.action === "Login" ? "online" : e.action === "Disconnect" ? "disconnected" : "offline");
  }
  const out = new Map<string, string>();
  for (const [account, p] of platforms) {
    const states = [...p.values()];
    out.set(
      account,
      states.includes("online") ? "online" : states.includes("disconnected") ? "disconnected" : "offline",
    );
  }
  return out;
}
const onlineAt = (plan: ReturnType<typeof planDay>, at: number) =>
  [...statusesAt(plan, at).values()].filter((s) => s === "online").length;

describe("planDay", () => {
  const plan = planDay("sim-online", 400, DAY, 42);

  it("is the same day for the same seed, another for another", () => {
    expect(planDay("sim-online", 400, DAY, 42)).toEqual(plan);
    expect(planDay("sim-online", 400, DAY, 43)).not.toEqual(plan);
  });

  it("ramps up in the morning and drops in the evening, night owls left online", () => {
    const morning = [0.1, 0.2, 0.3, 0.35].map((f) => onlineAt(plan, f * DAY));
    expect(morning).toEqual([...morning].sort((a, b) => a - b));
    expect(onlineAt(plan, 0.36 * DAY)).toBe(400);
    const evening = [0.6, 0.7, 0.8, 0.96].map((f) => onlineAt(plan, f * DAY));
    expect(evening).toEqual([...evening].sort((a, b) => b - a));
    const end = statusesAt(plan, DAY);
    expect(
      [...end]
        .filter(([, s]) => s === "online")
        .map(([a]) => a)
        .sort(),
    ).toEqual([...plan.nightOwls].sort());
    expect(plan.nightOwls.length).toBeGreaterThan(0);
  });

  it("flaps some connections and gives some users a second device", () => {
    expect(plan.events.some((e) => e.action === "Disconnect")).toBe(true);
    const platformsOf = new Map<string, Set<string>>();
    for (const e of plan.events) platformsOf.set(e.account, (platformsOf.get(e.account) ?? new Set()).add(e.platform));
    expect([...platformsOf.values()].some((p) => p.size > 1)).toBe(true);
  });

  it("keeps events in time order, inside the day", () => {
    const times = plan.events.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...times)).toBeLessThanOrEqual(DAY);
  });
});
