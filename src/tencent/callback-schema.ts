// The State.StateChange body, validated with zod and turned into a domain PresenceEvent.
import { z } from "zod";
import { ACTIONS, type AccountId, type Action, type PresenceEvent } from "../presence/types";
import { normalisePlatform } from "./platform";

export const STATE_CHANGE_COMMAND = "State.StateChange";
export const MAX_ACCOUNT_BYTES = 128;
export const MAX_REASON_LENGTH = 64;
export const MAX_CUSTOM_STATUS_LENGTH = 256;
export const MAX_KICKED_DEVICES = 16;
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const KNOWN_REASONS = ["Register", "Unregister", "LinkClose", "TimeOut", "SetCustomStatus"] as const;
const byLowerCase = <T extends string>(values: readonly T[]) => new Map(values.map((v) => [v.toLowerCase(), v]));
const ACTION_BY_LOWER = byLowerCase(ACTIONS);
const REASON_BY_LOWER = byLowerCase(KNOWN_REASONS);

const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength;

// A lone surrogate (`"\ud800"` in the JSON) is not UTF-8: no Tencent UserID holds one, and
// storage would write it as U+FFFD, so what was stored would differ from what was sent.
export const validAccount = (s: string) => s.length > 0 && s.isWellFormed() && utf8Length(s) <= MAX_ACCOUNT_BYTES;

const account = z.string().refine(validAccount, `must be 1 to ${MAX_ACCOUNT_BYTES} bytes of UTF-8`);

// Old docs spell reasons in other cases (`Timeout`); unknown reasons are kept as sent.
// Free text is kept with lone surrogates replaced by U+FFFD, as a SQLite text column would
// write them: the state, the history and the read API then all hold the same text.
const reason = z
  .string()
  .max(MAX_REASON_LENGTH)
  .transform((r) => REASON_BY_LOWER.get(r.toLowerCase()) ?? r.toWellFormed());

const customStatus = z
  .string()
  .max(MAX_CUSTOM_STATUS_LENGTH)
  .transform((s) => s.toWellFormed());

const action = z.string().transform((a, ctx): Action => {
  const known = ACTION_BY_LOWER.get(a.toLowerCase());
  if (known === undefined) {
    ctx.addIssue({ code: "custom", message: `must be one of ${ACTIONS.join(", ")}` });
    return z.NEVER;
  }
  return known;
});

export const stateChangeBody = z.object({
  CallbackCommand: z.string().optional(),
  EventTime: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  Info: z.object({
    Action: action,
    To_Account: account,
    Reason: reason.optional(),
    CustomStatus: customStatus.optional(),
  }),
  CustomStatus: customStatus.optional(),
  KickedDevice: z
    .array(z.object({ Platform: z.string().max(32) }))
    .max(MAX_KICKED_DEVICES)
    .optional(),
});
export type StateChangeBody = z.infer<typeof stateChangeBody>;

export type ParsedCallback =
  | { readonly ok: true; readonly account: AccountId; readonly event: PresenceEvent }
  | { readonly ok: false; readonly field: string; readonly message: string };

export interface CallbackContext {
  readonly optPlatform: string | null;
  readonly clientIp: string | null;
  readonly receivedAt: number;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "body" : path.map(String).join(".");
}

export function parseStateChange(body: unknown, context: CallbackContext): ParsedCallback {
  const parsed = stateChangeBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldName(issue?.path ?? []);
    return { ok: false, field, message: `${field}: ${issue?.message ?? "invalid"}` };
  }
  const b = parsed.data;
  const eventTime = b.EventTime ?? context.receivedAt;
  if (eventTime > context.receivedAt + MAX_FUTURE_SKEW_MS) {
    return { ok: false, field: "EventTime", message: "EventTime: more than 5 minutes in the future" };
  }
  const kicked =
    b.Info.Action === "Login" ? [...new Set((b.KickedDevice ?? []).map((d) => normalisePlatform(d.Platform)))] : [];
  const status = b.Info.CustomStatus ?? b.CustomStatus ?? "";
  return {
    ok: true,
    account: b.Info.To_Account as AccountId,
    event: {
      action: b.Info.Action,
      reason: b.Info.Reason ?? "",
      platform: normalisePlatform(context.optPlatform),
      eventTime,
      receivedAt: context.receivedAt,
      clientIp: context.clientIp,
      kicked,
      customStatus: b.Info.Action === "CustomStatusChange" && status !== "" ? status : null,
    },
  };
}
