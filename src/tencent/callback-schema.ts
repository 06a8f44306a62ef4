// The State.StateChange body, validated with zod and turned into a domain PresenceEvent.
import * as z from "zod/mini";
import { ACTIONS, type AccountId, type Action, type PresenceEvent } from "../presence/types";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import { validate } from "../lib/validation";
import { normalisePlatform } from "./platform";

export const STATE_CHANGE_COMMAND = "State.StateChange";
export const MAX_REASON_LENGTH = 64;
export const MAX_CUSTOM_STATUS_LENGTH = 256;
export const MAX_KICKED_DEVICES = 16;
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** 10^12 ms is September 2001: an EventTime below it is almost surely in seconds. */
export const MIN_EVENT_TIME_MS = 1e12;
const STATE_CHANGE_LOWER = STATE_CHANGE_COMMAND.toLowerCase();

const KNOWN_REASONS = ["Register", "Unregister", "LinkClose", "TimeOut", "SetCustomStatus"] as const;
const byLowerCase = <T extends string>(values: readonly T[]) => new Map(values.map((v) => [v.toLowerCase(), v]));
const ACTION_BY_LOWER = byLowerCase(ACTIONS);
const REASON_BY_LOWER = byLowerCase(KNOWN_REASONS);

const account = z.string().check(z.refine(validAccount, ACCOUNT_RULE));
const text = (max: number) => z.string().check(z.maxLength(max));
const knownAction = z
  .string()
  .check(z.refine((a) => ACTION_BY_LOWER.has(a.toLowerCase()), `must be one of ${ACTIONS.join(", ")}`));

// Validation only: normalising the spellings happens in parseStateChange.
export const stateChangeBody = z.object({
  CallbackCommand: z.optional(z.string()),
  EventTime: z.optional(z.int().check(z.nonnegative())),
  Info: z.object({
    Action: knownAction,
    To_Account: account,
    Reason: z.optional(text(MAX_REASON_LENGTH)),
    CustomStatus: z.optional(text(MAX_CUSTOM_STATUS_LENGTH)),
  }),
  CustomStatus: z.optional(text(MAX_CUSTOM_STATUS_LENGTH)),
  KickedDevice: z.optional(z.array(z.object({ Platform: text(32) })).check(z.maxLength(MAX_KICKED_DEVICES))),
});

// Old docs spell reasons in other cases (`Timeout`); unknown reasons are kept as sent.
// Free text is kept with lone surrogates replaced by U+FFFD, as a SQLite text column would
// write them: the state, the history and the read API then all hold the same text.
const canonicalReason = (r: string) => REASON_BY_LOWER.get(r.toLowerCase()) ?? r.toWellFormed();

export type ParsedCallback =
  | {
      readonly ok: true;
      readonly account: AccountId;
      readonly event: PresenceEvent;
      /** False for an old payload without EventTime: the receive time stands in for it. */
      readonly timed: boolean;
    }
  | { readonly ok: false; readonly field: string; readonly message: string };

export interface CallbackContext {
  readonly optPlatform: string | null;
  readonly clientIp: string | null;
  readonly receivedAt: number;
}

export function parseStateChange(body: unknown, context: CallbackContext): ParsedCallback {
  const parsed = validate(stateChangeBody, body, "body");
  if (!parsed.ok) return parsed;
  const b = parsed.data;
  if (b.CallbackCommand !== undefined && b.CallbackCommand.toLowerCase() !== STATE_CHANGE_LOWER) {
    const message = `CallbackCommand: the body names another command than the query's ${STATE_CHANGE_COMMAND}`;
    return { ok: false, field: "CallbackCommand", message };
  }
  // Seconds would be stored as a date in January 1970 and lose to every later event.
  if (b.EventTime !== undefined && b.EventTime < MIN_EVENT_TIME_MS) {
    const message = "EventTime: must be milliseconds since 1970 (at least 10^12); this looks like seconds";
    return { ok: false, field: "EventTime", message };
  }
  const eventTime = b.EventTime ?? context.receivedAt;
  if (eventTime > context.receivedAt + MAX_FUTURE_SKEW_MS) {
    return { ok: false, field: "EventTime", message: "EventTime: more than 5 minutes in the future" };
  }
  const action = ACTION_BY_LOWER.get(b.Info.Action.toLowerCase()) as Action;
  const kicked =
    action === "Login" ? [...new Set((b.KickedDevice ?? []).map((d) => normalisePlatform(d.Platform)))] : [];
  const status = (b.Info.CustomStatus ?? b.CustomStatus ?? "").toWellFormed();
  return {
    ok: true,
    account: b.Info.To_Account as AccountId,
    timed: b.EventTime !== undefined,
    event: {
      action,
      reason: canonicalReason(b.Info.Reason ?? ""),
      platform: normalisePlatform(context.optPlatform),
      eventTime,
      receivedAt: context.receivedAt,
      clientIp: context.clientIp,
      kicked,
      customStatus: action === "CustomStatusChange" && status !== "" ? status : null,
    },
  };
}
