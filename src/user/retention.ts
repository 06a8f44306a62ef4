// RETENTION_DAYS: a user inactive that long is erased by its own alarm. Pending webhook
// deliveries hold the erasure back, so a user's last events still go out. A deadline of the
// user object like the others (src/user/concern.ts), run last in the alarm.
import { log } from "../lib/log";
import type { LoadedUser } from "./history-store";
import type { CommittedChange, UserConcern } from "./concern";

export type RetentionStep =
  | { readonly kind: "erase" }
  | { readonly kind: "wait"; readonly until: number }
  /** Past due but held back by deliveries: the next delivery run checks again. */
  | { readonly kind: "held" };

export function retentionStep(
  lastActivity: number,
  retentionMs: number,
  deliveriesPending: boolean,
  now: number,
): RetentionStep {
  const due = lastActivity + retentionMs;
  if (due > now) return { kind: "wait", until: due } as const;
  return deliveriesPending ? ({ kind: "held" } as const) : ({ kind: "erase" } as const);
}

export class RetentionDeadline implements UserConcern {
  constructor(
    private readonly retentionMs: number | null,
    /** The user as it is now: a callback during the alarm's awaits counts as activity. */
    private readonly latest: () => LoadedUser | null,
    /** Whether this alarm's delivery run left deliveries pending. */
    private readonly deliveriesPending: () => boolean,
    private readonly erase: () => Promise<void>,
  ) {}

  /** The end of the window, unless an alarm is set already: that alarm looks again when it runs. */
  wakeAfterChange(change: CommittedChange, alarmAt: number | null): number | null {
    return alarmAt === null && this.retentionMs !== null ? change.user.lastActivity + this.retentionMs : null;
  }

  async onAlarm(): Promise<number | null> {
    const user = this.latest();
    if (this.retentionMs === null || user === null) return null;
    const now = Date.now();
    const step = retentionStep(user.lastActivity, this.retentionMs, this.deliveriesPending(), now);
    if (step.kind === "wait") return step.until;
    if (step.kind === "erase") {
      log({ msg: "retention erase", inactiveMs: now - user.lastActivity });
      await this.erase();
    }
    return null;
  }
}
