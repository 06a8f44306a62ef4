// POST /v1/apps/{app}/users/{account}/kick (SPEC §13): Tencent's kick, then the user verified
// at once with query_online_status, the answer applied as any reconcile answer, so the snapshot
// that comes back is Tencent's truth. Both calls go through the app's reconciler and share its
// RECONCILE_MAX_RPS window. A kick cannot be undone: once Tencent has done it the answer is 200,
// and a verification that failed is said in it ("verified": false), never as a 5xx that would
// invite a second kick. One log line per kick; never a key or a UserSig.
import * as z from "zod/mini";
import type { KickOutcome } from "../reconcile/outcomes";
import { log } from "../lib/log";
import type { AppId, AccountId } from "../presence/types";
import type { RestFailure } from "../tencent/rest/rest-call";
import { presenceStub } from "../user/stub";
import type { AccountRequest } from "./context";
import { apiError } from "./responses";
import { snapshotSchema } from "./schemas";

/** The answer's shape (for the OpenAPI document; the tests check answers against it). */
export const kickResponse = z.object({
  kicked: z.literal(true),
  /** Whether Tencent's status query right after the kick answered and was applied. */
  verified: z.boolean(),
  /** Whether that answer changed what was shown (false when not verified). */
  corrected: z.boolean(),
  /** Tencent's truth when verified; else what presence-edge holds (null if that could not be read). */
  snapshot: z.nullable(snapshotSchema),
  /** When not verified: why, and what happens next. */
  message: z.optional(z.string()),
  errorCode: z.optional(z.nullable(z.number())),
});

const json = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "application/json" } });

/** The 502's words: what Tencent said, and whether the kick may have happened anyway. */
function refusalMessage(failure: RestFailure): string {
  switch (failure.reason) {
    case "refused":
      return `Tencent refused the kick: ${failure.message}; nothing was changed (ErrorCodes: docs/TENCENT.md)`;
    case "timeout":
    case "network":
      // The request may have reached Tencent: its State.StateChange callback would then show the kick.
      return `Tencent did not answer the kick (${failure.message}); it may still have been done, and its callback would show it; nothing was changed here, try again later`;
    default:
      return `the kick failed: ${failure.message}; nothing was changed, try again later`;
  }
}

/** What the user object holds now, as JSON text; null when it cannot be read either. */
async function currentSnapshot(env: Env, app: AppId, account: AccountId): Promise<string | null> {
  try {
    return await presenceStub(env, app, account).snapshotJson(app, account);
  } catch {
    return null;
  }
}

export async function postKick(request: AccountRequest, env: Env): Promise<Response> {
  const { app, account, config } = request;
  const line = (fields: Record<string, unknown>) => log({ msg: "kick", app, account, ...fields });
  const notConfigured = () => {
    line({ outcome: "not_configured" });
    return apiError(
      409,
      "not_configured",
      `kicking needs the IM app's secret key to sign Tencent REST calls: set IM_SECRET_KEY or IM_SECRET_KEY_${app}`,
    );
  };
  if (!config.secretKeys.has(app)) return notConfigured();

  let outcome: KickOutcome;
  try {
    outcome = await env.RECONCILER.getByName(app).kick(app, account);
  } catch (error) {
    // The reconciler failed (reset, overloaded) before or after Tencent's call: nobody knows which.
    line({ outcome: "error", error: String(error) });
    return apiError(
      500,
      "server_error",
      "the kick's outcome is unknown (an internal error): read the user, or wait for Tencent's callback, before kicking again",
    );
  }
  if (!outcome.kicked) {
    const { failure } = outcome;
    if (failure.reason === "no_key") return notConfigured();
    line({ outcome: "tencent_error", reason: failure.reason, errorCode: failure.errorCode, error: failure.message });
    return Response.json(
      { error: "tencent_error", errorCode: failure.errorCode, message: refusalMessage(failure) },
      { status: 502 },
    );
  }

  const { verified } = outcome;
  const applied = verified.ok ? verified.results.find((r) => r.account === account) : undefined;
  if (applied?.snapshot != null) {
    line({ outcome: "kicked", verified: true, corrected: applied.corrected });
    // The snapshot arrives as JSON text from the user object: joined, not parsed again.
    return json(`{"kicked":true,"verified":true,"corrected":${applied.corrected},"snapshot":${applied.snapshot}}`);
  }
  const why = verified.ok
    ? `the user object did not take Tencent's answer (${applied?.error ?? "no answer"})`
    : verified.error;
  const errorCode = verified.ok ? null : verified.errorCode;
  line({ outcome: "kicked", verified: false, errorCode, error: why });
  const message =
    `kicked, but verifying the user right after it failed: ${why}. The snapshot is what presence-edge ` +
    "held; Tencent's callback, or the verification retried in a minute, brings it up to date. Do not kick again.";
  const snapshot = (await currentSnapshot(env, app, account)) ?? "null";
  const tail = `"message":${JSON.stringify(message)},"errorCode":${JSON.stringify(errorCode)}`;
  return json(`{"kicked":true,"verified":false,"corrected":false,"snapshot":${snapshot},${tail}}`);
}
