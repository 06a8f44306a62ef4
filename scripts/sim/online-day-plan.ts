// The plan of the online-day scenario (online-day.ts): a day of an app's users compressed into a
// few minutes, so that the who-is-online counts (GET /online, the console's Online page) and
// their history (GET /online/history) have a shape. Pure and seeded: the same options give the
// same day (tested in test/node/online-day-plan.test.ts).
//
//   morning ramp  (the first 35 % of the time)  users log in, more and more of them at once
//   daytime       (35 % to 60 %)                 some connections flap: Disconnect, then Login again
//   evening drop  (60 % to 95 %)                 users log out; a few stay online overnight
//
// A quarter of the users have a second device: it logs in after the first and out before it, so
// their online platforms change while their status does not.
import type { Action, StateEvent } from "../lib/tencent-client.ts";
import { rng } from "./rng.ts";

const PRIMARY = ["IOS", "Android", "Web", "IOS", "Android"] as const;
const SECOND = ["Windows", "Mac", "Web"] as const;

/** Shares of the users (of the whole, each drawn on its own). */
export const SHARES = { secondDevice: 0.25, flapping: 0.15, nightOwl: 0.1 } as const;

export interface PlannedEvent {
  /** Milliseconds after the day starts. */
  readonly at: number;
  readonly account: string;
  readonly action: Action;
  readonly reason?: string;
  readonly platform: string;
  readonly clientIp: string;
}

export interface DayPlan {
  readonly events: readonly PlannedEvent[];
  /** Accounts that stay online at the end of the day. */
  readonly nightOwls: readonly string[];
}

/** The day of `users` accounts `<prefix>-u<i>` over `durationMs`, events in time order. */
export function planDay(prefix: string, users: number, durationMs: number, seed: number): DayPlan {
  const random = rng(seed);
  const events: PlannedEvent[] = [];
  const nightOwls: string[] = [];
  const between = (from: number, to: number) => Math.round(durationMs * (from + (to - from) * random()));
  for (let i = 0; i < users; i++) {
    const account = `${prefix}-u${i}`;
    const clientIp = `198.51.100.${i % 250}`;
    const platform = PRIMARY[i % PRIMARY.length]!;
    const add = (at: number, action: Action, on: string = platform, reason?: string) =>
      events.push({ at, account, action, platform: on, clientIp, ...(reason ? { reason } : {}) });
    // The ramp: arrivals grow through the morning (the square root puts more of them late).
    const login = Math.round(durationMs * 0.35 * Math.sqrt(random()));
    const owl = random() < SHARES.nightOwl;
    const logout = owl ? null : between(0.6, 0.95);
    add(login, "Login");
    if (random() < SHARES.secondDevice) {
      const second = SECOND[i % SECOND.length]!;
      add(between(0.36, 0.45), "Login", second);
      add(logout === null ? between(0.6, 0.95) : between(0.55, 0.6), "Logout", second);
    }
    if (random() < SHARES.flapping) {
      // Two drops in the daytime, each back a moment later.
      for (const [from, to] of [
        [0.36, 0.45],
        [0.46, 0.58],
      ] as const) {
        const drop = between(from, to);
        add(drop, "Disconnect", platform, random() < 0.5 ? "LinkClose" : "TimeOut");
        add(drop + Math.max(1, Math.round(durationMs * 0.01)), "Login");
      }
    }
    if (logout === null) nightOwls.push(account);
    else add(logout, "Logout");
  }
  // Stable: a user's own events keep their order at equal times.
  events.sort((a, b) => a.at - b.at);
  return { events, nightOwls };
}

/** A planned event as the callback client sends it, at `start` + its offset. */
export function toStateEvent(e: PlannedEvent, start: number): StateEvent {
  return { ...e, eventTime: start + e.at };
}
