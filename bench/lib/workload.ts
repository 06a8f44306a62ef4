// What the bench sends: signed Tencent State.StateChange callbacks over a fixed population of
// users, built by scripts/lib/tencent-client.ts (the simulator's client), in several mixes.

import { callbackBody, callbackPath, type StateEvent } from "../../scripts/lib/tencent-client.ts";
import type { Req } from "./load.ts";

/**
 * Callback mixes of steady ingest, each a cycle every user goes through (every step newer than
 * the last, so every one is applied):
 *   login-logout         Login, Logout (an app whose users come and go)
 *   login-login-logout   Login, Login, Logout (a second device or a reconnect before leaving)
 *   cycle                Login, Disconnect, Login, Logout (a dropped connection in between)
 */
export const MIXES = {
  "login-logout": [{ action: "Login" }, { action: "Logout" }],
  "login-login-logout": [{ action: "Login" }, { action: "Login" }, { action: "Logout" }],
  cycle: [
    { action: "Login" },
    { action: "Disconnect", reason: "LinkClose" },
    { action: "Login" },
    { action: "Logout" },
  ],
} as const satisfies Record<string, readonly Pick<StateEvent, "action" | "reason">[]>;
export type Mix = keyof typeof MIXES;

const PLATFORMS = ["IOS", "Android", "Web", "Windows", "Mac"];

/**
 * Signed callbacks over a population of users. EventTimes come from one counter per workload
 * (1 ms apart, starting an hour ago), so every generated "applied" event is newer than anything
 * the user saw before, and a "stale" event (older than the start) is older than all of them.
 */
export class CallbackWorkload {
  readonly app: string;
  readonly token: string;
  readonly population: string[];
  private readonly visits: Uint32Array;
  private readonly last: (StateEvent | null)[];
  private clock: number;
  private readonly t0: number;
  private cursor = 0;
  private fresh = 0;
  private dupStaleCount = 0;
  private readonly prefix: string;
  private signSecond = -1;
  private signedQuery = new Map<string, string>();
  private cycle: readonly Pick<StateEvent, "action" | "reason">[] = MIXES.cycle;

  constructor(opts: { app: string; token: string; users: number; prefix: string }) {
    this.app = opts.app;
    this.token = opts.token;
    this.prefix = opts.prefix;
    this.population = Array.from({ length: opts.users }, (_, i) => `${opts.prefix}-u${i}`);
    this.visits = new Uint32Array(opts.users);
    this.last = new Array(opts.users).fill(null);
    this.t0 = Date.now() - 3_600_000;
    this.clock = this.t0;
  }

  /** The mix of the applied events that follow (each user carries on from where it was). */
  useMix(mix: Mix): void {
    this.cycle = MIXES[mix];
  }

  /** Callback path, re-signed once per second (RequestTime must be within ±60 s). */
  private path(platform: string, clientIp: string): string {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.signSecond) {
      this.signSecond = now;
      this.signedQuery.clear();
    }
    const key = `${platform}|${clientIp}`;
    let p = this.signedQuery.get(key);
    if (p === undefined) {
      p = callbackPath({ app: this.app, token: this.token }, { platform, clientIp }, now);
      if (this.signedQuery.size < 10_000) this.signedQuery.set(key, p);
    }
    return p;
  }

  private req(e: StateEvent): Req {
    return { path: this.path(e.platform, e.clientIp ?? "127.0.0.1"), body: callbackBody(e) };
  }

  private eventFor(i: number): StateEvent {
    const step = this.cycle[this.visits[i]! % this.cycle.length]!;
    this.visits[i]!++;
    const e: StateEvent = {
      account: this.population[i]!,
      action: step.action,
      reason: step.reason,
      platform: PLATFORMS[i % PLATFORMS.length]!,
      clientIp: `10.1.${(i >> 8) & 255}.${i & 255}`,
      eventTime: ++this.clock,
    };
    this.last[i] = e;
    return e;
  }

  /** The next applied event, round-robin over the population (a state change each time). */
  applied(): Req {
    const i = this.cursor;
    this.cursor = (this.cursor + 1) % this.population.length;
    return this.req(this.eventFor(i));
  }

  /** Alternately an exact repeat of a user's last event and an event older than all of it. */
  duplicateOrStale(): Req {
    const i = this.cursor;
    this.cursor = (this.cursor + 1) % this.population.length;
    const round = Math.floor(this.dupStaleCount++ / this.population.length);
    const last = this.last[i];
    if (last && (round + i) % 2 === 0) return this.req(last);
    return this.req(this.stale(i));
  }

  duplicate(i: number): Req {
    const last = this.last[i];
    if (!last) throw new Error("no event to duplicate yet");
    return this.req(last);
  }

  private stale(i: number): StateEvent {
    return {
      account: this.population[i]!,
      action: "Login",
      platform: PLATFORMS[i % PLATFORMS.length]!,
      clientIp: `10.1.${(i >> 8) & 255}.${i & 255}`,
      eventTime: this.t0 - 1000 - (i % 1000),
    };
  }

  staleFor(i: number): Req {
    return this.req(this.stale(i));
  }

  appliedFor(i: number): Req {
    return this.req(this.eventFor(i));
  }

  customStatusFor(i: number, status: string): Req {
    return this.req({
      account: this.population[i]!,
      action: "CustomStatusChange",
      platform: PLATFORMS[i % PLATFORMS.length]!,
      clientIp: "10.9.9.9",
      eventTime: ++this.clock,
      customStatus: status,
    });
  }

  /** A Login for a user never seen before (first touch: the object is created). */
  firstTouch(): Req {
    const n = this.fresh++;
    return this.req({
      account: `${this.prefix}-new${n}`,
      action: "Login",
      platform: PLATFORMS[n % PLATFORMS.length]!,
      clientIp: `10.2.${(n >> 8) & 255}.${n & 255}`,
      eventTime: ++this.clock,
    });
  }

  /** Pre-creation: each population user gets its first event, in order. */
  precreate(): Req {
    return this.applied();
  }
}
