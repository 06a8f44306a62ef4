// The serving side of Tencent's `v4/im_open_login_svc/kick`: the checks Tencent makes before it
// kicks (app, UserSig, admin: rest-server.ts; then the body). Used by the local stand-in of
// Tencent; the Worker serves no kick of Tencent's (its own is POST …/users/{account}/kick).
// Web APIs only; `.ts` imports because Node loads it too.
import { validate } from "../../lib/validation.ts";
import { kickRequest } from "./kick-wire.ts";
import { checkAdminRequest, readRestJson, refuse, type RestRefusal, type RestServerContext } from "./rest-server.ts";
import { REST_ERROR } from "./rest-wire.ts";

/** `{"UserID":"<128 bytes>"}`, with room for escapes and whitespace. */
export const MAX_KICK_BODY_BYTES = 4 * 1024;

export type CheckedKick = { readonly ok: true; readonly app: string; readonly account: string } | RestRefusal;

/**
 * Checks a kick as Tencent does: the URL (SDKAppID, UserSig, admin), then the body: unreadable
 * 60002, not JSON 60003, `UserID` not a string 60015, missing or not a valid UserID 70402.
 */
export async function checkKick(request: Request, url: URL, ctx: RestServerContext): Promise<CheckedKick> {
  const admin = await checkAdminRequest(url, ctx);
  if (!admin.ok) return admin;
  const read = await readRestJson(request, MAX_KICK_BODY_BYTES);
  if (!read.ok) return read;
  const userId = (read.json as { UserID?: unknown } | null)?.UserID;
  if (userId !== undefined && typeof userId !== "string") {
    return refuse(REST_ERROR.accountNotString, "UserID: must be a string");
  }
  const parsed = validate(kickRequest, read.json, "body");
  if (!parsed.ok) return refuse(REST_ERROR.invalidParameter, parsed.message);
  return { ok: true, app: admin.app, account: parsed.data.UserID };
}
